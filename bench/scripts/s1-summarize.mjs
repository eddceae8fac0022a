#!/usr/bin/env node
// Prints the medians of an s1-matrix.sh results folder as a markdown table: per driver, routing, placement,
// node count and event rate, the cluster CPU per delivery and its ratio to the same configuration on 1 node
// at the same total rate and, when that was run, at the same rate per node (RUNS="1@500 4@2000": a node's
// CPU per event grows as its own event rate falls, so the second ratio is what the cluster itself adds;
// PERFORMANCE.md's S1 targets: ≤ 1.3 at 4 nodes, ≤ 1.5 at 8), broker bytes per delivery, the busiest Redis
// master's share of publishes (target ≤ 0.5), and the lost and duplicated deliveries of all its runs.
//   node bench/scripts/s1-summarize.mjs bench/results/s1-<timestamp>
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** PERFORMANCE.md: cluster CPU per delivery at N nodes ÷ at 1 node. */
export const RATIO_TARGETS = { 4: 1.3, 8: 1.5 };
/** PERFORMANCE.md: the busiest of the Redis Cluster masters carries at most this share of publishes. */
export const BUSIEST_TARGET = 0.5;

/** Every S1 result in `dir` (other JSON files are skipped). */
export function loadRuns(dir) {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .map((name) => ({ name, ...JSON.parse(readFileSync(join(dir, name), 'utf8')) }))
    .filter((run) => run.scenario === 'S1' && run.figures !== undefined);
}

/** The median of the numbers among `values`; undefined when there are none. */
export function median(values) {
  const sorted = values.filter((v) => typeof v === 'number' && Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return undefined;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

// redis_cluster over classic pub/sub is another configuration than over sharded pub/sub.
function driverOf(options) {
  return options.driver === 'redis_cluster' && options.shardedPubsub === false
    ? 'redis_cluster (classic)'
    : options.driver;
}

const lostOf = (run) => (run.figures.lost ?? 0) + (run.figures.misrouted ?? 0) + (run.figures.unknown ?? 0);

/**
 * One row per driver × routing × placement × nodes, sorted in that order (nodes numerically). A run that
 * lost or duplicated deliveries is counted in `lost`/`dup` and left out of the medians.
 */
export function summarize(runs) {
  const groups = new Map();
  for (const run of runs) {
    const o = run.options;
    const key = [driverOf(o), o.routing, o.placement ?? 'spread', o.nodes, o.rate].join('|');
    if (!groups.has(key)) {
      groups.set(key, {
        driver: driverOf(o),
        routing: o.routing,
        placement: o.placement ?? 'spread',
        nodes: o.nodes,
        rate: o.rate,
        runs: [],
      });
    }
    groups.get(key).runs.push(run);
  }
  const rows = [...groups.values()].map((group) => {
    const valid = group.runs.filter((run) => lostOf(run) === 0 && (run.figures.duplicated ?? 0) === 0);
    const of = (get) => median(valid.map((run) => get(run.figures)));
    const cpu = valid
      .map((run) => run.figures.clusterCpuMicrosecondsPerDelivery)
      .filter((v) => typeof v === 'number');
    return {
      driver: group.driver,
      routing: group.routing,
      placement: group.placement,
      nodes: group.nodes,
      rate: group.rate,
      cpuMicrosecondsPerDelivery: median(cpu),
      cpuSpread: cpu.length < 2 ? undefined : [Math.min(...cpu), Math.max(...cpu)],
      brokerBytesPerDelivery: of((f) => f.brokerBytesPerDelivery),
      busiestShardShare: group.driver.startsWith('redis_cluster')
        ? of((f) => f.busiestShardShare)
        : undefined,
      p99Ms: of((f) => f.latency?.p99Ms),
      eventsPerSecond: of((f) => f.eventsPerSecond),
      lost: group.runs.reduce((sum, run) => sum + lostOf(run), 0),
      duplicated: group.runs.reduce((sum, run) => sum + (run.figures.duplicated ?? 0), 0),
      runs: group.runs.length,
      validRuns: valid.length,
    };
  });
  const ratioTo = (row, rate) => {
    const single = rows.find(
      (other) =>
        other.driver === row.driver &&
        other.routing === row.routing &&
        other.placement === row.placement &&
        other.nodes === 1 &&
        other.rate === rate,
    );
    return single?.cpuMicrosecondsPerDelivery && row.cpuMicrosecondsPerDelivery !== undefined
      ? row.cpuMicrosecondsPerDelivery / single.cpuMicrosecondsPerDelivery
      : undefined;
  };
  for (const row of rows) {
    row.ratioTo1Node = ratioTo(row, row.rate);
    row.ratioTo1NodeSameLoad = row.nodes === 1 ? undefined : ratioTo(row, row.rate / row.nodes);
  }
  const compare = (a, b) =>
    a.driver.localeCompare(b.driver) ||
    a.routing.localeCompare(b.routing) ||
    a.placement.localeCompare(b.placement) ||
    a.nodes - b.nodes ||
    a.rate - b.rate;
  return rows.sort(compare);
}

const fmt = (v, digits = 4) =>
  v === undefined || v === null ? '–' : Number(v.toPrecision(digits)).toLocaleString('en');

function ratioCell(row, ratio) {
  if (ratio === undefined || row.nodes === 1) return '–';
  const target = RATIO_TARGETS[row.nodes];
  const text = ratio.toFixed(2);
  return target === undefined ? text : `${text} ${ratio <= target ? '✔' : '✘'} (≤ ${target})`;
}

function busiestCell(row) {
  if (row.busiestShardShare === undefined) return '–';
  return `${row.busiestShardShare.toFixed(2)} ${row.busiestShardShare <= BUSIEST_TARGET ? '✔' : '✘'}`;
}

/** The rows as a markdown table. */
export function markdown(rows) {
  const lines = [
    '| driver | routing | placement | nodes | events/s asked | µs CPU/delivery | spread | ÷ 1 node, same events/s | ÷ 1 node, same events/s per node | broker B/delivery | busiest master | p99 ms | events/s | lost | dup | runs |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const row of rows) {
    const spread = row.cpuSpread === undefined ? '' : `${fmt(row.cpuSpread[0])}–${fmt(row.cpuSpread[1])}`;
    const runs = row.validRuns === row.runs ? `${row.runs}` : `${row.validRuns}/${row.runs} valid`;
    lines.push(
      `| ${row.driver} | ${row.routing} | ${row.placement} | ${row.nodes} | ${fmt(row.rate)} | ${fmt(row.cpuMicrosecondsPerDelivery)} | ${spread} | ${ratioCell(row, row.ratioTo1Node)} | ${ratioCell(row, row.ratioTo1NodeSameLoad)} | ${fmt(row.brokerBytesPerDelivery)} | ${busiestCell(row)} | ${fmt(row.p99Ms)} | ${fmt(row.eventsPerSecond)} | ${row.lost} | ${row.duplicated} | ${runs} |`,
    );
  }
  return lines.join('\n');
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [dir] = process.argv.slice(2);
  if (!dir) {
    process.stderr.write('usage: s1-summarize.mjs <results folder of s1-matrix.sh>\n');
    process.exit(2);
  }
  const runs = loadRuns(dir);
  if (runs.length === 0) {
    process.stderr.write(`no S1 results in ${dir}\n`);
    process.exit(1);
  }
  console.log(markdown(summarize(runs)));
  const first = runs[0];
  console.log(
    `\n${runs.length} runs; events to ${first.options.channels} channels, ${first.options.duration} s measured; machine: ${first.machine?.cpus ?? '?'} CPUs, Node ${first.machine?.node ?? '?'}`,
  );
  const loads = runs.map((run) => run.machine?.loadAverage1m).filter((v) => typeof v === 'number');
  if (loads.length > 0) {
    console.log(
      `1-minute load average at the runs' starts: ${fmt(Math.min(...loads), 3)}–${fmt(Math.max(...loads), 3)}`,
    );
  }
  const notes = new Set(
    runs.map((run) => run.figures.brokerBytesNote).filter((note) => typeof note === 'string'),
  );
  for (const note of notes) console.log(`broker bytes: ${note}`);
}
