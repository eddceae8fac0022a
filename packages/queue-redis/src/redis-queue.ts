// The `redis` / `redis-cluster` queue driver: durable, at-least-once jobs for webhooks. Jobs live in
// Redis until a handler finishes them, so a webhook queued or in flight when a process dies is
// delivered after a restart (or by another instance). Workers poll and claim atomically with Lua
// scripts; each claim takes a lease that the worker renews while the handler runs.

import { randomUUID } from 'node:crypto';
import { type Logger, type QueueV1, silentLogger } from '@sockudo/core';
import {
  closeRedisConnection,
  openRedisConnection,
  type RedisConnectionOptions,
  withDeadline,
} from '@sockudo/redis-connection';
import { queueKeys } from './queue-keys.js';
import { defineScripts } from './queue-scripts.js';
import { type Handler, QueueWorker, type WorkerSettings } from './queue-worker.js';

/** Options of {@link createRedisQueue}. */
export interface RedisQueueOptions extends RedisConnectionOptions {
  /**
   * Prepended to every key (`${prefix}{${queue}}:wait`, …). Instances with the same prefix share the
   * jobs; another prefix keeps a second deployment apart on the same Redis.
   * @default 'sockudo_queue:' (Rust Sockudo's)
   */
  prefix?: string;
  /** Jobs of one queue one instance runs at the same time; it also bounds what is held in memory. @default 5 */
  concurrency?: number;
  /**
   * How often an idle worker looks for jobs pushed by other instances and for retries that are due.
   * A push through this instance wakes its own worker at once.
   * @default 500
   */
  pollIntervalMs?: number;
  /**
   * How long a claimed job stays reserved for its worker. The worker renews it every third of this
   * while the handler runs; when a process dies its jobs go back to the queue once this has passed.
   * @default 30000
   */
  leaseMs?: number;
  /**
   * Deliveries after which a job that is still to be retried goes to the dead-letter list instead.
   * Unset: as many as the handler asks for (the webhook handler stops after its own time budget).
   * @default undefined
   */
  maxAttempts?: number;
  /** Retry delay after a handler throws, doubled per attempt. @default 1000 */
  retryBaseDelayMs?: number;
  /** Cap of that retry delay. @default 60000 */
  retryMaxDelayMs?: number;
  /** Most jobs one queue holds (waiting, delayed and running); beyond it `push` rejects. 0 = no bound. @default 100000 */
  capacity?: number;
  /** Failed jobs kept in the dead-letter list (newest first). 0 = keep none. @default 1000 */
  deadLetterLength?: number;
  /** How long `close()` waits for running handlers before handing their jobs back to the queue. @default 5000 */
  closeTimeoutMs?: number;
  /**
   * How long one Redis command may wait (including while Redis is unreachable) before it rejects.
   * @default 5000
   */
  commandTimeoutMs?: number;
  /** Where Redis outages and handler errors are reported. @default silent */
  logger?: Logger;
}

/**
 * Creates a durable {@link QueueV1} in Redis or Redis Cluster, for `createServer({ queue })`.
 *
 * Delivery is at least once: a job is removed only after its handler returns `done` or `failed`, so a
 * process that dies mid-delivery leaves it to be delivered again once its lease lapses.
 *
 * @example
 * ```ts
 * import { createServer } from '@sockudo/core';
 * import { createRedisQueue } from '@sockudo/queue-redis';
 * const server = createServer({ queue: createRedisQueue({ url: 'redis://127.0.0.1:6379' }) });
 * ```
 */
export function createRedisQueue(options: RedisQueueOptions = {}): QueueV1 {
  const prefix = options.prefix ?? 'sockudo_queue:';
  const capacity = options.capacity ?? 100_000;
  const commandTimeoutMs = options.commandTimeoutMs ?? 5000;
  const closeTimeoutMs = options.closeTimeoutMs ?? 5000;
  const logger = options.logger ?? silentLogger;
  const connection = openRedisConnection(options, 'sockudo-queue', commandTimeoutMs);
  const scripts = defineScripts(connection.client);
  // A little beyond ioredis's own commandTimeout, so its more specific error normally wins.
  const bounded = <T>(promise: Promise<T>, what: string) =>
    withDeadline(promise, commandTimeoutMs + 250, what);
  const settings: WorkerSettings = {
    concurrency: Math.max(1, options.concurrency ?? 5),
    pollIntervalMs: Math.max(1, options.pollIntervalMs ?? 500),
    leaseMs: Math.max(100, options.leaseMs ?? 30_000),
    maxAttempts: options.maxAttempts,
    retryBaseDelayMs: options.retryBaseDelayMs ?? 1000,
    retryMaxDelayMs: options.retryMaxDelayMs ?? 60_000,
    deadLetterLength: Math.max(0, options.deadLetterLength ?? 1000),
  };
  const workers = new Map<string, QueueWorker>();
  /** Pushes not yet acknowledged by Redis (each bounded by the command timeout). */
  const pending = new Set<Promise<void>>();
  let closing: Promise<void> | undefined;

  return {
    specVersion: 1,
    push(queue, data) {
      if (closing) return Promise.reject(new Error('queue is closed'));
      let json: string;
      try {
        json = JSON.stringify(data) ?? 'null';
      } catch (error) {
        return Promise.reject(error); // a BigInt or a cycle: rejected like any other failed push
      }
      const keys = queueKeys(prefix, queue);
      // Sent before push() returns; close() also waits for it, so the jobs a closing server flushes
      // (webhook batches, held leave events) reach Redis before the connection ends.
      const sent = scripts.sockudoQueuePush(keys.jobs, keys.wait, randomUUID(), json, capacity);
      const pushed = bounded(sent, 'a push').then((accepted) => {
        if (accepted !== 1) throw new Error(`queue "${queue}" is full (${capacity} jobs)`);
        workers.get(queue)?.wake();
      });
      const tracked = pushed.then(
        () => undefined,
        () => undefined,
      );
      pending.add(tracked);
      void tracked.finally(() => pending.delete(tracked));
      return pushed;
    },
    process(queue, handler) {
      if (closing) throw new Error('queue is closed');
      const existing = workers.get(queue);
      if (existing) {
        existing.handler = handler as Handler;
        return;
      }
      const worker = new QueueWorker(
        queue,
        queueKeys(prefix, queue),
        scripts,
        handler as Handler,
        settings,
        logger,
        bounded,
      );
      workers.set(queue, worker);
      worker.start();
    },
    async checkHealth() {
      await bounded(connection.client.ping(), 'PING');
    },
    close() {
      closing ??= (async () => {
        const all = [...workers.values()];
        await Promise.all([...all.map((worker) => worker.stop(closeTimeoutMs)), ...pending]);
        await closeRedisConnection(connection);
      })();
      return closing;
    },
  };
}
