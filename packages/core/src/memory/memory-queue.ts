import { randomUUID } from 'node:crypto';
import type { QueueJob, QueueJobOutcome, QueueV1 } from '../spec/v1/index.js';

/** Options of {@link createMemoryQueue}. */
export interface MemoryQueueOptions {
  /** Most jobs waiting per queue; beyond it `push` rejects instead of growing memory. @default 100000 */
  capacity?: number;
  /** Delay before retrying a job whose handler threw. @default 1000 */
  retryDelayMs?: number;
}

/**
 * Jobs in process: nothing survives a restart. Handlers run one job at a time per queue, off the
 * caller's path (`push` only enqueues).
 */
export function createMemoryQueue(options: MemoryQueueOptions = {}): QueueV1 {
  const capacity = options.capacity ?? 100_000;
  const retryDelayMs = options.retryDelayMs ?? 1000;
  const pending = new Map<string, QueueJob[]>();
  const handlers = new Map<string, (job: QueueJob) => Promise<QueueJobOutcome>>();
  const timers = new Set<NodeJS.Timeout>();
  const running = new Set<string>();
  let closed = false;

  const drain = async (queue: string) => {
    const handler = handlers.get(queue);
    if (!handler || running.has(queue)) return;
    running.add(queue);
    try {
      const jobs = pending.get(queue) ?? [];
      while (!closed && jobs.length > 0) {
        const job = jobs.shift()!;
        job.attempts += 1;
        let outcome: QueueJobOutcome;
        try {
          outcome = await handler(job);
        } catch {
          outcome = { status: 'retry', delayMs: retryDelayMs };
        }
        if (outcome.status === 'retry' && !closed) {
          const timer = setTimeout(() => {
            timers.delete(timer);
            jobs.push(job);
            void drain(queue);
          }, outcome.delayMs);
          timer.unref();
          timers.add(timer);
        }
      }
    } finally {
      running.delete(queue);
    }
  };

  return {
    specVersion: 1,
    async push(queue, data) {
      if (closed) throw new Error('queue is closed');
      const jobs = pending.get(queue) ?? [];
      if (jobs.length >= capacity) throw new Error(`queue "${queue}" is full (${capacity} jobs)`);
      jobs.push({ id: randomUUID(), data, attempts: 0 });
      pending.set(queue, jobs);
      queueMicrotask(() => void drain(queue));
    },
    process(queue, handler) {
      handlers.set(queue, handler as (job: QueueJob) => Promise<QueueJobOutcome>);
      void drain(queue);
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
