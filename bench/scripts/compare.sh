#!/usr/bin/env bash
# Races our server against soketi in one sitting: each scenario runs alternately against both, ROUNDS
# times, each server started fresh per run (so M1 measures a clean process). Results: bench/results/.
#   SOKETI_DIR=/tmp/soketi ROUNDS=3 SCENARIOS="F1 F2 C1 M1 H1 P1" bash bench/scripts/compare.sh
# soketi must be installed in $SOKETI_DIR as shared/PERFORMANCE.md describes (never in this repository).
# H1 starts two nodes of each server joined by its redis adapter (Redis at $REDIS_HOST:$REDIS_PORT, under
# a prefix unique to this run, so other users of that Redis are not disturbed).
# For a quick end-to-end check: DURATION=3 CONNECTIONS=2000 P1_USERS=100 ROUNDS=1 (figures not comparable).
# TARGETS="ours-lean ours-ws soketi" races our WebSocket engines too (ours = the configured default);
# ours-redis is ours on the redis adapter (one node, a prefix of its own): TARGETS="ours ours-redis" shows
# what joining a cluster costs a node on its own (C1: the broker subscription behind every first subscribe);
# ours-history is ours with channel history on every channel, kept in Redis ($REDIS_HOST:$REDIS_PORT,
# under a prefix of this run's, at most 1,000 messages per channel): TARGETS="ours ours-history".
set -euo pipefail
cd "$(dirname "$0")/../.."
SOKETI_DIR="${SOKETI_DIR:-/tmp/soketi}"
ROUNDS="${ROUNDS:-3}"
SCENARIOS="${SCENARIOS:-F1 F2 C1 M1 H1 P1}"
DURATION="${DURATION:-10}"          # seconds of F1/F2/H1 triggering and of P1 churn
CONNECTIONS="${CONNECTIONS:-10000}" # C1 and M1 sockets
P1_USERS="${P1_USERS:-500}"
REDIS_HOST="${REDIS_HOST:-127.0.0.1}" REDIS_PORT="${REDIS_PORT:-6379}"
OUT="bench/results/$(date +%Y%m%d-%H%M%S)"
mkdir -p "$OUT"
PREFIX="sockudo-bench-$(basename "$OUT")-$$"
TARGETS="${TARGETS:-ours soketi}"
# Our server runs with the node flags its `sockudo` executable's shebang line gives (as `sockudo start` does).
NODE_FLAGS_OURS="$(sed -n '1s/^#!.*env -S node//p' apps/server/dist/bin.js)"

case " $TARGETS " in
  *" soketi "*) [ -f "$SOKETI_DIR/node_modules/@soketi/soketi/bin/server.js" ] || { echo "soketi is not installed in $SOKETI_DIR" >&2; exit 1; } ;;
esac
[ -f apps/server/dist/bin.js ] && [ -f bench/dist/cli.js ] || { echo "build first: pnpm build" >&2; exit 1; }

# A port the OS picks (free when asked; the server binds it a moment later).
pick_port() { node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }
wait_up() { for _ in $(seq 100); do curl -sf "http://127.0.0.1:$1/" >/dev/null 2>&1 && return 0; sleep 0.1; done; echo "server on $1 did not start" >&2; exit 1; }

# Both servers: the bench app, presence channels allowed up to 1,000 members (P1 has 500 users).
# start_<server> <port> <node index 1|2> <cluster 0|1>
start_ours() {
  local config=() engine=() cluster=$3
  case "$TARGET" in
    ours-redis) cluster=1 ;;
    ours-history)
      engine=(HISTORY_ENABLED=true HISTORY_BACKEND=redis HISTORY_REDIS_PREFIX="$PREFIX-history:"
        HISTORY_MAX_MESSAGES_PER_CHANNEL=1000 REDIS_URL="redis://$REDIS_HOST:$REDIS_PORT")
      ;;
    ours-*) engine=(SOCKUDO_WEBSOCKET_ENGINE="${TARGET#ours-}") ;;
  esac
  if [ "$cluster" = 1 ]; then
    printf '{"adapter":{"driver":"redis","redis":{"prefix":"%s:","redis_pub_options":{"url":"redis://%s:%s"}}}}\n' \
      "$PREFIX" "$REDIS_HOST" "$REDIS_PORT" >"$OUT/ours-h1.json"
    config=(-c "$OUT/ours-h1.json")
  fi
  env "${engine[@]}" SOCKUDO_DEFAULT_APP_ID=app-id SOCKUDO_DEFAULT_APP_KEY=app-key SOCKUDO_DEFAULT_APP_SECRET=app-secret \
    SOCKUDO_DEFAULT_APP_MAX_PRESENCE_MEMBERS_PER_CHANNEL=1000 METRICS_ENABLED=false \
    node $NODE_FLAGS_OURS apps/server/dist/bin.js start "${config[@]}" --host 127.0.0.1 --port "$1" >>"$OUT/ours-$2.log" 2>&1 &
  echo $!
}
start_soketi() {
  local adapter=local
  [ "$3" = 1 ] && adapter=redis
  (cd "$SOKETI_DIR" && SOKETI_DEFAULT_APP_ID=app-id SOKETI_DEFAULT_APP_KEY=app-key SOKETI_DEFAULT_APP_SECRET=app-secret \
    SOKETI_HOST=127.0.0.1 SOKETI_PORT="$1" SOKETI_METRICS_HOST=127.0.0.1 SOKETI_METRICS_SERVER_PORT=$(pick_port) \
    SOKETI_PRESENCE_MAX_MEMBERS=1000 SOKETI_ADAPTER_DRIVER=$adapter SOKETI_ADAPTER_REDIS_PREFIX="$PREFIX" \
    SOKETI_DB_REDIS_HOST="$REDIS_HOST" SOKETI_DB_REDIS_PORT="$REDIS_PORT" \
    exec node node_modules/@soketi/soketi/bin/server.js start >>"$OLDPWD/$OUT/soketi-$2.log" 2>&1) &
  echo $!
}
stop() {
  for pid in "$@"; do kill "$pid" 2>/dev/null || true; done
  for pid in "$@"; do
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
}
args_for() {
  case "$1" in
    F1) echo "--clients 1000 --duration $DURATION --inflight 16" ;;
    F2) echo "--clients 1000 --duration $DURATION --rate 100" ;;
    C1) echo "--clients $CONNECTIONS --inflight 200" ;;
    M1) echo "--clients $CONNECTIONS" ;;
    H1) echo "--clients 1000 --duration $DURATION --inflight 16" ;;
    P1) echo "--clients $P1_USERS --duration $DURATION" ;;
    *) echo "unknown scenario $1" >&2; exit 1 ;;
  esac
}

started=$(date +%s)
for round in $(seq "$ROUNDS"); do
  for scenario in $SCENARIOS; do
    for target in $TARGETS; do
      TARGET=$target
      port=$(pick_port)
      cluster=0 extra=()
      [ "$scenario" = H1 ] && cluster=1
      pid=$("start_${target%%-*}" $port 1 $cluster)
      pids=("$pid")
      if [ $cluster = 1 ]; then
        port_b=$(pick_port)
        pid_b=$("start_${target%%-*}" $port_b 2 1)
        pids+=("$pid_b")
        extra=(--port-b $port_b --server-pid-b "$pid_b")
        wait_up $port_b
      fi
      wait_up $port
      sleep 1
      echo "== round $round $scenario $target ($(($(date +%s) - started)) s)" >&2
      # shellcheck disable=SC2046
      node bench/dist/cli.js --scenario "$scenario" --port $port $(args_for "$scenario") "${extra[@]}" \
        --server-pid "$pid" --label "$target" --json "$OUT/$scenario-$target-$round.json" >/dev/null ||
        echo "run failed: $scenario $target $round" >&2
      stop "${pids[@]}"
    done
  done
done
echo "finished in $(($(date +%s) - started)) s" >&2
echo "$OUT"
