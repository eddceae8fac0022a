// The published entry point: registers the AppManagerV1 conformance tests with the caller's runner.

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { App, AppManagerV1 } from '@sockudo/core';
import { sleep } from '../testing/wait.js';
import {
  disabledFixture,
  flatFixture,
  lookAlikes,
  oddFixtures,
  policyFixture,
  writtenApp,
} from './app-fixtures.js';
import type {
  AppManagerTestSuiteOptions,
  CreateAppManager,
  TestFunction,
} from './app-manager-suite-options.js';

interface Context {
  manager: AppManagerV1;
  seed: AppManagerTestSuiteOptions['seed'];
  /** A fresh token per test, part of every id and key the test uses. */
  run: string;
  /** Polls `check` until it passes, for reads that follow a write. */
  eventually(check: () => Promise<void>): Promise<void>;
}

interface AppManagerTestCase {
  name: string;
  write?: boolean;
  run(context: Context): Promise<void>;
}

/** The method, or a failure naming it: the write tests need all three. */
function required<K extends 'createApp' | 'updateApp' | 'deleteApp'>(
  manager: AppManagerV1,
  name: K,
): NonNullable<AppManagerV1[K]> {
  const method = manager[name] as ((...args: unknown[]) => Promise<void>) | undefined;
  assert.equal(typeof method, 'function', `write: true, but the manager has no ${name}()`);
  return ((...args: unknown[]) => method!.apply(manager, args)) as NonNullable<AppManagerV1[K]>;
}

async function expectApp(manager: AppManagerV1, expected: App): Promise<void> {
  assert.deepStrictEqual(
    await manager.findById(expected.id),
    expected,
    `findById(${JSON.stringify(expected.id)})`,
  );
  assert.deepStrictEqual(
    await manager.findByKey(expected.key),
    expected,
    `findByKey(${JSON.stringify(expected.key)})`,
  );
}

async function expectUnknown(manager: AppManagerV1, ids: string[], keys: string[]): Promise<void> {
  for (const id of ids) {
    assert.equal(
      await manager.findById(id),
      undefined,
      `findById(${JSON.stringify(id)}) should be undefined`,
    );
  }
  for (const key of keys) {
    assert.equal(
      await manager.findByKey(key),
      undefined,
      `findByKey(${JSON.stringify(key)}) should be undefined`,
    );
  }
}

const readTests: AppManagerTestCase[] = [
  {
    name: 'specVersion is 1',
    async run({ manager }) {
      assert.equal(manager.specVersion, 1);
      assert.equal(typeof manager.findById, 'function');
      assert.equal(typeof manager.findByKey, 'function');
    },
  },
  {
    name: 'checkHealth resolves while the store answers',
    async run({ manager }) {
      if (manager.checkHealth) await manager.checkHealth();
    },
  },
  {
    name: 'findById and findByKey map every column of a flat (legacy) record',
    async run({ manager, seed, run }) {
      const flat = flatFixture(run);
      await seed([flat.record]);
      await expectApp(manager, flat.app);
    },
  },
  {
    name: 'a record with a policy maps limits, features, origins and webhooks from it, and the policy wins',
    async run({ manager, seed, run }) {
      const policy = policyFixture(run);
      await seed([policy.record]);
      await expectApp(manager, policy.app);
    },
  },
  {
    name: 'a disabled app with only the required columns comes back with enabled false and the defaults',
    async run({ manager, seed, run }) {
      const disabled = disabledFixture(run);
      await seed([disabled.record]);
      await expectApp(manager, disabled.app);
    },
  },
  {
    name: 'an unknown id or key resolves to undefined instead of throwing',
    async run({ manager, seed, run }) {
      await seed([flatFixture(run).record]);
      await expectUnknown(manager, [`no-such-app-${run}`, 'app-id', '0'], [`no-such-key-${run}`, 'app-key']);
    },
  },
  {
    name: 'empty, very long and look-alike ids and keys resolve to undefined',
    async run({ manager, seed, run }) {
      const flat = flatFixture(run);
      const odd = oddFixtures(run);
      await seed([flat.record, ...odd.map((f) => f.record)]);
      const long = 'x'.repeat(5000);
      await expectUnknown(manager, ['', long], ['', long]);
      for (const app of [flat.app, ...odd.map((f) => f.app)]) {
        // Case, trailing blanks and wildcards: a case-insensitive collation or a LIKE must not match.
        await expectUnknown(manager, lookAlikes(app.id), lookAlikes(app.key));
        assert.equal(await manager.findById(app.key), undefined, 'a key is not an id');
        assert.equal(await manager.findByKey(app.id), undefined, 'an id is not a key');
      }
    },
  },
  {
    name: 'ids and keys with quotes, slashes, SQL wildcards and unicode are found exactly',
    async run({ manager, seed, run }) {
      const odd = oddFixtures(run);
      await seed(odd.map((f) => f.record));
      for (const fixture of odd) await expectApp(manager, fixture.app);
    },
  },
  {
    name: 'apps in the same store do not leak into each other',
    async run({ manager, seed, run }) {
      const all = [flatFixture(run), policyFixture(run), disabledFixture(run)];
      await seed(all.map((f) => f.record));
      for (const fixture of all) await expectApp(manager, fixture.app);
    },
  },
  {
    name: 'a burst of concurrent lookups all resolve',
    async run({ manager, seed, run }) {
      const flat = flatFixture(run);
      const disabled = disabledFixture(run);
      await seed([flat.record, disabled.record]);
      const lookups = Array.from({ length: 200 }, (_, i) => {
        switch (i % 4) {
          case 0:
            return manager.findByKey(flat.app.key);
          case 1:
            return manager.findById(disabled.app.id);
          case 2:
            return manager.findByKey(`missing-${i}-${run}`);
          default:
            return manager.findById(flat.app.id);
        }
      });
      const results = await Promise.all(lookups);
      results.forEach((result, i) => {
        const expected = [flat.app, disabled.app, undefined, flat.app][i % 4];
        assert.deepStrictEqual(result, expected, `lookup ${i}`);
      });
    },
  },
  {
    name: 'getApps, where implemented, lists every stored app',
    async run({ manager, seed, run }) {
      if (!manager.getApps) return;
      const all = [flatFixture(run), policyFixture(run), disabledFixture(run)];
      await seed(all.map((f) => f.record));
      const listed = await manager.getApps();
      assert.ok(Array.isArray(listed), 'getApps() returns an array');
      for (const fixture of all) {
        assert.deepStrictEqual(
          listed.find((app) => app.id === fixture.app.id),
          fixture.app,
          `getApps() includes ${fixture.app.id}`,
        );
      }
    },
  },
  {
    name: 'close() can be called twice',
    async run({ manager }) {
      await manager.close?.();
      await manager.close?.();
    },
  },
];

const writeTests: AppManagerTestCase[] = [
  {
    name: 'createApp stores every field; findById and findByKey return it unchanged',
    write: true,
    async run({ manager, eventually, run }) {
      const app = writtenApp(run);
      await required(manager, 'createApp')(app);
      await eventually(() => expectApp(manager, app));
    },
  },
  {
    name: 'createApp stores an app that keeps the defaults',
    write: true,
    async run({ manager, eventually, run }) {
      const app: App = {
        ...disabledFixture(run).app,
        id: `plain-${run}`,
        key: `plain-key-${run}`,
        enabled: true,
      };
      await required(manager, 'createApp')(app);
      await eventually(() => expectApp(manager, app));
    },
  },
  {
    name: 'createApp rejects an id or a key another app already has',
    write: true,
    async run({ manager, eventually, run }) {
      const createApp = required(manager, 'createApp');
      const app = writtenApp(run);
      await createApp(app);
      await eventually(() => expectApp(manager, app));
      await assert.rejects(createApp({ ...app, key: `other-key-${run}` }), 'same id, other key');
      await assert.rejects(createApp({ ...app, id: `other-id-${run}` }), 'other id, same key');
      await expectApp(manager, app);
    },
  },
  {
    name: 'updateApp changes fields and the key; the old key is then unknown',
    write: true,
    async run({ manager, eventually, run }) {
      const app = writtenApp(run);
      await required(manager, 'createApp')(app);
      await eventually(() => expectApp(manager, app));
      const updated: App = {
        ...app,
        key: `renamed-key-${run}`,
        secret: `rotated-secret-${run}`,
        enabled: false,
        maxConnections: 7,
        enableClientMessages: false,
        maxClientEventsPerSecond: 0,
        terminateOnLimit: false,
        allowedOrigins: [],
        webhooks: [{ url: 'https://new.example.com/hook', eventTypes: ['channel_vacated'] }],
      };
      // An update naming a look-alike id must not touch this app, whether it rejects or not.
      const hijack = { ...app, id: app.id.toUpperCase(), secret: `hijacked-${run}` };
      await required(manager, 'updateApp')(hijack).catch(() => {});
      await expectApp(manager, app);
      await required(manager, 'updateApp')(updated);
      await eventually(async () => {
        await expectApp(manager, updated);
        assert.equal(await manager.findByKey(app.key), undefined, 'the old key is unknown after the update');
      });
    },
  },
  {
    name: 'deleteApp removes the app by id and key; deleting again or an unknown id resolves',
    write: true,
    async run({ manager, eventually, run }) {
      const app = writtenApp(run);
      const other = { ...writtenApp(`${run}-other`) };
      await required(manager, 'createApp')(app);
      await required(manager, 'createApp')(other);
      await eventually(() => expectApp(manager, app));
      const deleteApp = required(manager, 'deleteApp');
      // Only the exact id: not another case, not with a trailing blank.
      for (const lookAlike of lookAlikes(app.id)) await deleteApp(lookAlike);
      await expectApp(manager, app);
      await deleteApp(app.id);
      await eventually(() => expectUnknown(manager, [app.id], [app.key]));
      await deleteApp(app.id);
      await deleteApp(`never-existed-${run}`);
      await eventually(() => expectApp(manager, other));
    },
  },
];

/**
 * Registers the {@link AppManagerV1} conformance tests with your test runner. Each test calls `create()`
 * for a manager over an empty store, seeds raw records through `options.seed` (or writes through the
 * manager when `options.write` is set), checks what comes back, and closes the manager, pass or fail.
 *
 * What a manager must do to pass: map Rust Sockudo's stored shapes (flat columns, and a `policy` that
 * wins over them) to exactly the {@link App} that `appFromRecord` of `@sockudo/core` gives; match ids and
 * keys exactly (no case folding, no trailing-blank padding, no wildcards); resolve `undefined` for
 * anything unknown, including the empty string and ids or keys longer than the store allows; and close
 * twice without throwing.
 *
 * The suite imports no test runner: pass your runner's `it` (vitest, jest, `node:test`) and, to group
 * the tests, its `describe`. Assertions use `node:assert/strict`.
 *
 * @example
 * ```ts
 * import { appManagerTestSuite } from '@sockudo/test-suite';
 * import { describe, it } from 'vitest';
 *
 * appManagerTestSuite(it, async () => { await truncate(); return createMyAppManager(options); }, {
 *   seed: (records) => insertRows(records),
 *   write: true,
 *   describe,
 * });
 * ```
 *
 * @param it the runner's test function, called as `it(name, fn, timeoutMs)`.
 * @param create builds a manager over an empty store.
 * @param options how to seed raw records, whether to run the write tests, timings.
 */
export function appManagerTestSuite(
  it: TestFunction,
  create: CreateAppManager,
  options: AppManagerTestSuiteOptions,
): void {
  if (typeof options?.seed !== 'function') {
    throw new TypeError('appManagerTestSuite: options.seed(records) is required');
  }
  const timeoutMs = options.timeoutMs ?? 15_000;
  const consistencyWaitMs = options.consistencyWaitMs ?? 3000;

  const eventually = async (check: () => Promise<void>): Promise<void> => {
    const deadline = Date.now() + consistencyWaitMs;
    for (;;) {
      try {
        return await check();
      } catch (error) {
        if (Date.now() >= deadline) throw error;
        await sleep(25);
      }
    }
  };

  const runCase = async (testCase: AppManagerTestCase): Promise<void> => {
    const manager = await create();
    try {
      await testCase.run({ manager, seed: options.seed, run: randomUUID().slice(0, 8), eventually });
    } finally {
      await manager.close?.();
    }
  };

  const register = (group: string, cases: AppManagerTestCase[], prefix: boolean) => {
    for (const testCase of cases) {
      it(prefix ? `${group}: ${testCase.name}` : testCase.name, () => runCase(testCase), timeoutMs);
    }
  };
  const groups: Array<[string, AppManagerTestCase[]]> = [['reads', readTests]];
  if (options.write) groups.push(['writes', writeTests]);
  const registerGroups = () => {
    for (const [name, cases] of groups) {
      if (options.describe) options.describe(name, () => register(name, cases, false));
      else register(name, cases, true);
    }
  };
  if (options.describe) options.describe('AppManagerV1 conformance', registerGroups);
  else registerGroups();
}
