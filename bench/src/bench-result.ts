// The JSON result file: enough to compare two runs later without the terminal output.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { MachineInfo } from './machine-info.js';
import type { BenchOptions, Scenario } from './options.js';
import type { S1Options } from './s1-options.js';

/** One measured value: a number, a note, null where a figure cannot be had, or a group of them. */
export type FigureValue = number | string | null | FigureValue[] | { [name: string]: FigureValue };

/** One scenario's measured numbers; keys carry their unit. */
export type Figures = Record<string, FigureValue>;

/** What `--json` writes. */
export interface BenchResult {
  tool: '@sockudo/bench';
  scenario: Scenario | 'S1';
  label: string | undefined;
  /** ISO time the run started. */
  startedAt: string;
  /** The options used, with the secret removed. */
  options: Omit<BenchOptions, 'secret'> | S1Options;
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
