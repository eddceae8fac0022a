// The JSON result file: enough to compare two runs later without the terminal output.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { MachineInfo } from './machine-info.js';
import type { BenchOptions, Scenario } from './options.js';

/** One scenario's measured numbers; keys carry their unit. */
export type Figures = Record<string, number | string | Record<string, number>>;

/** What `--json` writes. */
export interface BenchResult {
  tool: '@sockudo/bench';
  scenario: Scenario;
  label: string | undefined;
  /** ISO time the run started. */
  startedAt: string;
  /** The options used, with the secret removed. */
  options: Omit<BenchOptions, 'secret'>;
  machine: MachineInfo;
  figures: Figures;
}

/** Writes `result` as pretty JSON, creating the folder if needed. */
export function writeBenchResult(path: string, result: BenchResult): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(result, null, 2)}\n`);
}

/** The options as they may be stored: results get shared, the app secret must not. */
export function publicOptions(options: BenchOptions): Omit<BenchOptions, 'secret'> {
  const { secret: _secret, ...rest } = options;
  return rest;
}
