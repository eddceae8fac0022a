// Keeps src/README.md true: each folder imports only folders of a lower rank, spec/ holds types only,
// no file imports itself through others, and no file outgrows what a reader can hold.

import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const src = join(packageRoot, 'src');

/** The layering of src/README.md: a folder may import a folder of a lower rank only. */
const RANKS: Record<string, number> = {
  util: 0,
  wire: 0,
  apps: 1,
  websocket: 1,
  spec: 2,
  metrics: 3,
  memory: 3,
  delta: 3,
  adapter: 4,
  webhooks: 4,
  engine: 5,
  history: 5.5,
  channels: 6,
  session: 7,
  http: 7,
  '(top)': 8,
};

const MAX_LINES = 500;

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return tsFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

interface Import {
  target: string;
  typeOnly: boolean;
}

/** Relative imports and re-exports of a file, resolved to the .ts file they name. */
function importsOf(file: string): Import[] {
  const text = readFileSync(file, 'utf8');
  const statements = /^\s*(import|export)\s+(type\s+)?[^;]*?from\s+['"](\.{1,2}\/[^'"]+)['"]/gms;
  return [...text.matchAll(statements)].map((match) => ({
    target: resolve(dirname(file), match[3]!).replace(/\.js$/, '.ts'),
    typeOnly: match[2] !== undefined,
  }));
}

function folderOf(file: string): string {
  const parts = relative(src, file).split(sep);
  return parts.length === 1 ? '(top)' : parts[0]!;
}

const name = (file: string) => relative(packageRoot, file).split(sep).join('/');
const files = tsFiles(src);
const graph = new Map(files.map((file) => [file, importsOf(file)]));

describe('the layout of src/', () => {
  it('every folder has a rank in the layering', () => {
    const unranked = [...new Set(files.map(folderOf))].filter((folder) => !(folder in RANKS));
    expect(unranked, 'give the new folder a rank here and in src/README.md').toEqual([]);
  });

  it('a folder imports only folders of a lower rank', () => {
    const upward: string[] = [];
    for (const [file, imports] of graph) {
      const from = folderOf(file);
      for (const { target } of imports) {
        const to = folderOf(target);
        if (to !== from && !(RANKS[to]! < RANKS[from]!)) upward.push(`${name(file)} → ${name(target)}`);
      }
    }
    expect(upward).toEqual([]);
  });

  it('spec/ is types only', () => {
    const values: string[] = [];
    for (const [file, imports] of graph) {
      if (folderOf(file) !== 'spec') continue;
      for (const { target, typeOnly } of imports)
        if (!typeOnly) values.push(`${name(file)} → ${name(target)}`);
    }
    expect(values).toEqual([]);
  });

  it('no import cycles', () => {
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const path: string[] = [];
    const visit = (file: string) => {
      state.set(file, 'open');
      path.push(file);
      for (const { target } of graph.get(file) ?? []) {
        if (state.get(target) === 'open') {
          cycles.push([...path.slice(path.indexOf(target)), target].map(name).join(' → '));
        } else if (!state.has(target)) {
          visit(target);
        }
      }
      path.pop();
      state.set(file, 'done');
    };
    for (const file of files) if (!state.has(file)) visit(file);
    expect(cycles).toEqual([]);
  });

  it(`no file over ${MAX_LINES} lines, source or test`, () => {
    const all = [...files, ...tsFiles(join(packageRoot, 'test'))];
    const long = all
      .map((file) => ({ file: name(file), lines: readFileSync(file, 'utf8').split('\n').length - 1 }))
      .filter(({ lines }) => lines > MAX_LINES);
    expect(long).toEqual([]);
  });
});
