// The rules of src/README.md, checked: what each folder may import, no import cycles anywhere in src/
// or test/, no source or test file over 500 lines, and src/index.ts only re-exporting.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const PACKAGE = fileURLToPath(new URL('..', import.meta.url));
const MAX_LINES = 500;

/** The folders of src/ each folder may import from (its own included); `.` is bin.ts and index.ts. */
const ALLOWED: Record<string, readonly string[]> = {
  '.': ['.', 'cli', 'config', 'drivers', 'process'],
  cli: ['cli', 'config', 'drivers', 'process'],
  drivers: ['drivers', 'config'],
  process: ['process', 'config'],
  config: ['config'],
};

/** `.ts` files under `dir` (relative to apps/server), e.g. `src/config/config-loader.ts`. */
function tsFiles(dir: string): string[] {
  return readdirSync(join(PACKAGE, dir), { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.ts'))
    .map((name) => join(dir, name).replaceAll('\\', '/'));
}

const SOURCES = tsFiles('src');
const FILES = [...SOURCES, ...tsFiles('test')];
const text = new Map(FILES.map((file) => [file, readFileSync(join(PACKAGE, file), 'utf8')]));

/** The files `file` imports by a relative path (`./x.js` → `x.ts`), type-only imports included. */
function relativeImports(file: string): string[] {
  const found: string[] = [];
  for (const match of text.get(file)!.matchAll(/(?:\bfrom|\bimport)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)) {
    const target = join(dirname(file), match[1]!.replace(/\.js$/, '.ts')).replaceAll('\\', '/');
    if (existsSync(join(PACKAGE, target))) found.push(target);
  }
  return found;
}

/** `src/config/plan/plans.ts` → `config`; `src/bin.ts` → `.`. */
function folderOf(file: string): string {
  const parts = file.split('/');
  return parts.length > 2 ? parts[1]! : '.';
}

describe('src/ layout', () => {
  it.each(SOURCES)('%s imports only from the folders src/README.md allows', (file) => {
    const allowed = ALLOWED[folderOf(file)];
    expect(allowed, `src/README.md has no rule for ${folderOf(file)}/`).toBeDefined();
    const outside = relativeImports(file).filter((target) => !allowed!.includes(folderOf(target)));
    expect(outside).toEqual([]);
  });

  it('keeps config/schema/ to itself: it imports nothing outside the folder', () => {
    const schema = SOURCES.filter((file) => file.startsWith('src/config/schema/'));
    expect(schema.length).toBeGreaterThan(0);
    const outside = schema.flatMap((file) =>
      relativeImports(file)
        .filter((target) => !target.startsWith('src/config/schema/'))
        .map((target) => `${file} → ${target}`),
    );
    expect(outside).toEqual([]);
  });

  it('has an index.ts that only re-exports', () => {
    const statements = text
      .get('src/index.ts')!
      .split('\n')
      .filter((line) => line !== '' && !/^(export |\s|\}|\/\/)/.test(line));
    expect(statements).toEqual([]);
  });
});

describe('src/ and test/', () => {
  it('have no import cycle', () => {
    const state = new Map<string, 'visiting' | 'done'>();
    const cycles: string[] = [];
    const visit = (file: string, path: string[]): void => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'visiting') {
        cycles.push([...path.slice(path.indexOf(file)), file].join(' → '));
        return;
      }
      state.set(file, 'visiting');
      for (const target of relativeImports(file)) visit(target, [...path, file]);
      state.set(file, 'done');
    };
    for (const file of FILES) visit(file, []);
    expect(cycles).toEqual([]);
  });

  it.each(FILES)(`%s has at most ${MAX_LINES} lines`, (file) => {
    expect(text.get(file)!.split('\n').length - 1).toBeLessThanOrEqual(MAX_LINES);
  });
});
