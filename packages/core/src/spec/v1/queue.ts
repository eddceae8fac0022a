/** One job on a queue. `attempts` counts deliveries so far, this one included (1 on the first). */
export interface QueueJob<T = unknown> {
  /** The job's id; the same on every delivery of the job. */
  id: string;
  data: T;
  attempts: number;
}

/** What a handler tells the queue: done, or retry after a delay, or give up. */
export type QueueJobOutcome =
  | { status: 'done' }
  | { status: 'retry'; delayMs: number }
  | { status: 'failed'; reason: string };

/**
 * Jobs with at-least-once delivery and retries, for webhooks.
 *
 * What every implementation promises (checked by `queueTestSuite` of `@sockudo/test-suite`): every
 * pushed job reaches the queue's handler, whether pushed before or after `process()`; `done` and
 * `failed` end a job (it is not delivered again); `retry` delivers the same job (same id and data,
 * `attempts` one higher) again, not before `delayMs`; queue names, and instances configured with
 * different prefixes/namespaces, are independent. No delivery order is promised. A job may be
 * delivered more than once when a process dies or closes mid-delivery, so handlers must tolerate
 * duplicates.
 *
 * `data` must be JSON values (no `Date`, `Map`, class instances or cycles) and must not be mutated
 * after `push`: a durable queue stores it as JSON, an in-process one may hand over the same object.
 */
export interface QueueV1 {
  readonly specVersion: 1;
  /** Enqueues a job; rejects when it cannot be stored (the queue is full or closed, the store is down). */
  push<T>(queue: string, data: T): Promise<void>;
  /**
   * Starts consuming `queue`; a handler that throws counts as a retry after the queue's backoff.
   * Calling it again for the same queue replaces the handler.
   */
  process<T>(queue: string, handler: (job: QueueJob<T>) => Promise<QueueJobOutcome>): void;
  checkHealth?(): Promise<void>;
  /**
   * Stops consuming; jobs not finished stay queued (durable queues: the next instance over the same
   * store delivers them, those in flight again) or are dropped (memory). `push` rejects afterwards;
   * calling `close` again resolves.
   */
  close?(): Promise<void>;
}
