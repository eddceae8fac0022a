#!/usr/bin/env bash
# Starts and health-checks the services the test suite needs that a machine may not already run.
# CI (.ci/run) and people use the same script:  bash scripts/services.sh start|stop|status
#
# Expected to be running already (the machine's own services; this script only checks them and fails
# loudly when one is missing): Redis 127.0.0.1:6379, NATS 127.0.0.1:4222, RabbitMQ 127.0.0.1:5672,
# MariaDB 127.0.0.1:3306, PostgreSQL 127.0.0.1:5432. Started here: a six-node Redis Cluster on 127.0.0.1:7000-7005
# (scripts/redis-cluster.sh), with its files in $STATE_DIR (default .services/, gitignored).
set -euo pipefail
cd "$(dirname "$0")/.."
STATE_DIR="${STATE_DIR:-${SOCKUDO_SERVICES_DIR:-$PWD/.services}}"
export STATE_DIR

tcp_open() { timeout 2 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null; }

redis_ok() { [[ "$(timeout 2 redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null)" == "PONG" ]]; }

# Prints one line per machine service; returns non-zero when any is missing.
check_machine_services() {
  local missing=0
  if ! command -v redis-cli >/dev/null; then
    echo "services: MISSING redis-cli (apt-get install redis-tools)" >&2
    missing=1
  elif redis_ok; then
    echo "services: ok      Redis      127.0.0.1:6379 (PING -> PONG)"
  else
    echo "services: MISSING Redis      127.0.0.1:6379 does not answer PING (start redis-server)" >&2
    missing=1
  fi
  local name port hint
  while read -r name port hint; do
    if tcp_open 127.0.0.1 "$port"; then
      printf 'services: ok      %-10s 127.0.0.1:%s (TCP)\n' "$name" "$port"
    else
      printf 'services: MISSING %-10s 127.0.0.1:%s is not accepting connections (%s)\n' \
        "$name" "$port" "$hint" >&2
      missing=1
    fi
  done <<'EOF'
NATS 4222 start nats-server -a 127.0.0.1 -p 4222
RabbitMQ 5672 start rabbitmq-server (guest/guest, vhost /)
MariaDB 3306 start mariadb; root with empty password, database test
PostgreSQL 5432 start postgresql; trust auth, database test
EOF
  return "$missing"
}

# nginx (the example load balancer in deploy/nginx, exercised by apps/server/test/cluster/nginx.test.ts)
# is installed from Debian when it is missing; the tests run their own nginx with their own config.
ensure_nginx() {
  command -v nginx >/dev/null && return 0
  echo "services: installing nginx (apt-get install -y nginx)"
  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y nginx
}

case "${1:-status}" in
  start)
    mkdir -p "$STATE_DIR"
    ensure_nginx
    bash scripts/redis-cluster.sh start
    check_machine_services || {
      echo "services: ERROR: required services are missing (see above); integration tests will fail" >&2
      exit 1
    }
    ;;
  stop)
    bash scripts/redis-cluster.sh stop
    ;;
  status)
    status=0
    bash scripts/redis-cluster.sh status || status=1
    check_machine_services || status=1
    exit "$status"
    ;;
  *)
    echo "usage: $0 start|stop|status" >&2
    exit 2
    ;;
esac
