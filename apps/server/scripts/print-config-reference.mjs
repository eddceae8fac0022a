#!/usr/bin/env node
// Prints docs/configuration.md, generated from src/config/config-schema.ts; `--write` rewrites the file in place.
// Build first: pnpm -w build (or npx tsc -b apps/server), then
//   node apps/server/scripts/print-config-reference.mjs [--write]

import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CONFIG_REFERENCE_PATH, renderConfigurationDoc } from '../dist/config/config-reference.js';

const args = process.argv.slice(2);
const unknown = args.filter((arg) => arg !== '--write');
if (unknown.length > 0) {
  process.stderr.write(
    `unknown argument: ${unknown.join(' ')}\nusage: print-config-reference.mjs [--write]\n`,
  );
  process.exit(2);
}

const text = renderConfigurationDoc();
if (args.includes('--write')) {
  const target = fileURLToPath(new URL(`../../../${CONFIG_REFERENCE_PATH}`, import.meta.url));
  writeFileSync(target, text);
  process.stdout.write(`wrote ${target}\n`);
} else {
  process.stdout.write(text);
}
