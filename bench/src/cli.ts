#!/usr/bin/env node
// sockudo-bench: runs one PERFORMANCE.md scenario against a Pusher-compatible server on this machine,
// prints the figures and optionally writes them as JSON.
import { fileURLToPath } from 'node:url';
import { BenchError, describeError } from './bench-error.js';
import { type Figures, publicOptions, writeBenchResult } from './bench-result.js';
import { poolDeadlineMs } from './client-pool.js';
import { runConnectRate } from './connect-rate-scenario.js';
import { runDeltaCompression } from './delta-scenario.js';
import { runFanOut } from './fan-out-scenario.js';
import { runIdleMemory } from './idle-memory-scenario.js';
import { readMachineInfo } from './machine-info.js';
import { type BenchOptions, parseBenchOptions, USAGE } from './options.js';
import { runPresenceChurn } from './presence-churn-scenario.js';
import { isS1Invocation, parseS1Options, S1_USAGE } from './s1-options.js';
import { runS1, s1TimeLimitMs } from './s1-scenario.js';

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  if (isS1Invocation(argv)) return mainS1(argv);
  const options = parseBenchOptions(argv);
  if (options === undefined) {
    process.stdout.write(USAGE);
    return 0;
  }
  const startedAt = new Date().toISOString();
  const machine = readMachineInfo();
  armWatchdog(options);

  const figures = await runScenario(options);
  process.stdout.write(
    `${JSON.stringify({ scenario: options.scenario, label: options.label, figures }, null, 2)}\n`,
  );
  if (options.json !== undefined) {
    writeBenchResult(options.json, {
      tool: '@sockudo/bench',
      scenario: options.scenario,
      label: options.label,
      startedAt,
      options: publicOptions(options),
      machine,
      figures,
    });
    process.stderr.write(`result written to ${options.json}\n`);
  }
  const problem = deliveryProblem(figures);
  if (problem === undefined) return 0;
  process.stderr.write(`sockudo-bench: ${problem}\n`);
  return 3;
}

// S1 starts its own nodes, so it has its own options; the output and exit codes are the same.
async function mainS1(argv: string[]): Promise<number> {
  const serverBin = fileURLToPath(new URL('../../apps/server/dist/bin.js', import.meta.url));
  const options = parseS1Options(argv, serverBin);
  if (options === undefined) {
    process.stdout.write(S1_USAGE);
    return 0;
  }
  const startedAt = new Date().toISOString();
  const machine = readMachineInfo();
  const limitMs = s1TimeLimitMs(options);
  setTimeout(() => {
    process.stderr.write(`sockudo-bench: gave up after ${Math.round(limitMs / 1000)} s\n`);
    process.exit(2);
  }, limitMs).unref();

  const { figures, problem } = await runS1(options);
  process.stdout.write(`${JSON.stringify({ scenario: 'S1', label: options.label, figures }, null, 2)}\n`);
  if (options.json !== undefined) {
    const result = { tool: '@sockudo/bench', scenario: 'S1', label: options.label, startedAt } as const;
    writeBenchResult(options.json, { ...result, options, machine, figures });
    process.stderr.write(`result written to ${options.json}\n`);
  }
  if (problem === undefined) return 0;
  process.stderr.write(`sockudo-bench: ${problem} (figures above are not valid)\n`);
  return 3;
}

// Lost or duplicated events make the throughput figure meaningless, so a script must not take it as a pass.
function deliveryProblem(figures: Figures): string | undefined {
  if (typeof figures.memberEventProblem === 'string') {
    return `presence member events wrong: ${figures.memberEventProblem} (figures above are not valid)`;
  }
  const { deliveriesExpected: expected, deliveriesReceived: received } = figures;
  if (typeof expected !== 'number' || typeof received !== 'number' || expected === received) return undefined;
  return received < expected
    ? `${expected - received} of ${expected} deliveries lost (figures above are not valid)`
    : `${received - expected} more deliveries than triggered × subscribed (duplicates?)`;
}

function runScenario(options: BenchOptions): Promise<Figures> {
  switch (options.scenario) {
    case 'F1':
    case 'F2':
    case 'H1':
      return runFanOut(options);
    case 'P1':
      return runPresenceChurn(options);
    case 'C1':
      return runConnectRate(options);
    case 'M1':
      return runIdleMemory(options);
    case 'D1':
      return runDeltaCompression(options);
  }
}

// Every phase has its own limit; this backstop ends the process even if one of them is missed.
function armWatchdog(options: BenchOptions): void {
  const limitMs =
    poolDeadlineMs(options.clients, options.connectTimeout * 1000) +
    options.duration * 1000 +
    (options.scenario === 'P1' ? 180_000 : 120_000);
  setTimeout(() => {
    process.stderr.write(`sockudo-bench: gave up after ${Math.round(limitMs / 1000)} s\n`);
    process.exit(2);
  }, limitMs).unref();
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    const message =
      error instanceof BenchError ? error.message : ((error as Error)?.stack ?? describeError(error));
    process.stderr.write(`sockudo-bench: ${message}\n`);
    process.exit(1);
  },
);
