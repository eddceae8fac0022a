// The published entry point: registers the RateLimiterV1 conformance tests with the caller's runner.

import assert from 'node:assert/strict';
import type { RateLimiterV1, RateLimitResult } from '@sockudo/core';
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

/** Options of {@link rateLimiterTestSuite}. */
export interface RateLimiterTestSuiteOptions extends DriverSuiteOptions {
  /** How long a 1-second window may take to reset before the reset test fails. @default 5000 */
  resetWaitMs?: number;
}

interface RateLimiterContext {
  limiter: RateLimiterV1;
  scope: DriverScope<RateLimiterV1>;
  resetWaitMs: number;
}

function expectResult(actual: RateLimitResult, expected: Partial<RateLimitResult>, what: string): void {
  for (const [field, value] of Object.entries(expected)) {
    assert.equal(
      actual[field as keyof RateLimitResult],
      value,
      `${what}: ${field} (got ${JSON.stringify(actual)})`,
    );
  }
}

function expectReset(result: RateLimitResult, windowSeconds: number, what: string): void {
  assert.ok(
    Number.isInteger(result.resetSeconds) && result.resetSeconds >= 1 && result.resetSeconds <= windowSeconds,
    `${what}: resetSeconds should be a whole number in 1..${windowSeconds}, got ${result.resetSeconds}`,
  );
}

const basics: DriverTestCase<RateLimiterContext>[] = [
  {
    name: 'specVersion is 1 and consume is a function',
    async run({ limiter }) {
      assert.equal(limiter.specVersion, 1);
      assert.equal(typeof limiter.consume, 'function');
    },
  },
  checkHealthCase(({ limiter }) => limiter),
];

const windows: DriverTestCase<RateLimiterContext>[] = [
  {
    name: 'consumes within the limit, counting remaining points down',
    async run({ limiter }) {
      for (const remaining of [2, 1, 0]) {
        const result = await limiter.consume('k', 1, 3, 60);
        expectResult(result, { allowed: true, limit: 3, remaining }, `consume #${3 - remaining}`);
        expectReset(result, 60, `consume #${3 - remaining}`);
      }
    },
  },
  {
    name: 'refuses once the limit is reached, and a refusal consumes nothing',
    async run({ limiter }) {
      expectResult(await limiter.consume('k', 4, 5, 60), { allowed: true, remaining: 1 }, 'consume 4 of 5');
      const refused = await limiter.consume('k', 2, 5, 60);
      expectResult(refused, { allowed: false, limit: 5, remaining: 1 }, 'consume 2 with 1 left');
      expectReset(refused, 60, 'the refusal');
      // Nothing was consumed by the refusal: the last point still fits, then nothing does.
      expectResult(
        await limiter.consume('k', 1, 5, 60),
        { allowed: true, remaining: 0 },
        'consume the last point',
      );
      expectResult(
        await limiter.consume('k', 1, 5, 60),
        { allowed: false, remaining: 0 },
        'consume with 0 left',
      );
    },
  },
  {
    name: 'points equal to the limit fit; more than the limit never do',
    async run({ limiter }) {
      expectResult(
        await limiter.consume('exact', 10, 10, 60),
        { allowed: true, remaining: 0 },
        'consume 10 of 10',
      );
      expectResult(
        await limiter.consume('over', 11, 10, 60),
        { allowed: false, remaining: 10 },
        'consume 11 of 10',
      );
      expectResult(
        await limiter.consume('over', 10, 10, 60),
        { allowed: true, remaining: 0 },
        'then 10 of 10',
      );
    },
  },
  {
    name: 'a window resets once it has passed',
    async run({ limiter, resetWaitMs }) {
      expectResult(
        await limiter.consume('reset', 2, 2, 1),
        { allowed: true, remaining: 0 },
        'fill a 1 s window',
      );
      expectResult(await limiter.consume('reset', 1, 2, 1), { allowed: false }, 'the full window');
      // Polling consumes nothing while refused; the first success is the new window's first consume.
      const fresh = await waitFor(
        async () => {
          const result = await limiter.consume('reset', 1, 2, 1);
          return result.allowed ? result : undefined;
        },
        'a 1 s window did not reset',
        { timeoutMs: resetWaitMs, intervalMs: 100 },
      );
      expectResult(fresh, { allowed: true, limit: 2, remaining: 1 }, 'the first consume of the new window');
    },
  },
  {
    name: 'keys are independent',
    async run({ limiter }) {
      expectResult(
        await limiter.consume('app-1:socket-a', 3, 3, 60),
        { allowed: true, remaining: 0 },
        'key a',
      );
      expectResult(await limiter.consume('app-1:socket-a', 1, 3, 60), { allowed: false }, 'key a again');
      for (const key of [
        'app-1:socket-b',
        'app-1:socket-a:x',
        'app-1',
        'app-2:socket-a',
        'ünïcødé {tag} *',
      ]) {
        expectResult(
          await limiter.consume(key, 1, 3, 60),
          { allowed: true, remaining: 2 },
          `key ${JSON.stringify(key)}`,
        );
      }
    },
  },
  {
    name: 'limiters of different namespaces keep separate counts',
    async run({ limiter, scope }) {
      const other = await scope.create(scope.another());
      expectResult(
        await limiter.consume('shared', 1, 1, 60),
        { allowed: true, remaining: 0 },
        'first namespace',
      );
      expectResult(
        await other.consume('shared', 1, 1, 60),
        { allowed: true, remaining: 0 },
        'second namespace',
      );
    },
  },
  {
    name: 'concurrent consumes never let more than the limit through',
    async run({ limiter }) {
      const results = await Promise.all(
        Array.from({ length: 25 }, () => limiter.consume('burst', 1, 10, 60)),
      );
      const allowed = results.filter((result) => result.allowed);
      assert.equal(
        allowed.length,
        10,
        `${allowed.length} of 25 concurrent consumes were allowed with limit 10`,
      );
      const remaining = allowed.map((result) => result.remaining).sort((a, b) => a - b);
      assert.deepEqual(
        remaining,
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
        'each allowed consume reports its own remaining',
      );
    },
  },
];

const lifecycle: DriverTestCase<RateLimiterContext>[] = [
  {
    name: 'close() resolves, and resolves again when called twice',
    async run({ limiter, scope }) {
      await scope.close(limiter);
      await limiter.close?.();
    },
  },
];

/**
 * Registers the `RateLimiterV1` conformance tests: consuming within a fixed window, refusing without
 * consuming once the limit is reached, `remaining`/`limit`/`resetSeconds`, the window resetting,
 * independent keys and namespaces, and no over-admission under concurrent calls.
 *
 * Every test calls `create` for a fresh limiter and closes it at the end, pass or fail. Use `namespace`
 * as your key prefix.
 *
 * @example
 * ```ts
 * import { rateLimiterTestSuite } from '@sockudo/test-suite';
 * import { describe, it } from 'vitest';
 *
 * rateLimiterTestSuite(it, ({ namespace }) => createMyRateLimiter({ prefix: namespace }), { describe });
 * ```
 *
 * @param it the runner's test function, called as `it(name, fn, timeoutMs)`.
 * @param create builds a new limiter over `namespace`.
 * @param options grouping and timings.
 */
export function rateLimiterTestSuite(
  it: TestFunction,
  create: CreateDriver<RateLimiterV1>,
  options: RateLimiterTestSuiteOptions = {},
): void {
  const resetWaitMs = options.resetWaitMs ?? 5000;
  registerDriverSuite<RateLimiterContext>(
    'RateLimiterV1 conformance',
    it,
    [
      ['basics', basics],
      ['windows', windows],
      ['lifecycle', lifecycle],
    ],
    options,
    (testCase) =>
      withDriverScope(create, async (scope) => {
        await testCase.run({ limiter: await scope.create(), scope, resetWaitMs });
      }),
  );
}
