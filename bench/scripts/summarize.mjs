#!/usr/bin/env node
// Prints the median of each scenario's key figure per label from a compare.sh results folder, and the
// ratio ours/soketi:  node bench/scripts/summarize.mjs bench/results/<run>
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2];
if (!dir) throw new Error('usage: summarize.mjs <results folder>');
const pick = {
  F1: (f) => f.deliveriesPerSecond,
  F1cpu: (f) => f.serverCpuSecondsPerMillionDeliveries,
  F2p50: (f) => f.latency?.p50Ms,
  F2p99: (f) => f.latency?.p99Ms,
  C1: (f) => f.connectionsPerSecond,
  M1: (f) => f.serverRssBytesPerConnection,
};
const scenarioOf = { F1: 'F1', F1cpu: 'F1', F2p50: 'F2', F2p99: 'F2', C1: 'C1', M1: 'M1' };
const runs = readdirSync(dir)
  .filter((name) => name.endsWith('.json'))
  .map((name) => JSON.parse(readFileSync(join(dir, name), 'utf8')));
const median = (values) => {
  const sorted = values.filter((v) => typeof v === 'number').sort((a, b) => a - b);
  if (sorted.length === 0) return undefined;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
console.log('| figure | ours | soketi | ours/soketi | runs |');
console.log('| --- | --- | --- | --- | --- |');
for (const [figure, get] of Object.entries(pick)) {
  const of = (label) =>
    runs.filter((r) => r.scenario === scenarioOf[figure] && r.label === label).map((r) => get(r.figures));
  const ours = median(of('ours'));
  const soketi = median(of('soketi'));
  if (ours === undefined && soketi === undefined) continue;
  const fmt = (v) => (v === undefined ? '–' : Number(v.toPrecision(4)).toLocaleString('en'));
  const ratio = ours !== undefined && soketi ? (ours / soketi).toFixed(2) : '–';
  console.log(
    `| ${figure} | ${fmt(ours)} | ${fmt(soketi)} | ${ratio} | ${of('ours').length}/${of('soketi').length} |`,
  );
}
