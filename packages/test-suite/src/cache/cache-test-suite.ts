// The published entry point: registers the CacheV1 conformance tests with the caller's runner.

import assert from 'node:assert/strict';
import type { CacheV1 } from '@sockudo/core';
import {
  type CreateDriver,
  checkHealthCase,
  type DriverScope,
  type DriverSuiteOptions,
  type DriverTestCase,
  registerDriverSuite,
  withDriverScope,
} from '../driver/driver-suite.js';
import { waitFor } from '../testing/wait.js';
import type { TestFunction } from '../transport/transport-suite-options.js';
import { setIfAbsentCases } from './set-if-absent-cases.js';

/** Options of {@link cacheTestSuite}. */
export interface CacheTestSuiteOptions extends DriverSuiteOptions {
  /**
   * How long an entry set with a TTL of 1 second may still be readable before the expiry test fails.
   * Raise it for a store that expires lazily. @default 5000
   */
  expiryWaitMs?: number;
  /**
   * Instances created over the same `namespace` share their entries (a networked store such as Redis):
   * the `setIfAbsent` race then runs across two instances. @default false
   */
  shared?: boolean;
}

interface CacheContext {
  cache: CacheV1;
  scope: DriverScope<CacheV1>;
  expiryWaitMs: number;
  shared: boolean;
}

const KEYS = [
  'plain',
  'app:1:channel:cache-news',
  'with space',
  'ünïcødé-鍵',
  'glob*?[chars]',
  'hash{tag}',
  'dots.and/slashes',
];

/** A value with what a naive store mangles: newlines, quotes, non-ASCII, a NUL, JSON text. */
const AWKWARD = `{"event":"news","data":"line 1\\nline 2"}\n"quoted" ünïcødé 💬 \u0000 end`;

const basics: DriverTestCase<CacheContext>[] = [
  {
    name: 'specVersion is 1 and get, set and delete are functions',
    async run({ cache }) {
      assert.equal(cache.specVersion, 1);
      for (const method of ['get', 'set', 'delete'] as const) {
        assert.equal(typeof cache[method], 'function', `${method} should be a function`);
      }
    },
  },
  checkHealthCase(({ cache }) => cache),
];

const values: DriverTestCase<CacheContext>[] = [
  {
    name: 'get of a key never set resolves to undefined',
    async run({ cache }) {
      assert.equal(await cache.get('never-set'), undefined);
    },
  },
  {
    name: 'set then get returns the value exactly, byte for byte',
    async run({ cache }) {
      await cache.set('awkward', AWKWARD);
      assert.equal(await cache.get('awkward'), AWKWARD);
      const large = 'x'.repeat(256 * 1024);
      await cache.set('large', large);
      assert.equal(await cache.get('large'), large);
    },
  },
  {
    name: 'an empty string is a value, not a miss',
    async run({ cache }) {
      await cache.set('empty', '');
      assert.equal(await cache.get('empty'), '');
    },
  },
  {
    name: 'set overwrites the previous value',
    async run({ cache }) {
      await cache.set('k', 'first');
      await cache.set('k', 'second');
      assert.equal(await cache.get('k'), 'second');
    },
  },
  {
    name: 'delete removes the entry; deleting a missing key resolves',
    async run({ cache }) {
      await cache.set('doomed', 'v');
      await cache.delete('doomed');
      assert.equal(await cache.get('doomed'), undefined);
      await cache.delete('doomed');
      await cache.delete('never-set');
    },
  },
  {
    name: 'keys are independent, whatever characters they hold',
    async run({ cache }) {
      await Promise.all(KEYS.map((key) => cache.set(key, `value of ${key}`)));
      for (const key of KEYS)
        assert.equal(await cache.get(key), `value of ${key}`, `get(${JSON.stringify(key)})`);
      // A key that is a prefix of another, or looks like a pattern, touches nothing else.
      await cache.delete('glob*?[chars]');
      await cache.delete('app:1');
      assert.equal(await cache.get('glob*?[chars]'), undefined);
      for (const key of KEYS.filter((k) => k !== 'glob*?[chars]')) {
        assert.equal(
          await cache.get(key),
          `value of ${key}`,
          `get(${JSON.stringify(key)}) after deleting another key`,
        );
      }
    },
  },
  {
    name: 'caches of different namespaces never see each other’s entries',
    async run({ cache, scope }) {
      const other = await scope.create(scope.another());
      await cache.set('shared-name', 'mine');
      assert.equal(await other.get('shared-name'), undefined);
      await other.set('shared-name', 'theirs');
      assert.equal(await cache.get('shared-name'), 'mine');
      await other.delete('shared-name');
      assert.equal(await cache.get('shared-name'), 'mine');
    },
  },
];

const lifecycle: DriverTestCase<CacheContext>[] = [
  {
    name: 'close() resolves, and resolves again when called twice',
    async run({ cache, scope }) {
      await scope.close(cache);
      await cache.close?.();
    },
  },
];

const expiry: DriverTestCase<CacheContext>[] = [
  {
    name: 'an entry set with a TTL is readable at once and gone after it expires',
    async run({ cache, expiryWaitMs }) {
      await cache.set('short', 'v', 1);
      await cache.set('long', 'v', 3600);
      assert.equal(
        await cache.get('short'),
        'v',
        'an entry with a 1 s TTL should be readable right after set',
      );
      await waitFor(
        async () => (await cache.get('short')) === undefined,
        'an entry set with a TTL of 1 s was still readable',
        { timeoutMs: expiryWaitMs, intervalMs: 100 },
      );
      assert.equal(await cache.get('long'), 'v', 'an entry with a 1 h TTL expired with the 1 s one');
    },
  },
  {
    name: 'a TTL of 0 or none means no expiry',
    async run({ cache }) {
      await cache.set('zero', 'v', 0);
      await cache.set('none', 'v');
      assert.equal(await cache.get('zero'), 'v');
      assert.equal(await cache.get('none'), 'v');
      if (cache.ttl) {
        assert.equal(await cache.ttl('zero'), -1, 'ttl() of an entry set with TTL 0');
        assert.equal(await cache.ttl('none'), -1, 'ttl() of an entry set without a TTL');
      }
    },
  },
  {
    name: 'a negative TTL means no expiry, like 0',
    async run({ cache, expiryWaitMs }) {
      await cache.set('negative', 'v', -1);
      await cache.set('marker', 'v', 1);
      await waitFor(
        async () => (await cache.get('marker')) === undefined,
        'an entry with a 1 s TTL was still readable',
        {
          timeoutMs: expiryWaitMs,
          intervalMs: 100,
        },
      );
      assert.equal(await cache.get('negative'), 'v', 'an entry set with TTL -1 should not expire');
      if (cache.ttl) assert.equal(await cache.ttl('negative'), -1, 'ttl() of an entry set with TTL -1');
    },
  },
  {
    name: 'set replaces the TTL along with the value',
    async run({ cache, expiryWaitMs }) {
      // A TTL given again replaces the old one ...
      await cache.set('renewed', 'v1', 1);
      await cache.set('renewed', 'v2', 3600);
      // ... and a set without one makes the entry permanent.
      await cache.set('made-permanent', 'v1', 1);
      await cache.set('made-permanent', 'v2');
      await cache.set('marker', 'v', 1);
      await waitFor(
        async () => (await cache.get('marker')) === undefined,
        'an entry with a 1 s TTL was still readable',
        {
          timeoutMs: expiryWaitMs,
          intervalMs: 100,
        },
      );
      assert.equal(await cache.get('renewed'), 'v2', 'set with a new TTL should replace the old 1 s TTL');
      assert.equal(
        await cache.get('made-permanent'),
        'v2',
        'set without a TTL should remove the old 1 s TTL',
      );
    },
  },
  {
    name: 'ttl(), if implemented: seconds left, -1 without expiry, undefined when missing',
    async run({ cache }) {
      if (!cache.ttl) return;
      assert.equal(await cache.ttl('never-set'), undefined);
      await cache.set('minute', 'v', 60);
      const left = await cache.ttl('minute');
      assert.equal(typeof left, 'number');
      assert.ok(left! >= 1 && left! <= 60, `ttl() of an entry set with TTL 60 was ${left}, expected 1..60`);
      await cache.delete('minute');
      assert.equal(await cache.ttl('minute'), undefined, 'ttl() of a deleted entry');
    },
  },
];

/**
 * Registers the `CacheV1` conformance tests: get/set/delete round trips (exact bytes, empty strings,
 * awkward keys), overwrites, TTL expiry, TTL 0 = no expiry, a set replacing the TTL, `ttl()` when
 * implemented, namespaces kept apart, and, when implemented, `setIfAbsent`: absent → stored and true,
 * present → untouched and false, claimable again after delete or expiry, and one winner of a race
 * between two instances.
 *
 * Every test calls `create` for a fresh cache (twice for the namespace test) and closes what it created,
 * pass or fail. Use `namespace` as your key prefix.
 *
 * @example
 * ```ts
 * import { cacheTestSuite } from '@sockudo/test-suite';
 * import { describe, it } from 'vitest';
 *
 * cacheTestSuite(it, ({ namespace }) => createMyCache({ url: 'redis://127.0.0.1:6379', prefix: namespace }), {
 *   describe,
 * });
 * ```
 *
 * @param it the runner's test function, called as `it(name, fn, timeoutMs)`.
 * @param create builds a new cache over `namespace`.
 * @param options grouping and timings.
 */
export function cacheTestSuite(
  it: TestFunction,
  create: CreateDriver<CacheV1>,
  options: CacheTestSuiteOptions = {},
): void {
  const expiryWaitMs = options.expiryWaitMs ?? 5000;
  const shared = options.shared ?? false;
  registerDriverSuite<CacheContext>(
    'CacheV1 conformance',
    it,
    [
      ['basics', basics],
      ['values', values],
      ['expiry', expiry],
      ['setIfAbsent', setIfAbsentCases],
      ['lifecycle', lifecycle],
    ],
    options,
    (testCase) =>
      withDriverScope(create, async (scope) => {
        await testCase.run({ cache: await scope.create(), scope, expiryWaitMs, shared });
      }),
  );
}
