#!/usr/bin/env bash
# A throwaway six-node Redis Cluster (three masters, three replicas) on 127.0.0.1:7000-7005 for the
# integration tests, built from the machine's redis-server. Called by scripts/services.sh; usable alone:
#   bash scripts/redis-cluster.sh start|stop|status
# Data, logs and pid files live in $STATE_DIR/redis-cluster (default .services/ in the repo, gitignored).
set -euo pipefail
cd "$(dirname "$0")/.."
STATE_DIR="${STATE_DIR:-${SOCKUDO_SERVICES_DIR:-$PWD/.services}}"
CLUSTER_DIR="$STATE_DIR/redis-cluster"
HOST=127.0.0.1
PORTS=(7000 7001 7002 7003 7004 7005)
READY_TIMEOUT_SECONDS="${REDIS_CLUSTER_READY_TIMEOUT:-30}"

say() { echo "redis-cluster: $*"; }
die() {
  echo "redis-cluster: ERROR: $*" >&2
  exit 1
}

require_binaries() {
  command -v redis-server >/dev/null || die "redis-server is not installed (apt-get install redis-server)"
  command -v redis-cli >/dev/null || die "redis-cli is not installed (apt-get install redis-tools)"
}

answers_ping() { [[ "$(redis-cli -h "$HOST" -p "$1" ping 2>/dev/null)" == "PONG" ]]; }

cluster_field() { redis-cli -h "$HOST" -p "$1" cluster info 2>/dev/null | tr -d '\r' | sed -n "s/^$2://p"; }

# True when every node answers, knows all six nodes and reports cluster_state:ok.
cluster_ok() {
  local port
  for port in "${PORTS[@]}"; do
    [[ "$(cluster_field "$port" cluster_state)" == "ok" ]] || return 1
    [[ "$(cluster_field "$port" cluster_known_nodes)" == "${#PORTS[@]}" ]] || return 1
  done
}

# The pid in a node's pid file, if that process is alive and is a redis-server (pids get recycled).
our_pid() {
  local file="$CLUSTER_DIR/$1/redis.pid" pid
  [[ -f "$file" ]] || return 1
  pid="$(cat "$file")"
  [[ -n "$pid" && -r "/proc/$pid/comm" && "$(cat "/proc/$pid/comm")" == redis-server* ]] || return 1
  echo "$pid"
}

kill_nodes() {
  local port pid pids=()
  for port in "${PORTS[@]}"; do
    if pid="$(our_pid "$port")"; then
      kill "$pid" 2>/dev/null || true
      pids+=("$pid")
    fi
  done
  local deadline=$((SECONDS + 10))
  for pid in "${pids[@]}"; do
    while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
}

wait_until() {
  local what="$1" deadline=$((SECONDS + READY_TIMEOUT_SECONDS))
  shift
  until "$@"; do
    ((SECONDS < deadline)) || return 1
    sleep 0.2
  done
  say "$what"
}

all_answer_ping() {
  local port
  for port in "${PORTS[@]}"; do answers_ping "$port" || return 1; done
}

start() {
  require_binaries
  if all_answer_ping; then
    # Already up (perhaps still converging right after a create): give it a moment before rebuilding.
    if cluster_ok_within_5s; then
      say "already running on $HOST:${PORTS[0]}-${PORTS[-1]}, cluster_state:ok"
      return 0
    fi
    say "nodes answer but the cluster is not ok: rebuilding"
  fi

  # Stale state from an earlier run (crashed nodes, old nodes.conf): stop what we started and wipe it.
  kill_nodes
  rm -rf "$CLUSTER_DIR"
  local port
  for port in "${PORTS[@]}"; do
    if answers_ping "$port" || (exec 3<>"/dev/tcp/$HOST/$port") 2>/dev/null; then
      die "port $port is in use by a process this script did not start (no pid file in $CLUSTER_DIR); stop it first"
    fi
  done

  for port in "${PORTS[@]}"; do
    mkdir -p "$CLUSTER_DIR/$port"
    redis-server \
      --bind "$HOST" --port "$port" \
      --cluster-enabled yes --cluster-config-file nodes.conf --cluster-node-timeout 5000 \
      --dir "$CLUSTER_DIR/$port" --logfile "$CLUSTER_DIR/$port/redis.log" \
      --pidfile "$CLUSTER_DIR/$port/redis.pid" --daemonize yes \
      --save '' --appendonly no >/dev/null
  done
  wait_until "six nodes answer PING" all_answer_ping ||
    die "nodes did not answer PING within ${READY_TIMEOUT_SECONDS}s; see $CLUSTER_DIR/700*/redis.log"

  local addresses=()
  for port in "${PORTS[@]}"; do addresses+=("$HOST:$port"); done
  redis-cli --cluster create "${addresses[@]}" --cluster-replicas 1 --cluster-yes >"$CLUSTER_DIR/create.log" 2>&1 ||
    die "redis-cli --cluster create failed; see $CLUSTER_DIR/create.log"
  wait_until "cluster_state:ok on all six nodes ($HOST:${PORTS[0]}-${PORTS[-1]})" cluster_ok ||
    die "cluster did not reach cluster_state:ok within ${READY_TIMEOUT_SECONDS}s; see $CLUSTER_DIR"
}

cluster_ok_within_5s() {
  local deadline=$((SECONDS + 5))
  until cluster_ok; do
    ((SECONDS < deadline)) || return 1
    sleep 0.2
  done
}

stop() {
  kill_nodes
  rm -rf "$CLUSTER_DIR"
  local port
  for port in "${PORTS[@]}"; do
    if answers_ping "$port"; then
      echo "redis-cluster: WARNING: $HOST:$port still answers but was not started from $CLUSTER_DIR; left running" >&2
    fi
  done
  say "stopped"
}

status() {
  local port pid state
  for port in "${PORTS[@]}"; do
    pid="$(our_pid "$port" || echo -)"
    if answers_ping "$port"; then
      state="$(cluster_field "$port" cluster_state) role=$(redis-cli -h "$HOST" -p "$port" role 2>/dev/null | head -1)"
    else
      state="down"
    fi
    echo "redis-cluster: $HOST:$port pid=$pid $state"
  done
  if cluster_ok; then say "cluster_state:ok"; else say "not running or not ok" && return 1; fi
}

case "${1:-status}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *)
    echo "usage: $0 start|stop|status" >&2
    exit 2
    ;;
esac
