import { randomUUID } from 'node:crypto';
import type { QueueJob, QueueJobOutcome, QueueV1 } from '../spec/v1/index.js';

/** Options of {@link createMemoryQueue}. */
export interface MemoryQueueOptions {
  /** Most jobs waiting per queue; beyond it `push` rejects instead of growing memory. @default 100000 */
  capacity?: number;
  /** Delay before retrying a job whose handler threw. @default 1000 */
  retryDelayMs?: number;
  /** Jobs of one queue handled at the same time. @default 16 */
  concurrency?: number;
}

/**
 * Jobs in process: nothing survives a restart. Up to `concurrency` jobs per queue run at once, off the
 * caller's path (`push` only enqueues).
 */
export function createMemoryQueue(options: MemoryQueueOptions = {}): QueueV1 {
  const capacity = options.capacity ?? 100_000;
  const retryDelayMs = options.retryDelayMs ?? 1000;
  const concurrency = options.concurrency ?? 16;
  const pending = new Map<string, QueueJob[]>();
  const handlers = new Map<string, (job: QueueJob) => Promise<QueueJobOutcome>>();
  const timers = new Set<NodeJS.Timeout>();
  let closed = false;

  const active = new Map<string, number>();

  const run = async (queue: string, job: QueueJob, handler: (job: QueueJob) => Promise<QueueJobOutcome>) => {
    let outcome: QueueJobOutcome;
    try {
      outcome = await handler(job);
    } catch {
      outcome = { status: 'retry', delayMs: retryDelayMs };
    }
    if (outcome.status !== 'retry' || closed) return;
    const timer = setTimeout(() => {
      timers.delete(timer);
      pending.get(queue)?.push(job);
      drain(queue);
    }, outcome.delayMs);
    timer.unref();
    timers.add(timer);
  };

  /** Starts jobs until `concurrency` are running: one slow receiver does not hold up the rest. */
  const drain = (queue: string) => {
    const handler = handlers.get(queue);
    const jobs = pending.get(queue);
    if (!handler || !jobs) return;
    while (!closed && jobs.length > 0 && (active.get(queue) ?? 0) < concurrency) {
      const job = jobs.shift()!;
      job.attempts += 1;
      active.set(queue, (active.get(queue) ?? 0) + 1);
      void run(queue, job, handler).finally(() => {
        active.set(queue, (active.get(queue) ?? 1) - 1);
        drain(queue);
      });
    }
  };

  return {
    specVersion: 1,
    async push(queue, data) {
      if (closed) throw new Error('queue is closed');
      let jobs = pending.get(queue);
      if (!jobs) {
        jobs = [];
        pending.set(queue, jobs);
      }
      if (jobs.length >= capacity) throw new Error(`queue "${queue}" is full (${capacity} jobs)`);
      jobs.push({ id: randomUUID(), data, attempts: 0 });
      queueMicrotask(() => drain(queue));
    },
    process(queue, handler) {
      handlers.set(queue, handler as (job: QueueJob) => Promise<QueueJobOutcome>);
      if (!pending.has(queue)) pending.set(queue, []);
      drain(queue);
    },
    async checkHealth() {},
    async close() {
      closed = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      pending.clear();
    },
  };
}
