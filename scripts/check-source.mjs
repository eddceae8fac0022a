#!/usr/bin/env node
// The repository's two structural rules, checked over every hand-written .ts file under packages/, apps/,
// bench/, tools/ and examples/: no import cycle among relative imports (`import type` counts: a type
// cycle is still two files that cannot be read apart), and no file over 500 lines. Run by `pnpm test`.
//
//   node scripts/check-source.mjs [--root DIR]
//
// Exits 0 when both hold; otherwise prints each cycle as a chain of paths and each long file, and exits 1.
// Imports are read with TypeScript's own pre-processor (already the repository's compiler), so comments
// and strings that look like imports are not taken for them.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const ts = require('typescript');

const FOLDERS = ['packages', 'apps', 'bench', 'tools', 'examples'];
const SKIPPED = new Set(['node_modules', 'dist']);
const SOURCE = /\.(ts|mts|cts|tsx)$/;
const MAX_LINES = 500;

function parseArguments(argv) {
  let root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  for (let index = 0; index < argv.length; index++) {
    const argument = argv[index];
    if (argument === '--root' && argv[index + 1] !== undefined) root = resolve(argv[++index]);
    else if (argument.startsWith('--root=')) root = resolve(argument.slice('--root='.length));
    else {
      process.stderr.write(
        `check-source: unknown argument ${argument}\nusage: check-source.mjs [--root DIR]\n`,
      );
      process.exit(2);
    }
  }
  return root;
}

function sourceFiles(dir) {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((entry) => {
    if (entry.name.startsWith('.') || SKIPPED.has(entry.name)) return [];
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.isFile() && SOURCE.test(entry.name) && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

function isFile(path) {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** The .ts file a relative specifier names: `./x.js` → `./x.ts`, `./x` → `./x.ts`, `./dir` → `./dir/index.ts`. */
function resolveSpecifier(from, specifier) {
  const base = resolve(dirname(from), specifier);
  const stem = base.replace(/\.(js|mjs|cjs|jsx|ts|mts|cts|tsx)$/, '');
  const candidates = [
    base,
    ...['.ts', '.tsx', '.mts', '.cts'].map((extension) => stem + extension),
    ...['index.ts', 'index.tsx'].map((index) => join(base, index)),
    ...['index.ts', 'index.tsx'].map((index) => join(stem, index)),
  ];
  return candidates.find((candidate) => SOURCE.test(candidate) && isFile(candidate));
}

/** Relative imports, re-exports, `import type`, side-effect and dynamic imports of one file. */
function importsOf(file, text) {
  const { importedFiles } = ts.preProcessFile(text, true, true);
  const targets = new Set();
  for (const { fileName } of importedFiles) {
    if (!fileName.startsWith('./') && !fileName.startsWith('../')) continue;
    const target = resolveSpecifier(file, fileName);
    if (target !== undefined) targets.add(target);
  }
  return [...targets].sort();
}

function lineCount(text) {
  if (text === '') return 0;
  const newlines = text.split('\n').length - 1;
  return text.endsWith('\n') ? newlines : newlines + 1;
}

/** One cycle per edge that closes a loop in a depth-first walk: each is a chain that starts and ends at one file. */
function findCycles(graph) {
  const state = new Map();
  const path = [];
  const cycles = [];
  const visit = (file) => {
    state.set(file, 'open');
    path.push(file);
    for (const target of graph.get(file) ?? []) {
      if (state.get(target) === 'open') cycles.push([...path.slice(path.indexOf(target)), target]);
      else if (!state.has(target)) visit(target);
    }
    path.pop();
    state.set(file, 'done');
  };
  for (const file of [...graph.keys()].sort()) if (!state.has(file)) visit(file);
  return cycles;
}

const root = parseArguments(process.argv.slice(2));
const name = (file) => relative(root, file).split(sep).join('/');
const files = FOLDERS.flatMap((folder) => sourceFiles(join(root, folder))).sort();
const graph = new Map();
const long = [];
for (const file of files) {
  const text = readFileSync(file, 'utf8');
  graph.set(file, importsOf(file, text));
  const lines = lineCount(text);
  if (lines > MAX_LINES) long.push(`${name(file)}: ${lines} lines`);
}
const cycles = findCycles(graph).map((cycle) => cycle.map(name).join(' → '));

for (const cycle of cycles) process.stdout.write(`import cycle: ${cycle}\n`);
for (const file of long) process.stdout.write(`over ${MAX_LINES} lines: ${file}\n`);
if (cycles.length > 0 || long.length > 0) {
  process.stdout.write(
    `check-source: ${cycles.length} import cycle(s), ${long.length} file(s) over ${MAX_LINES} lines in ${files.length} files\n`,
  );
  process.exit(1);
}
process.stdout.write(`check-source: ${files.length} files, no import cycle, none over ${MAX_LINES} lines\n`);
