#!/usr/bin/env bash
# Starts and health-checks the services the test suite needs that a machine may not already run.
# CI (.ci/run) and people use the same script:  bash scripts/services.sh start|stop|status
#
# Expected to be running already (the machine's own services): nothing yet for this release; the
# single-node engine needs no external service. Later releases add Redis, NATS, MariaDB, PostgreSQL
# checks, a six-node Redis Cluster on 127.0.0.1:7000-7005 and dynalite here.
set -euo pipefail
cd "$(dirname "$0")/.."
STATE_DIR="${SOCKUDO_SERVICES_DIR:-$PWD/.services}"

case "${1:-status}" in
  start)
    mkdir -p "$STATE_DIR"
    echo "services: nothing to start for the single-node suite"
    ;;
  stop)
    echo "services: nothing to stop"
    ;;
  status)
    echo "services: none required"
    ;;
  *)
    echo "usage: $0 start|stop|status" >&2
    exit 2
    ;;
esac
