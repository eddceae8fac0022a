#!/usr/bin/env -S node --max-semi-space-size=4
// The `sockudo` executable. The 4 MB semi-space cap keeps V8's young generation from growing to 3 x 16 MB
// during a connection burst (M1: ~8.3 -> ~6.2 KB RSS per idle connection; F1 unchanged since fan-outs are
// framed once, see docs/benchmarks.md). `node dist/bin.js` skips this line: pass the flag yourself there.

import { runCli } from './cli/cli.js';

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
