/** One job on a queue. `attempts` counts deliveries so far. */
export interface QueueJob<T = unknown> {
  id: string;
  data: T;
  attempts: number;
}

/** What a handler tells the queue: done, or retry after a delay, or give up. */
export type QueueJobOutcome =
  | { status: 'done' }
  | { status: 'retry'; delayMs: number }
  | { status: 'failed'; reason: string };

/** Jobs with at-least-once delivery and retries, for webhooks. */
export interface QueueV1 {
  readonly specVersion: 1;
  push<T>(queue: string, data: T): Promise<void>;
  /** Starts consuming `queue`; a handler that throws counts as a retry after the queue's backoff. */
  process<T>(queue: string, handler: (job: QueueJob<T>) => Promise<QueueJobOutcome>): void;
  checkHealth?(): Promise<void>;
  /** Stops consuming; jobs not finished stay queued (durable queues) or are dropped (memory). */
  close?(): Promise<void>;
}
