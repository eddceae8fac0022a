// scripts/check-source.mjs is what makes `pnpm test` fail on an import cycle or a long file; this proves
// it does, on throwaway trees, and that the repository itself passes.

import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const REPOSITORY = fileURLToPath(new URL('../../..', import.meta.url));
const SCRIPT = join(REPOSITORY, 'scripts/check-source.mjs');

const trees: string[] = [];
afterEach(() => {
  for (const tree of trees.splice(0)) rmSync(tree, { recursive: true, force: true });
});

/** A throwaway repository root holding `files` (path → text). */
function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'check-source-'));
  trees.push(root);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

function check(root: string) {
  const run = spawnSync(process.execPath, [SCRIPT, '--root', root], { encoding: 'utf8' });
  return { status: run.status, output: run.stdout + run.stderr };
}

const lines = (count: number) =>
  Array.from({ length: count }, (_, index) => `export const v${index} = ${index};\n`).join('');

describe('scripts/check-source.mjs', () => {
  it('fails on a two-file type-import cycle and a 501-line file, naming both', () => {
    const root = tree({
      'packages/a/src/socket.ts':
        "import type { Raw } from './raw.js';\nexport type Socket = { raw: Raw };\n",
      'packages/a/src/raw.ts':
        "import type { Socket } from './socket.js';\nexport type Raw = { socket?: Socket };\n",
      'apps/b/src/long.ts': lines(501),
    });
    const { status, output } = check(root);
    expect(status).toBe(1);
    expect(output).toContain(
      'import cycle: packages/a/src/raw.ts → packages/a/src/socket.ts → packages/a/src/raw.ts',
    );
    expect(output).toContain('over 500 lines: apps/b/src/long.ts: 501 lines');
  });

  it('follows ./dir/index.js and re-exports, and skips node_modules and dist', () => {
    const root = tree({
      'bench/src/index.ts': "export * from './parts/index.js';\n",
      'bench/src/parts/index.ts': "export { top } from '../index.js';\n",
      'tools/x/node_modules/dep/a.ts': "import './b.js';\n",
      'tools/x/node_modules/dep/b.ts': `import './a.js';\n${lines(600)}`,
      'examples/y/dist/a.ts': "import './b.js';\n",
      'examples/y/dist/b.ts': "import './a.js';\n",
    });
    const { status, output } = check(root);
    expect(status).toBe(1);
    expect(output).toContain(
      'import cycle: bench/src/index.ts → bench/src/parts/index.ts → bench/src/index.ts',
    );
    expect(output).not.toContain('node_modules');
    expect(output).not.toContain('dist');
  });

  it('passes a tree with a 500-line file, imports that only look like cycles in comments, and no cycle', () => {
    const root = tree({
      'packages/a/src/a.ts':
        "import { b } from './b.js';\n// import { a } from './a.js' in a comment\nexport const a = b;\n",
      'packages/a/src/b.ts': 'export const b = \'import "./a.js"\';\n',
      'packages/a/src/long.ts': lines(500),
    });
    const { status, output } = check(root);
    expect(output).toContain('check-source: 3 files, no import cycle');
    expect(status).toBe(0);
  });

  it('passes on this repository', () => {
    const { status, output } = check(REPOSITORY);
    expect(output).toMatch(/no import cycle, none over 500 lines/);
    expect(status).toBe(0);
  });
});
