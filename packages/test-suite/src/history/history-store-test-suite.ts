// The published entry point: registers the HistoryStoreV1 conformance tests with the caller's runner.

import type { HistoryStoreV1 } from '@sockudo/core';
import {
  type CreateDriver,
  type DriverSuiteOptions,
  registerDriverSuite,
  withDriverScope,
} from '../driver/driver-suite.js';
import type { TestFunction } from '../transport/transport-suite-options.js';
import type { HistoryContext } from './history-context.js';
import { pages, payloads } from './page-tests.js';
import { purge, reset, retention } from './retention-tests.js';
import { basics, durability, lifecycle, namespaces, serialGroup } from './serial-tests.js';

/** Options of {@link historyStoreTestSuite}. */
export interface HistoryStoreTestSuiteOptions extends DriverSuiteOptions {
  /**
   * Whether stores created over the same `namespace` share one backend that outlives them (Redis, SQL).
   * `true` spreads the concurrent appends over several instances and registers the `durability` group
   * (a new instance continues the stream). @default false
   */
  durable?: boolean;
  /**
   * How long a message appended with a 1-second retention window may stay retained (while probes keep
   * being appended) before the retention test fails. @default 5000
   */
  expiryWaitMs?: number;
  /** How many messages the long walk appends (concurrently) and pages through both ways. @default 10000 */
  walkMessages?: number;
}

/**
 * Registers the `HistoryStoreV1` conformance tests: serials consecutive from 1 per channel and app, 200
 * concurrent appends with no gap or duplicate, a reset racing appends, pages in both directions with
 * cursors and bounds covering every message once (10,000 appended concurrently, walked both ways), expired cursors refused, exact payloads (Unicode,
 * 512 KB), retention by count, bytes and age, reset, purge, namespaces kept apart, and (durable stores)
 * the stream surviving a new instance.
 *
 * Every test calls `create` for a fresh store (more than once for the concurrency, namespace and
 * durability tests) and closes what it created, pass or fail. Use `namespace` as your key or table prefix.
 *
 * @example
 * ```ts
 * import { historyStoreTestSuite } from '@sockudo/test-suite';
 * import { describe, it } from 'vitest';
 *
 * historyStoreTestSuite(it, ({ namespace }) => createMyHistoryStore({ url: REDIS_URL, prefix: namespace }), {
 *   describe,
 *   durable: true,
 * });
 * ```
 *
 * @param it the runner's test function, called as `it(name, fn, timeoutMs)`.
 * @param create builds a new history store over `namespace`.
 * @param options grouping, durability and timings.
 */
export function historyStoreTestSuite(
  it: TestFunction,
  create: CreateDriver<HistoryStoreV1>,
  options: HistoryStoreTestSuiteOptions = {},
): void {
  const durable = options.durable ?? false;
  const expiryWaitMs = options.expiryWaitMs ?? 5000;
  const walkMessages = options.walkMessages ?? 10_000;
  registerDriverSuite<HistoryContext>(
    'HistoryStoreV1 conformance',
    it,
    [
      ['basics', basics],
      ['serials', serialGroup],
      ['pages', pages],
      ['payloads', payloads],
      ['retention', retention],
      ['reset', reset],
      ['purge', purge],
      ['namespaces', namespaces],
      ['durability', durable ? durability : []],
      ['lifecycle', lifecycle],
    ],
    options,
    (testCase) =>
      withDriverScope(create, async (scope) => {
        await testCase.run({ store: await scope.create(), scope, durable, expiryWaitMs, walkMessages });
      }),
  );
}
