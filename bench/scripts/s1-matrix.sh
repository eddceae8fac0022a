#!/usr/bin/env bash
# Runs S1 (scale) for every nodes × driver × routing (× placement), ROUNDS times, one JSON result per run
# in bench/results/s1-<timestamp>/, then prints that folder. Rounds are the outer loop, so a busy spell of
# the shared machine hits every configuration alike; a failed run is reported and the matrix goes on.
#   ROUNDS=3 bash bench/scripts/s1-matrix.sh
#   NODES="1 4" DRIVERS=redis ROUTINGS=interest DURATION=10 ROUNDS=1 bash bench/scripts/s1-matrix.sh
#   EXTRA="--sharded-pubsub false" DRIVERS=redis_cluster bash bench/scripts/s1-matrix.sh
#   RUNS="1@2000 1@500 1@250 4@2000 8@2000" bash bench/scripts/s1-matrix.sh   # nodes@events-per-second
# RUNS replaces NODES × RATE with the listed pairs: 1 node at 2000/N events/s carries what each of N
# nodes carries at 2000, so s1-summarize.mjs can compare a cluster with one node at the same total rate
# and at the same rate per node (a node's CPU per event grows as its event rate falls).
# Summarize with: node bench/scripts/s1-summarize.mjs <folder>
# Each run starts (and stops) its own nodes under a prefix of its own, and by default (BROKER=private) its
# own redis-server, Redis Cluster or nats-server; RabbitMQ 5672 must be up (and, with BROKER=shared, Redis
# 6379, the Redis Cluster 7000-7005 of `bash scripts/services.sh start` and NATS 4222).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS="${ROUNDS:-3}"
NODES="${NODES:-1 4 8}"
DRIVERS="${DRIVERS:-redis redis_cluster nats rabbitmq}"
ROUTINGS="${ROUTINGS:-interest broadcast}"
PLACEMENTS="${PLACEMENTS:-spread}" # add "local" to see what idle nodes cost
DURATION="${DURATION:-20}"
WARMUP="${WARMUP:-5}"
RATE="${RATE:-2000}"
CHANNELS="${CHANNELS:-2000}"
RUNS="${RUNS:-}"
if [ -z "$RUNS" ]; then for n in $NODES; do RUNS="$RUNS $n@$RATE"; done; fi
# private: each run starts a broker of its own (redis, redis_cluster, nats), so the broker counters hold
# that run's traffic only; shared: the machine's brokers. RabbitMQ always uses the machine's.
BROKER="${BROKER:-private}"
EXTRA="${EXTRA:-}" # more s1 options for every run, e.g. "--batch 10" or "--node-args '--cpu-prof'"
OUT="bench/results/s1-$(date +%Y%m%d-%H%M%S)"

# EXTRA is split as the shell would split it, so quoted parts (a --node-args value) stay whole.
eval "extra=($EXTRA)"

[ -f apps/server/dist/bin.js ] && [ -f bench/dist/cli.js ] || { echo "build first: pnpm build" >&2; exit 1; }
mkdir -p "$OUT"

runs=0 failed=0 started=$(date +%s)
for round in $(seq "$ROUNDS"); do
  for driver in $DRIVERS; do
    for routing in $ROUTINGS; do
      for placement in $PLACEMENTS; do
        for run in $RUNS; do
          nodes=${run%@*} rate=${run#*@}
          name="s1-$driver-$routing-$placement-$nodes-$rate-$round"
          echo "== round $round: $driver $routing $placement, $nodes nodes, $rate events/s ($(($(date +%s) - started)) s)" >&2
          runs=$((runs + 1))
          broker=$BROKER
          [ "$driver" = rabbitmq ] && broker=shared
          code=0
          node bench/dist/cli.js s1 --broker "$broker" --nodes "$nodes" --driver "$driver" --routing "$routing" \
            --placement "$placement" --duration "$DURATION" --warmup "$WARMUP" --rate "$rate" \
            --channels "$CHANNELS" --label "$name" --json "$OUT/$name.json" "${extra[@]}" \
            >"$OUT/$name.out" 2>"$OUT/$name.log" || code=$?
          if [ "$code" -ne 0 ]; then
            # Exit 3 (lost or duplicated deliveries) still wrote its JSON; s1-summarize.mjs counts them.
            failed=$((failed + 1))
            echo "run failed (exit $code): $name; see $OUT/$name.log" >&2
            tail -3 "$OUT/$name.log" >&2 || true
          fi
        done
      done
    done
  done
done
echo "$runs runs, $failed failed, in $(($(date +%s) - started)) s" >&2
echo "$OUT"
