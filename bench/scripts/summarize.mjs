#!/usr/bin/env node
// Prints the median of each scenario's key figure per label from a compare.sh results folder, the ratio
// ours/soketi and the target of shared/PERFORMANCE.md, and the spread (min–max) of each side's runs:
//   node bench/scripts/summarize.mjs bench/results/<run> [our label: ours | ours-lean | ours-ws]
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const [dir, OURS = 'ours'] = process.argv.slice(2);
if (!dir) throw new Error('usage: summarize.mjs <results folder>');

// figure → scenario, how to read it, the target on ours/soketi (or on ours/our F1 for H1)
const figures = [
  { name: 'F1 deliveries/s', scenario: 'F1', get: (f) => f.deliveriesPerSecond, target: ['>=', 2] },
  {
    name: 'F1 server CPU-s per 1M deliveries',
    scenario: 'F1',
    get: (f) => f.serverCpuSecondsPerMillionDeliveries,
  },
  { name: 'F2 p50 latency (ms)', scenario: 'F2', get: (f) => f.latency?.p50Ms },
  { name: 'F2 p99 latency (ms)', scenario: 'F2', get: (f) => f.latency?.p99Ms, target: ['<=', 0.25] },
  { name: 'C1 connections/s', scenario: 'C1', get: (f) => f.connectionsPerSecond, target: ['>=', 3] },
  {
    name: 'M1 bytes per idle connection',
    scenario: 'M1',
    get: (f) => f.serverRssBytesPerConnection,
    target: ['<=', 0.6],
  },
  { name: 'H1 deliveries/s (2 nodes)', scenario: 'H1', get: (f) => f.deliveriesPerSecond },
  { name: 'H1 p99 latency (ms)', scenario: 'H1', get: (f) => f.latency?.p99Ms },
  { name: 'P1 joins+leaves/s', scenario: 'P1', get: (f) => f.joinsAndLeavesPerSecond },
  { name: 'P1 join p99 (ms)', scenario: 'P1', get: (f) => f.join?.p99Ms },
];

const runs = readdirSync(dir)
  .filter((name) => name.endsWith('.json') && !name.startsWith('ours-h1'))
  .map((name) => ({ name, ...JSON.parse(readFileSync(join(dir, name), 'utf8')) }));
const median = (values) => {
  const sorted = values.filter((v) => typeof v === 'number').sort((a, b) => a - b);
  if (sorted.length === 0) return undefined;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
// A run whose deliveries or member events were wrong has no valid figures.
const invalid = (r) =>
  typeof r.figures.memberEventProblem === 'string' ||
  (typeof r.figures.deliveriesExpected === 'number' &&
    r.figures.deliveriesExpected !== r.figures.deliveriesReceived);
const valuesOf = (scenario, label, get) =>
  runs.filter((r) => r.scenario === scenario && r.label === label && !invalid(r)).map((r) => get(r.figures));
const fmt = (v) => (v === undefined ? '–' : Number(v.toPrecision(4)).toLocaleString('en'));
const check = (ratio, target) => {
  if (!target || ratio === undefined)
    return target ? `${target[0].replace('>=', '≥').replace('<=', '≤')} ${target[1]}` : '';
  const ok = target[0] === '>=' ? ratio >= target[1] : ratio <= target[1];
  return `${target[0].replace('>=', '≥').replace('<=', '≤')} ${target[1]} ${ok ? '✔' : '✘'}`;
};

const spread = (values) => {
  const sorted = values.filter((v) => typeof v === 'number').sort((a, b) => a - b);
  return sorted.length < 2 ? '' : `${fmt(sorted[0])}–${fmt(sorted.at(-1))}`;
};

console.log(
  `| figure | ${OURS} | soketi | ${OURS}/soketi | target | spread ${OURS} | spread soketi | runs |`,
);
console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
for (const { name, scenario, get, target } of figures) {
  const oursValues = valuesOf(scenario, OURS, get);
  const soketiValues = valuesOf(scenario, 'soketi', get);
  const ours = median(oursValues);
  const soketi = median(soketiValues);
  if (ours === undefined && soketi === undefined) continue;
  const ratio = ours !== undefined && soketi ? ours / soketi : undefined;
  console.log(
    `| ${name} | ${fmt(ours)} | ${fmt(soketi)} | ${ratio === undefined ? '–' : ratio.toFixed(2)} | ${check(ratio, target)} | ${spread(oursValues)} | ${spread(soketiValues)} | ${oursValues.length}/${soketiValues.length} |`,
  );
}

// H1's target is against our own single-node F1 of the same sitting.
const h1 = median(valuesOf('H1', OURS, (f) => f.deliveriesPerSecond));
const f1 = median(valuesOf('F1', OURS, (f) => f.deliveriesPerSecond));
if (h1 !== undefined && f1 !== undefined) {
  const ratio = h1 / f1;
  console.log(
    `\nH1 ours ÷ F1 ours (deliveries/s): ${ratio.toFixed(2)} (target ≥ 0.7 ${ratio >= 0.7 ? '✔' : '✘'})`,
  );
}
const h1s = median(valuesOf('H1', 'soketi', (f) => f.deliveriesPerSecond));
const f1s = median(valuesOf('F1', 'soketi', (f) => f.deliveriesPerSecond));
if (h1s !== undefined && f1s !== undefined) console.log(`H1 soketi ÷ F1 soketi: ${(h1s / f1s).toFixed(2)}`);

const bad = runs.filter(invalid);
for (const r of bad) {
  const why =
    r.figures.memberEventProblem ??
    `${r.figures.deliveriesExpected - r.figures.deliveriesReceived} deliveries lost`;
  console.log(`invalid run (left out): ${r.name}: ${why}`);
}
const scenarios = [...new Set(runs.map((r) => r.scenario))];
const rounds = new Set(runs.map((r) => r.name.split('-').pop()));
for (const scenario of scenarios) {
  for (const label of [OURS, 'soketi']) {
    const n = runs.filter((r) => r.scenario === scenario && r.label === label).length;
    if (n < rounds.size)
      console.log(
        `missing: ${rounds.size - n} of ${rounds.size} ${scenario} runs of ${label} (failed, see the logs)`,
      );
  }
}
