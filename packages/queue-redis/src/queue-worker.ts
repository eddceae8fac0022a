// The worker of one queue: claims jobs, runs the handler on them at most `concurrency` at a time, renews
// their leases while they run, records each outcome, and on stop hands what is still running back.

import type { Logger, QueueJob, QueueJobOutcome } from '@sockudo/core';
import type { QueueKeys } from './queue-keys.js';
import type { Scripts } from './queue-scripts.js';

export type Handler = (job: QueueJob) => Promise<QueueJobOutcome>;

/** One claimed job: its id, data as stored (JSON), and the attempt number that is its lease token. */
interface Claimed {
  id: string;
  data: string;
  attempts: number;
}

/** What a worker takes from the queue options, defaults applied. */
export interface WorkerSettings {
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
export class QueueWorker {
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
