#!/usr/bin/env bash
# Races our server against soketi in one sitting: each scenario runs alternately against both, ROUNDS
# times, each server started fresh per run (so M1 measures a clean process). Results: bench/results/.
#   SOKETI_DIR=/tmp/soketi ROUNDS=3 SCENARIOS="F1 F2 C1 M1" bash bench/scripts/compare.sh
# soketi must be installed in $SOKETI_DIR as shared/PERFORMANCE.md describes (never in this repository).
set -euo pipefail
cd "$(dirname "$0")/../.."
SOKETI_DIR="${SOKETI_DIR:-/tmp/soketi}"
ROUNDS="${ROUNDS:-3}"
SCENARIOS="${SCENARIOS:-F1 F2 C1 M1}"
OUT="bench/results/$(date +%Y%m%d-%H%M%S)"
mkdir -p "$OUT"
PORT_OURS=6201 PORT_SOKETI=6101

free_port() { for _ in $(seq 100); do ss -ltn | grep -q "127.0.0.1:$1 " || return 0; sleep 0.1; done; echo "port $1 busy" >&2; exit 1; }
wait_up() { for _ in $(seq 100); do curl -sf "http://127.0.0.1:$1/" >/dev/null 2>&1 && return 0; sleep 0.1; done; echo "server on $1 did not start" >&2; exit 1; }

start_ours() {
  free_port $PORT_OURS
  METRICS_ENABLED=false node apps/server/dist/bin.js start --host 127.0.0.1 --port $PORT_OURS >"$OUT/ours.log" 2>&1 &
  echo $!
}
start_soketi() {
  free_port $PORT_SOKETI
  (cd "$SOKETI_DIR" && SOKETI_DEFAULT_APP_ID=app-id SOKETI_DEFAULT_APP_KEY=app-key SOKETI_DEFAULT_APP_SECRET=app-secret \
    SOKETI_HOST=127.0.0.1 SOKETI_PORT=$PORT_SOKETI SOKETI_METRICS_HOST=127.0.0.1 SOKETI_METRICS_SERVER_PORT=9701 \
    exec node node_modules/@soketi/soketi/bin/server.js start >"$OLDPWD/$OUT/soketi.log" 2>&1) &
  echo $!
}
args_for() {
  case "$1" in
    F1) echo "--clients 1000 --duration 10 --inflight 16" ;;
    F2) echo "--clients 1000 --duration 10 --rate 100" ;;
    C1) echo "--clients 10000 --inflight 200" ;;
    M1) echo "--clients 10000" ;;
  esac
}

for round in $(seq "$ROUNDS"); do
  for scenario in $SCENARIOS; do
    for target in ours soketi; do
      if [ "$target" = ours ]; then pid=$(start_ours); port=$PORT_OURS; else pid=$(start_soketi); port=$PORT_SOKETI; fi
      wait_up $port
      sleep 1
      echo "== round $round $scenario $target" >&2
      # shellcheck disable=SC2046
      node bench/dist/cli.js --scenario "$scenario" --port $port $(args_for "$scenario") --server-pid "$pid" \
        --label "$target" --json "$OUT/$scenario-$target-$round.json" >/dev/null || echo "run failed: $scenario $target $round" >&2
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
    done
  done
done
echo "$OUT"
