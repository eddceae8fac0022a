#!/usr/bin/env bash
# A/B of two builds of @sockudo/core, alternating, a fresh node per run, in one sitting:
#   mkdir -p /tmp/core-A && cp -r packages/core/dist /tmp/core-A/ && ln -s "$PWD/packages/core/node_modules" /tmp/core-A/
#   (change and rebuild packages/core)
#   A=/tmp/core-A RUNS=3 bash bench/scripts/ab-core.sh F1 --duration 5
# FLAGS_A / FLAGS_B are node flags for each side (both default to --trace-gc, for the allocation column);
# B defaults to packages/core. Prints the scenario's key figures per run, plus MB allocated by the server.
set -euo pipefail
cd "$(dirname "$0")/../.."
scenario=$1
shift
A="${A:?set A to the core package dir of the baseline}" B="${B:-$PWD/packages/core}" RUNS="${RUNS:-3}"
PORT="${PORT:-6501}" LOGS=$(mktemp -d)
for run in $(seq "$RUNS"); do
  for side in A B; do
    if [ $side = A ]; then dir=$A flags=${FLAGS_A:---trace-gc}; else dir=$B flags=${FLAGS_B:---trace-gc}; fi
    extra=() pid_b=
    if [ "$scenario" = H1 ]; then
      # Two nodes joined by the redis adapter under a prefix of their own.
      export AB_REDIS_PREFIX="sockudo-ab-$$-$side-$run:"
      # shellcheck disable=SC2086
      node $flags bench/scripts/ab-serve.mjs "$dir" $((PORT + 1)) >"$LOGS/$side-$run-b.log" 2>&1 &
      pid_b=$!
      extra=(--port-b $((PORT + 1)) --server-pid-b $pid_b)
    fi
    # shellcheck disable=SC2086
    node $flags bench/scripts/ab-serve.mjs "$dir" "$PORT" >"$LOGS/$side-$run.log" 2>&1 &
    pid=$!
    unset AB_REDIS_PREFIX
    for port in $PORT ${pid_b:+$((PORT + 1))}; do
      for _ in $(seq 50); do curl -sf "127.0.0.1:$port/" >/dev/null && break; sleep 0.1; done
    done
    out=$(node bench/dist/cli.js --scenario "$scenario" --port "$PORT" --server-pid $pid "${extra[@]}" "$@" 2>/dev/null || true)
    figures=$(echo "$out" | grep -oE '"(deliveriesReceived|deliveriesPerSecond|serverCpuSecondsPerMillionDeliveries|p99Ms|connectionsPerSecond|serverCpuMicrosecondsPerConnection|generatorCpuMicrosecondsPerConnection|serverRssBytesPerConnection|joinsAndLeavesPerSecond|serverCpuSecondsPerThousandOperations)": [0-9.]*' | tr '\n' ' ')
    kill $pid $pid_b
    wait $pid $pid_b 2>/dev/null || true
    echo "$side $run $figures allocatedMB=$(node bench/scripts/gc-allocated.mjs "$LOGS/$side-$run.log")"
  done
done
