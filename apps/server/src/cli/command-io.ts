// What every command shares: where it writes, its exit codes, how it prints configuration errors and
// the resolved configuration, and where it looks for driver packages.

import { dirname, resolve } from 'node:path';
import { appToRecord } from '../config/app-records.js';
import type { ConfigIssue } from '../config/config-issue.js';
import type { ConfigCheck } from '../config/config-loader.js';
import { maskSecrets } from '../config/mask-secrets.js';
import type { ResolvedConfig } from '../config/resolved-config.js';

/** Exit codes of the `sockudo` command. */
export const EXIT_CODES = Object.freeze({
  /** Success; for `start`, a clean shutdown after SIGTERM/SIGINT. */
  ok: 0,
  /** Invalid configuration, or the server could not start or stop cleanly. */
  failure: 1,
  /** Unknown command or option, or a missing option argument. */
  usage: 2,
});

/** Where the CLI reads and writes; tests replace it. */
export interface CliIo {
  stdout: { write(chunk: string): unknown; isTTY?: boolean };
  stderr: { write(chunk: string): unknown };
  env: Record<string, string | undefined>;
  cwd: string;
}

/** Every configuration error, one per line, under `Invalid configuration (N errors):`. */
export function formatIssues(issues: readonly ConfigIssue[]): string {
  const count = issues.length === 1 ? '1 error' : `${issues.length} errors`;
  return `Invalid configuration (${count}):\n${issues.map((issue) => `  - ${issue.message}\n`).join('')}`;
}

/** The loader's warnings on stderr, each as `warning: ...`. */
export function printWarnings(result: ConfigCheck, io: CliIo): void {
  for (const warning of result.warnings) io.stderr.write(`warning: ${warning}\n`);
}

/** The resolved configuration as `config check` prints it: apps as config.json records, secrets masked. */
export function printableConfig(config: ResolvedConfig): Record<string, unknown> {
  const copy = {
    ...config,
    app_manager: { ...config.app_manager, array: { apps: config.app_manager.array.apps.map(appToRecord) } },
  };
  return maskSecrets(copy);
}

/** Where driver packages are looked for: next to the config file, then the working directory. */
export function packageSearch(result: ConfigCheck, io: CliIo): string[] {
  const configDirectory = result.file !== undefined ? dirname(resolve(io.cwd, result.file)) : undefined;
  return configDirectory !== undefined ? [configDirectory, io.cwd] : [io.cwd];
}
