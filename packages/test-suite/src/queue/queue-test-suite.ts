// The published entry point: registers the QueueV1 conformance tests with the caller's runner.

import assert from 'node:assert/strict';
import type { QueueJob, QueueJobOutcome, QueueV1 } from '@sockudo/core';
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

/** Options of {@link queueTestSuite}. */
export interface QueueTestSuiteOptions extends DriverSuiteOptions {
  /**
   * Whether jobs outlive the queue object: a job pushed and not finished before `close()` is delivered by
   * the next queue created over the same `namespace`. `true` registers the durability tests. @default false
   */
  durable?: boolean;
  /** How long a pushed job may take to reach its handler. @default 5000 */
  waitMs?: number;
  /**
   * How long the retry of a job whose handler threw may take: the queue's own back-off for a first
   * failure, plus `waitMs`. @default 15000
   */
  retryWaitMs?: number;
}

/** One delivery the suite saw. */
interface Delivery {
  queue: string;
  id: string;
  data: unknown;
  attempts: number;
  /** `Date.now()` when the handler was called and when it returned. */
  startedAt: number;
  endedAt: number;
}

type Decide = (job: QueueJob) => QueueJobOutcome | Promise<QueueJobOutcome>;

interface QueueContext {
  queue: QueueV1;
  scope: DriverScope<QueueV1>;
  options: Required<Pick<QueueTestSuiteOptions, 'waitMs' | 'retryWaitMs'>>;
  /** Every delivery of every handler {@link consume} registered in this test. */
  deliveries: Delivery[];
  /** `queue.process(name, ...)` with a recording handler that answers with `decide` (default: done). */
  consume(queue: QueueV1, name: string, decide?: Decide): void;
  /** Waits until `check(deliveries)` holds. */
  until(check: (deliveries: Delivery[]) => boolean, failure: string, timeoutMs?: number): Promise<void>;
}

const DONE: QueueJobOutcome = { status: 'done' };

/** Data with what a naive queue mangles: nesting, non-ASCII, quotes and newlines, numbers, null. */
const PAYLOAD = {
  event: 'member_added',
  nested: { list: [1, 2, 3], empty: {} },
  text: 'ünïcødé 💬 "quoted"\nnext line',
  number: 1.5,
  large: 2 ** 40,
  flag: true,
  nothing: null,
};

const of = (deliveries: Delivery[], where: (d: Delivery) => boolean) => deliveries.filter(where);
const tagged = (tag: string) => (d: Delivery) => (d.data as { tag?: unknown } | null)?.tag === tag;

const basics: DriverTestCase<QueueContext>[] = [
  {
    name: 'specVersion is 1 and push and process are functions',
    async run({ queue }) {
      assert.equal(queue.specVersion, 1);
      assert.equal(typeof queue.push, 'function');
      assert.equal(typeof queue.process, 'function');
    },
  },
  checkHealthCase(({ queue }) => queue),
];

const delivery: DriverTestCase<QueueContext>[] = [
  {
    name: 'a pushed job reaches the handler with its data, a string id and attempts 1',
    async run({ queue, consume, until, deliveries }) {
      consume(queue, 'webhooks');
      await queue.push('webhooks', { tag: 'one', ...PAYLOAD });
      await until((all) => all.length >= 1, 'the pushed job did not reach the handler');
      const [job] = deliveries;
      assert.deepEqual(
        job!.data,
        { tag: 'one', ...PAYLOAD },
        'the job data should arrive as pushed (JSON values)',
      );
      assert.equal(typeof job!.id, 'string');
      assert.ok(job!.id.length > 0, 'the job id should not be empty');
      assert.equal(job!.attempts, 1, 'a first delivery has attempts 1');
      assert.equal(job!.queue, 'webhooks');
    },
  },
  {
    name: 'jobs pushed before process() are delivered once it starts',
    async run({ queue, consume, until }) {
      await queue.push('webhooks', { tag: 'early-1' });
      await queue.push('webhooks', { tag: 'early-2' });
      consume(queue, 'webhooks');
      await until(
        (all) => of(all, tagged('early-1')).length > 0 && of(all, tagged('early-2')).length > 0,
        'jobs pushed before process() were not delivered',
      );
    },
  },
  {
    name: 'every one of 50 jobs is delivered, each with an id of its own',
    async run({ queue, consume, until, deliveries }) {
      consume(queue, 'webhooks');
      await Promise.all(Array.from({ length: 50 }, (_, n) => queue.push('webhooks', { tag: `job-${n}`, n })));
      const distinct = () => new Set(deliveries.map((d) => (d.data as { n: number }).n)).size;
      await until(() => distinct() === 50, 'not all 50 jobs were delivered');
      const idOf = new Map<number, string>();
      for (const d of deliveries) {
        const n = (d.data as { n: number }).n;
        const seen = idOf.get(n);
        if (seen !== undefined) assert.equal(d.id, seen, `job ${n} was delivered again under another id`);
        idOf.set(n, d.id);
      }
      assert.equal(new Set(idOf.values()).size, 50, 'two jobs shared an id');
    },
  },
  {
    name: 'a job answered with done is not delivered again',
    async run({ queue, consume, until, deliveries }) {
      consume(queue, 'webhooks');
      await queue.push('webhooks', { tag: 'once' });
      await until((all) => of(all, tagged('once')).length >= 1, 'the job was not delivered');
      // Barrier: later jobs through the same queue, delivered after the first one was settled.
      for (const tag of ['after-1', 'after-2']) {
        await queue.push('webhooks', { tag });
        await until((all) => of(all, tagged(tag)).length >= 1, `the job ${tag} was not delivered`);
      }
      assert.equal(of(deliveries, tagged('once')).length, 1, 'a job answered with done was delivered again');
    },
  },
  {
    name: 'queues are independent: a handler only gets the jobs of its queue',
    async run({ queue, consume, until, deliveries }) {
      consume(queue, 'webhooks-a');
      consume(queue, 'webhooks-b');
      await queue.push('webhooks-a', { tag: 'for-a' });
      await queue.push('webhooks-b', { tag: 'for-b' });
      await until(
        (all) => of(all, tagged('for-a')).length > 0 && of(all, tagged('for-b')).length > 0,
        'a job was not delivered',
      );
      assert.ok(
        of(deliveries, tagged('for-a')).every((d) => d.queue === 'webhooks-a'),
        'a job of queue a reached b',
      );
      assert.ok(
        of(deliveries, tagged('for-b')).every((d) => d.queue === 'webhooks-b'),
        'a job of queue b reached a',
      );
    },
  },
  {
    name: 'queues of different namespaces never share jobs',
    async run({ queue, scope, consume, until, deliveries }) {
      const other = await scope.create(scope.another());
      consume(queue, 'webhooks');
      // The other namespace's handler records under another queue label so the two can be told apart.
      other.process('webhooks', async (job) => {
        deliveries.push({
          queue: 'other',
          id: job.id,
          data: job.data,
          attempts: job.attempts,
          startedAt: 0,
          endedAt: 0,
        });
        return DONE;
      });
      await queue.push('webhooks', { tag: 'mine' });
      await other.push('webhooks', { tag: 'theirs' });
      await until(
        (all) => of(all, tagged('mine')).length > 0 && of(all, tagged('theirs')).length > 0,
        'a job was not delivered',
      );
      assert.ok(
        of(deliveries, tagged('mine')).every((d) => d.queue === 'webhooks'),
        'a job crossed namespaces',
      );
      assert.ok(
        of(deliveries, tagged('theirs')).every((d) => d.queue === 'other'),
        'a job crossed namespaces',
      );
    },
  },
];

delivery.push({
  name: 'process() called again for a queue replaces its handler',
  async run({ queue, consume, until, deliveries }) {
    let replacedCalls = 0;
    queue.process('webhooks', async () => {
      replacedCalls += 1;
      return DONE;
    });
    consume(queue, 'webhooks');
    await queue.push('webhooks', { tag: 'for-the-new-handler' });
    await until((all) => of(all, tagged('for-the-new-handler')).length >= 1, 'the new handler got nothing');
    assert.equal(replacedCalls, 0, 'the replaced handler was still called');
    assert.equal(of(deliveries, tagged('for-the-new-handler')).length, 1);
  },
});

const retries: DriverTestCase<QueueContext>[] = [
  {
    name: 'retry delivers the same job again, with attempts counting up',
    async run({ queue, consume, until, deliveries }) {
      consume(queue, 'webhooks', (job) =>
        job.attempts < 3 ? { status: 'retry', delayMs: job.attempts === 1 ? 0 : 50 } : DONE,
      );
      await queue.push('webhooks', { tag: 'retried', ...PAYLOAD });
      await until((all) => of(all, tagged('retried')).length >= 3, 'the job was not retried twice');
      const seen = of(deliveries, tagged('retried'));
      assert.deepEqual(
        seen.slice(0, 3).map((d) => d.attempts),
        [1, 2, 3],
        'attempts should count deliveries: 1, 2, 3',
      );
      assert.equal(new Set(seen.map((d) => d.id)).size, 1, 'a retry should keep the job id');
      for (const d of seen)
        assert.deepEqual(d.data, { tag: 'retried', ...PAYLOAD }, 'a retry should keep the data');
    },
  },
  {
    name: 'a retried job is not delivered again before its delay',
    async run({ queue, consume, until, deliveries }) {
      consume(queue, 'webhooks', (job) => (job.attempts === 1 ? { status: 'retry', delayMs: 1000 } : DONE));
      await queue.push('webhooks', { tag: 'delayed' });
      await until((all) => of(all, tagged('delayed')).length >= 2, 'the job was not retried');
      const [first, second] = of(deliveries, tagged('delayed'));
      // A lower bound only (a loaded machine makes the gap longer, never shorter), with room for clocks.
      const gap = second!.startedAt - first!.endedAt;
      assert.ok(gap >= 800, `the retry came ${gap} ms after the handler asked for a 1000 ms delay`);
    },
  },
  {
    name: 'a handler that throws gets the job again, after the queue’s back-off',
    async run({ queue, consume, until, deliveries, options }) {
      consume(queue, 'webhooks', (job) => {
        if (job.attempts === 1) throw new Error('receiver unreachable (thrown on purpose by the suite)');
        return DONE;
      });
      await queue.push('webhooks', { tag: 'throws' });
      await until(
        (all) => of(all, tagged('throws')).length >= 2,
        'a job whose handler threw was not retried',
        options.retryWaitMs,
      );
      const seen = of(deliveries, tagged('throws'));
      assert.deepEqual(
        seen.slice(0, 2).map((d) => d.attempts),
        [1, 2],
      );
      assert.equal(seen[0]!.id, seen[1]!.id, 'the retry should keep the job id');
    },
  },
  {
    name: 'a job answered with failed is not delivered again',
    async run({ queue, consume, until, deliveries }) {
      consume(queue, 'webhooks', (job) =>
        (job.data as { tag: string }).tag === 'gives-up'
          ? { status: 'failed', reason: 'rejected by the suite' }
          : DONE,
      );
      await queue.push('webhooks', { tag: 'gives-up' });
      await until((all) => of(all, tagged('gives-up')).length >= 1, 'the job was not delivered');
      for (const tag of ['after-1', 'after-2']) {
        await queue.push('webhooks', { tag });
        await until((all) => of(all, tagged(tag)).length >= 1, `the job ${tag} was not delivered`);
      }
      assert.equal(
        of(deliveries, tagged('gives-up')).length,
        1,
        'a job answered with failed was delivered again',
      );
    },
  },
];

const lifecycle: DriverTestCase<QueueContext>[] = [
  {
    name: 'push after close() rejects',
    async run({ queue, scope }) {
      await scope.close(queue);
      await assert.rejects(queue.push('webhooks', { tag: 'late' }), 'push on a closed queue should reject');
    },
  },
  {
    name: 'close() resolves, and resolves again when called twice',
    async run({ queue, scope, consume }) {
      consume(queue, 'webhooks');
      await scope.close(queue);
      await queue.close?.();
    },
  },
];

const durability: DriverTestCase<QueueContext>[] = [
  {
    name: 'jobs pushed with no consumer survive close() and are delivered by the next queue',
    async run({ queue, scope, consume, until }) {
      await queue.push('webhooks', { tag: 'kept-1' });
      await queue.push('webhooks', { tag: 'kept-2' });
      await scope.close(queue);
      const next = await scope.create();
      consume(next, 'webhooks');
      await until(
        (all) => of(all, tagged('kept-1')).length > 0 && of(all, tagged('kept-2')).length > 0,
        'jobs pushed before close() were not delivered by the next queue',
      );
    },
  },
  {
    name: 'a job whose handler had not finished at close() is delivered again by the next queue',
    async run({ queue, scope, consume, until, deliveries, options }) {
      let finish: (() => void) | undefined;
      const unfinished = new Promise<void>((resolve) => {
        finish = resolve;
      });
      consume(queue, 'webhooks', async () => {
        await unfinished;
        return DONE;
      });
      await queue.push('webhooks', { tag: 'in-flight' });
      await until((all) => of(all, tagged('in-flight')).length >= 1, 'the job was not delivered');
      try {
        await scope.close(queue);
        const next = await scope.create();
        consume(next, 'webhooks');
        await until(
          (all) => of(all, tagged('in-flight')).length >= 2,
          'a job in flight at close() was not delivered again',
          options.retryWaitMs,
        );
      } finally {
        finish!();
      }
      const seen = of(deliveries, tagged('in-flight'));
      assert.equal(seen[1]!.id, seen[0]!.id, 'the redelivery should keep the job id');
      assert.equal(seen[1]!.attempts, 2, 'the redelivery should count as attempt 2');
    },
  },
];

/**
 * Registers the `QueueV1` conformance tests: delivery of pushed jobs (data as pushed, an id, `attempts`
 * from 1), jobs pushed before `process()`, many jobs each delivered, `done` and `failed` ending a job,
 * `retry` redelivering the same job no sooner than asked with `attempts` counting up, a throwing
 * handler retried after the queue's back-off, independent queues and namespaces, `push` rejecting after
 * `close()`; with `durable: true`, jobs surviving `close()` (waiting and in flight) into the next queue.
 *
 * Delivery order is not checked: the contract does not promise one.
 *
 * @example
 * ```ts
 * import { queueTestSuite } from '@sockudo/test-suite';
 * import { describe, it } from 'vitest';
 *
 * queueTestSuite(it, ({ namespace }) => createMyQueue({ url: 'redis://127.0.0.1:6379', prefix: namespace }), {
 *   durable: true,
 *   describe,
 * });
 * ```
 *
 * @param it the runner's test function, called as `it(name, fn, timeoutMs)`.
 * @param create builds a new queue over `namespace`; with `durable`, two queues over the same
 *   namespace share their jobs.
 * @param options durability, grouping and timings.
 */
export function queueTestSuite(
  it: TestFunction,
  create: CreateDriver<QueueV1>,
  options: QueueTestSuiteOptions = {},
): void {
  const waitMs = options.waitMs ?? 5000;
  const retryWaitMs = options.retryWaitMs ?? 15_000;
  registerDriverSuite<QueueContext>(
    'QueueV1 conformance',
    it,
    [
      ['basics', basics],
      ['delivery', delivery],
      ['retries', retries],
      ['lifecycle', lifecycle],
      ['durability', options.durable ? durability : []],
    ],
    { ...options, timeoutMs: options.timeoutMs ?? Math.max(20_000, retryWaitMs * 2) },
    (testCase) =>
      withDriverScope(create, async (scope) => {
        const deliveries: Delivery[] = [];
        const context: QueueContext = {
          queue: await scope.create(),
          scope,
          options: { waitMs, retryWaitMs },
          deliveries,
          consume(queue, name, decide = () => DONE) {
            queue.process(name, async (job) => {
              const delivery: Delivery = {
                queue: name,
                id: job.id,
                data: job.data,
                attempts: job.attempts,
                startedAt: Date.now(),
                endedAt: Number.NaN,
              };
              deliveries.push(delivery);
              try {
                return await decide(job);
              } finally {
                delivery.endedAt = Date.now();
              }
            });
          },
          async until(check, failure, timeoutMs = waitMs) {
            await waitFor(() => check(deliveries), failure, { timeoutMs, intervalMs: 10 });
          },
        };
        await testCase.run(context);
      }),
  );
}
