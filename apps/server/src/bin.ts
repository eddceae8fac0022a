#!/usr/bin/env node
// The `sockudo` executable.

import { runCli } from './cli.js';

runCli(process.argv).then(
  (code) => {
    if (code === undefined) return; // `start` is listening; the shutdown handlers end the process.
    // A failed start may leave handles open; other commands end on their own once output is flushed.
    if (code !== 0) process.exit(code);
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(
      `sockudo: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
