// `sockudo config check`: the resolved configuration as JSON with secrets masked, or every error.

import { checkConfig } from '../config/config-loader.js';
import { type CliIo, EXIT_CODES, formatIssues, printableConfig, printWarnings } from './command-io.js';

/** Runs `sockudo config check`; resolves with the exit code. */
export function configCheckCommand(options: { config?: string }, io: CliIo): number {
  const result = checkConfig({ file: options.config, env: io.env, cwd: io.cwd });
  printWarnings(result, io);
  if (!result.config) {
    io.stderr.write(formatIssues(result.errors));
    return EXIT_CODES.failure;
  }
  io.stdout.write(`${JSON.stringify(printableConfig(result.config), null, 2)}\n`);
  return EXIT_CODES.ok;
}
