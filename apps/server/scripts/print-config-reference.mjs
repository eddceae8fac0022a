#!/usr/bin/env node
// Prints the configuration reference (Markdown) generated from src/config-schema.ts.
// Build first: npx tsc -b apps/server && node apps/server/scripts/print-config-reference.mjs

import { renderConfigReference } from '../dist/config-reference.js';

process.stdout.write(renderConfigReference());
