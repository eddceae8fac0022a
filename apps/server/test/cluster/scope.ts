// Cleanup of the cluster tests: what a test started or wrote is undone by its Scope.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Things to undo, run in reverse order by `close()`; failures of one do not stop the others. */
export class Scope {
  private readonly undo: Array<() => unknown> = [];

  defer(fn: () => unknown): void {
    this.undo.push(fn);
  }

  async close(): Promise<void> {
    const errors: unknown[] = [];
    for (const fn of this.undo.splice(0).reverse()) {
      try {
        await fn();
      } catch (error) {
        errors.push(error);
      }
    }
    if (errors.length > 0) throw errors[0];
  }
}

/** A temporary directory removed by `scope`. */
export function tempDir(scope: Scope, files: Record<string, string | object> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'sockudo-cluster-test-'));
  scope.defer(() => rmSync(dir, { recursive: true, force: true }));
  for (const [name, content] of Object.entries(files)) {
    writeFileSync(join(dir, name), typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  }
  return dir;
}
