// The `redis` / `redis-cluster` queue driver: durable, at-least-once jobs for webhooks. Jobs live in
// Redis until a handler finishes them, so a webhook queued or in flight when a process dies is
// delivered after a restart (or by another instance). Workers poll and claim atomically with Lua
// scripts; each claim takes a lease that the worker renews while the handler runs.

import { randomUUID } from 'node:crypto';
import { type Logger, type QueueJob, type QueueJobOutcome, type QueueV1, silentLogger } from '@sockudo/core';
import {
  closeRedisConnection,
  openRedisConnection,
  type RedisConnectionOptions,
  withDeadline,
} from '@sockudo/redis-connection';
import type { Cluster, Redis } from 'ioredis';
import { type QueueKeys, queueKeys } from './queue-keys.js';
import { CLAIM, COMPLETE, FAIL, PUSH, RELEASE, RENEW, RETRY } from './queue-scripts.js';

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

type Handler = (job: QueueJob) => Promise<QueueJobOutcome>;

/** One claimed job: its id, data as stored (JSON), and the attempt number that is its lease token. */
interface Claimed {
  id: string;
  data: string;
  attempts: number;
}

interface Scripts {
  sockudoQueuePush(jobs: string, wait: string, id: string, data: string, capacity: number): Promise<number>;
  sockudoQueueClaim(
    jobs: string,
    attempts: string,
    wait: string,
    delayed: string,
    active: string,
    count: number,
    leaseMs: number,
  ): Promise<Array<string | number>>;
  sockudoQueueComplete(
    jobs: string,
    attempts: string,
    active: string,
    id: string,
    token: number,
  ): Promise<number>;
  sockudoQueueRetry(
    attempts: string,
    active: string,
    wait: string,
    delayed: string,
    id: string,
    token: number,
    delayMs: number,
  ): Promise<number>;
  sockudoQueueFail(
    jobs: string,
    attempts: string,
    active: string,
    wait: string,
    dlq: string,
    id: string,
    token: number,
    reason: string,
    queue: string,
    keep: number,
  ): Promise<number>;
  sockudoQueueRenew(
    attempts: string,
    active: string,
    leaseMs: number,
    ...idTokenPairs: Array<string | number>
  ): Promise<number>;
  sockudoQueueRelease(
    attempts: string,
    active: string,
    wait: string,
    ...idTokenPairs: Array<string | number>
  ): Promise<number>;
}

function defineScripts(client: Redis | Cluster): Scripts {
  const define = (name: string, numberOfKeys: number, lua: string) => {
    // Defining twice (a shared client used by two queues) is harmless: same name, same script.
    client.defineCommand(name, { numberOfKeys, lua });
  };
  define('sockudoQueuePush', 2, PUSH);
  define('sockudoQueueClaim', 5, CLAIM);
  define('sockudoQueueComplete', 3, COMPLETE);
  define('sockudoQueueRetry', 4, RETRY);
  define('sockudoQueueFail', 5, FAIL);
  define('sockudoQueueRenew', 2, RENEW);
  define('sockudoQueueRelease', 3, RELEASE);
  return client as unknown as Scripts;
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

interface WorkerSettings {
  concurrency: number;
  pollIntervalMs: number;
  leaseMs: number;
  maxAttempts: number | undefined;
  retryBaseDelayMs: number;
  retryMaxDelayMs: number;
  deadLetterLength: number;
}

function isOutcome(value: unknown): value is QueueJobOutcome {
  const status = (value as { status?: unknown } | null | undefined)?.status;
  return status === 'done' || status === 'retry' || status === 'failed';
}

/** Claims and runs the jobs of one queue, at most `concurrency` at a time, and renews their leases. */
class QueueWorker {
  /** Running jobs: id → lease token. */
  private readonly running = new Map<string, number>();
  private readonly inFlight = new Set<Promise<void>>();
  private stopped = false;
  private loop: Promise<void> = Promise.resolve();
  private renewTimer: NodeJS.Timeout | undefined;
  private wakeUp: (() => void) | undefined;
  /** Set by wake(); a wake that comes while a claim is on its way is not lost. */
  private woken = false;
  private failing = false;

  constructor(
    private readonly queue: string,
    private readonly keys: QueueKeys,
    private readonly scripts: Scripts,
    public handler: Handler,
    private readonly settings: WorkerSettings,
    private readonly logger: Logger,
    private readonly bounded: <T>(promise: Promise<T>, what: string) => Promise<T>,
  ) {}

  start(): void {
    this.loop = this.poll();
    this.renewTimer = setInterval(
      () => void this.renew(),
      Math.max(50, Math.floor(this.settings.leaseMs / 3)),
    );
    this.renewTimer.unref();
  }

  /** Ends the current pause of the polling loop (or the next one): a job was pushed here, a slot freed, or close(). */
  wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  private pause(ms: number): Promise<void> {
    if (this.woken) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakeUp = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      timer.unref();
      this.wakeUp = done;
    });
  }

  private async poll(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      this.woken = false;
      const free = this.settings.concurrency - this.running.size;
      let more = false;
      if (free > 0) {
        try {
          const claimed = await this.claim(free);
          if (this.failing) this.logger.info('queue: Redis is reachable again', { queue: this.queue });
          this.failing = false;
          failures = 0;
          if (this.stopped) {
            // close() began while the claim was on its way: hand the jobs straight back.
            await this.release(claimed.map((job) => [job.id, job.attempts] as const));
            break;
          }
          for (const job of claimed) this.run(job);
          more = claimed.length === free;
        } catch (error) {
          failures += 1;
          if (!this.failing) {
            this.logger.warn('queue: cannot claim jobs; will keep trying', {
              queue: this.queue,
              error: String(error),
            });
          }
          this.failing = true;
        }
      }
      if (this.stopped) break;
      // A full claim means more may be waiting: go again as soon as a slot is free.
      if (more && this.running.size < this.settings.concurrency) continue;
      const backoff = Math.min(this.settings.pollIntervalMs * 2 ** Math.min(failures, 10), 5000);
      await this.pause(
        failures > 0 ? Math.max(backoff, this.settings.pollIntervalMs) : this.settings.pollIntervalMs,
      );
    }
  }

  private async claim(count: number): Promise<Claimed[]> {
    const k = this.keys;
    const flat = await this.bounded(
      this.scripts.sockudoQueueClaim(
        k.jobs,
        k.attempts,
        k.wait,
        k.delayed,
        k.active,
        count,
        this.settings.leaseMs,
      ),
      'a claim',
    );
    const claimed: Claimed[] = [];
    for (let i = 0; i + 2 < flat.length; i += 3) {
      claimed.push({ id: String(flat[i]), data: String(flat[i + 1]), attempts: Number(flat[i + 2]) });
    }
    return claimed;
  }

  private run(claimed: Claimed): void {
    this.running.set(claimed.id, claimed.attempts);
    const task = this.execute(claimed)
      .catch(() => {}) // execute() reports its own failures; nothing may become an unhandled rejection
      .finally(() => {
        this.running.delete(claimed.id);
        this.inFlight.delete(task);
        this.wake();
      });
    this.inFlight.add(task);
  }

  private async execute(claimed: Claimed): Promise<void> {
    const outcome = await this.outcomeOf(claimed);
    try {
      const applied = await this.settle(claimed, outcome);
      if (!applied) {
        // The lease lapsed and another worker claimed the job again: that worker owns it now.
        this.logger.warn('queue: a job outlived its lease and was delivered again elsewhere', {
          queue: this.queue,
          id: claimed.id,
        });
      }
    } catch (error) {
      // Redis is away: the job stays leased and goes back to the queue when the lease lapses.
      this.logger.warn('queue: could not record a job outcome; it will be delivered again', {
        queue: this.queue,
        id: claimed.id,
        outcome: outcome.status,
        error: String(error),
      });
    }
  }

  private async outcomeOf(claimed: Claimed): Promise<QueueJobOutcome> {
    const { maxAttempts } = this.settings;
    if (maxAttempts !== undefined && claimed.attempts > maxAttempts) {
      // Claimed again after its worker died, with no attempts left (a job that kills its process).
      return { status: 'failed', reason: `no attempts left after ${maxAttempts} (last lease lapsed)` };
    }
    let data: unknown;
    try {
      data = JSON.parse(claimed.data);
    } catch {
      return { status: 'failed', reason: 'job data is not valid JSON' };
    }
    let outcome: QueueJobOutcome;
    try {
      outcome = await this.handler({ id: claimed.id, data, attempts: claimed.attempts });
      if (!isOutcome(outcome))
        throw new TypeError(`handler returned ${JSON.stringify(outcome)}, not an outcome`);
    } catch (error) {
      this.logger.warn('queue: handler threw; will retry', {
        queue: this.queue,
        id: claimed.id,
        error: String(error),
      });
      const delayMs = Math.min(
        this.settings.retryBaseDelayMs * 2 ** Math.max(0, claimed.attempts - 1),
        this.settings.retryMaxDelayMs,
      );
      outcome = { status: 'retry', delayMs };
    }
    if (outcome.status === 'retry' && maxAttempts !== undefined && claimed.attempts >= maxAttempts) {
      return { status: 'failed', reason: `gave up after ${claimed.attempts} attempts` };
    }
    return outcome;
  }

  /** Records the outcome in Redis; false when the lease was lost to another claim. */
  private async settle(claimed: Claimed, outcome: QueueJobOutcome): Promise<boolean> {
    const k = this.keys;
    const { id, attempts: token } = claimed;
    let applied: number;
    if (outcome.status === 'done') {
      applied = await this.bounded(
        this.scripts.sockudoQueueComplete(k.jobs, k.attempts, k.active, id, token),
        'a completion',
      );
    } else if (outcome.status === 'retry') {
      const delayMs = Math.max(0, Math.round(Number(outcome.delayMs) || 0));
      applied = await this.bounded(
        this.scripts.sockudoQueueRetry(k.attempts, k.active, k.wait, k.delayed, id, token, delayMs),
        'a retry',
      );
    } else {
      applied = await this.bounded(
        this.scripts.sockudoQueueFail(
          k.jobs,
          k.attempts,
          k.active,
          k.wait,
          k.dlq,
          id,
          token,
          String(outcome.reason),
          this.queue,
          this.settings.deadLetterLength,
        ),
        'a failure',
      );
    }
    return applied === 1;
  }

  /** Extends the leases of every running job in one call. */
  private async renew(): Promise<void> {
    if (this.running.size === 0) return;
    const pairs = [...this.running].flat();
    try {
      await this.bounded(
        this.scripts.sockudoQueueRenew(this.keys.attempts, this.keys.active, this.settings.leaseMs, ...pairs),
        'a lease renewal',
      );
    } catch (error) {
      this.logger.warn('queue: could not renew leases', { queue: this.queue, error: String(error) });
    }
  }

  private async release(jobs: ReadonlyArray<readonly [string, number]>): Promise<void> {
    if (jobs.length === 0) return;
    try {
      await this.bounded(
        this.scripts.sockudoQueueRelease(
          this.keys.attempts,
          this.keys.active,
          this.keys.wait,
          ...jobs.flat(),
        ),
        'a release',
      );
    } catch {
      // Their leases lapse instead; the jobs come back then.
    }
  }

  /**
   * Stops claiming, gives running handlers up to `timeoutMs`, then hands the jobs still running back to
   * the queue (another instance may take them at once). Nothing is deleted.
   */
  async stop(timeoutMs: number): Promise<void> {
    this.stopped = true;
    this.wake();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    });
    try {
      // The polling loop ends after at most one claim (itself bounded by the command timeout).
      await Promise.race([this.loop, deadline]);
      await Promise.race([Promise.allSettled([...this.inFlight]), deadline]);
    } finally {
      clearTimeout(timer);
    }
    clearInterval(this.renewTimer);
    await this.release([...this.running]);
  }
}
