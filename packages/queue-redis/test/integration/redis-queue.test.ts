// The Redis queue against a real Redis and a real Redis Cluster: delivery, retries after their delay,
// the dead-letter list, two instances sharing one queue, leases (renewed while a handler runs, lapsed
// when a worker dies, handed back on close), durability across instances, and Redis being away.

import { randomUUID } from 'node:crypto';
import type { QueueJob, QueueJobOutcome, QueueV1 } from '@sockudo/core';
import {
  eventually,
  freePort,
  REDIS_CLUSTER_NODES,
  REDIS_URL,
  requireRedis,
  requireRedisCluster,
  sleep,
} from '@sockudo/test-helpers/services';
import { Cluster, Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createRedisQueue, queueKeys, type RedisQueueOptions } from '../../src/index.js';

const opened: QueueV1[] = [];
const prefixes: string[] = [];
afterEach(async () => {
  await Promise.allSettled(opened.splice(0).map((queue) => queue.close?.()));
});

function queue(options: RedisQueueOptions): QueueV1 {
  const created = createRedisQueue({ pollIntervalMs: 50, ...options });
  opened.push(created);
  return created;
}

/** A handler that records every job and answers with `outcome(job)` (default done). */
function recorder(
  outcome: (job: QueueJob) => QueueJobOutcome | Promise<QueueJobOutcome> = () => ({ status: 'done' }),
) {
  const jobs: Array<QueueJob & { at: number }> = [];
  const handler = async (job: QueueJob): Promise<QueueJobOutcome> => {
    jobs.push({ ...job, at: Date.now() });
    return outcome(job);
  };
  return { jobs, handler };
}

const modes = [
  {
    name: 'redis',
    require: requireRedis,
    options: (prefix?: string): RedisQueueOptions => ({ url: REDIS_URL, prefix }),
    raw: () => new Redis(REDIS_URL) as Redis | Cluster,
  },
  {
    name: 'redis cluster',
    require: requireRedisCluster,
    options: (prefix?: string): RedisQueueOptions => ({ nodes: REDIS_CLUSTER_NODES, prefix }),
    raw: () => new Cluster(REDIS_CLUSTER_NODES) as Redis | Cluster,
  },
];

describe.each(modes)('$name queue', (mode) => {
  let raw: Redis | Cluster;
  beforeAll(async () => {
    await mode.require();
    raw = mode.raw();
  });
  afterAll(async () => {
    if (!raw) return;
    // Each test used its own prefix; remove what they left (dead letters, jobs of closed queues).
    for (const prefix of prefixes.splice(0)) {
      const keys = queueKeys(prefix, 'q');
      await raw.del(keys.jobs, keys.attempts, keys.wait, keys.delayed, keys.active, keys.dlq);
    }
    await raw.quit();
  });
  const prefix = () => {
    const p = `test_queue:${randomUUID()}:`;
    prefixes.push(p);
    return p;
  };
  /** How many ids each structure of queue `q` holds. */
  const sizes = async (p: string) => {
    const k = queueKeys(p, 'q');
    const [jobs, wait, delayed, active, dlq] = await Promise.all([
      raw.hlen(k.jobs),
      raw.llen(k.wait),
      raw.zcard(k.delayed),
      raw.zcard(k.active),
      raw.llen(k.dlq),
    ]);
    return { jobs, wait, delayed, active, dlq };
  };

  it('is reachable (scripts/services.sh must have started it)', async () => {
    await expect(queue(mode.options(prefix())).checkHealth?.()).resolves.toBeUndefined();
  });

  it('keeps all keys of one queue in one cluster slot ({queue} hash tag)', async () => {
    const keys = Object.values(queueKeys('sockudo_queue:', 'webhooks'));
    expect(keys).toContain('sockudo_queue:{webhooks}:wait');
    if (raw instanceof Cluster) {
      const slots = await Promise.all(keys.map((key) => raw.cluster('KEYSLOT', key)));
      expect(new Set(slots).size).toBe(1);
    }
  });

  it('delivers pushed jobs once each, in order, with their data, then forgets them', async () => {
    const p = prefix();
    const q = queue({ ...mode.options(p), concurrency: 1 });
    const { jobs, handler } = recorder();
    q.process('q', handler);
    const payloads = [{ n: 1, at: 1_717_171_717_171 }, 'two', [3, { deep: 'ünï ✓' }], null];
    for (const payload of payloads) await q.push('q', payload);
    await eventually(() => expect(jobs).toHaveLength(payloads.length));
    expect(jobs.map((job) => job.data)).toEqual(payloads);
    expect(jobs.every((job) => job.attempts === 1)).toBe(true);
    expect(new Set(jobs.map((job) => job.id)).size).toBe(payloads.length);
    await eventually(async () =>
      expect(await sizes(p)).toEqual({ jobs: 0, wait: 0, delayed: 0, active: 0, dlq: 0 }),
    );
    await sleep(200);
    expect(jobs).toHaveLength(payloads.length);
  });

  it('retries after the delay the handler asks for, counting attempts', async () => {
    const p = prefix();
    const q = queue(mode.options(p));
    const { jobs, handler } = recorder((job) =>
      job.attempts < 3 ? { status: 'retry', delayMs: 300 } : { status: 'done' },
    );
    q.process('q', handler);
    await q.push('q', { hook: 1 });
    await eventually(() => expect(jobs).toHaveLength(1));
    // Waiting out its delay in the delayed set, not running.
    await eventually(async () =>
      expect(await sizes(p)).toMatchObject({ jobs: 1, delayed: 1, active: 0, wait: 0 }),
    );
    await eventually(() => expect(jobs).toHaveLength(3), 5000);
    expect(jobs.map((job) => job.attempts)).toEqual([1, 2, 3]);
    expect(new Set(jobs.map((job) => job.id)).size).toBe(1);
    for (let i = 1; i < jobs.length; i++) {
      expect(jobs[i]!.at - jobs[i - 1]!.at).toBeGreaterThanOrEqual(290);
      expect(jobs[i]!.at - jobs[i - 1]!.at).toBeLessThan(1500);
    }
    await eventually(async () => expect(await sizes(p)).toMatchObject({ jobs: 0, delayed: 0, active: 0 }));
  });

  it('moves a failed job to the dead-letter list, with its data, reason and attempts', async () => {
    const p = prefix();
    const q = queue(mode.options(p));
    const { jobs, handler } = recorder(() => ({ status: 'failed', reason: 'HTTP 410 "gone"' }));
    q.process('q', handler);
    const data = { url: 'http://x.test/hook', firstAttemptAt: 1_717_171_717_171, body: '{"a":1}' };
    await q.push('q', data);
    await eventually(async () =>
      expect(await sizes(p)).toEqual({ jobs: 0, wait: 0, delayed: 0, active: 0, dlq: 1 }),
    );
    const [entry] = await raw.lrange(queueKeys(p, 'q').dlq, 0, -1);
    expect(JSON.parse(entry!)).toEqual({
      id: jobs[0]!.id,
      queue: 'q',
      attempts: 1,
      reason: 'HTTP 410 "gone"',
      failedAt: expect.any(Number),
      data,
    });
    expect(Math.abs(JSON.parse(entry!).failedAt - Date.now())).toBeLessThan(60_000);
  });

  it('keeps only the newest deadLetterLength failed jobs', async () => {
    const p = prefix();
    const q = queue({ ...mode.options(p), deadLetterLength: 3, concurrency: 1 });
    q.process('q', recorder(() => ({ status: 'failed', reason: 'no' })).handler);
    for (let i = 0; i < 6; i++) await q.push('q', i);
    await eventually(async () => expect(await sizes(p)).toMatchObject({ jobs: 0, dlq: 3 }));
    const entries = (await raw.lrange(queueKeys(p, 'q').dlq, 0, -1)).map((e) => JSON.parse(e).data);
    expect(entries).toEqual([5, 4, 3]);
  });

  it('retries a handler that throws with backoff, and gives up after maxAttempts', async () => {
    const p = prefix();
    const q = queue({ ...mode.options(p), maxAttempts: 3, retryBaseDelayMs: 50 });
    const { jobs, handler } = recorder(() => {
      throw new Error('receiver exploded');
    });
    q.process('q', handler);
    await q.push('q', 'boom');
    await eventually(async () => expect(await sizes(p)).toMatchObject({ jobs: 0, dlq: 1 }), 5000);
    expect(jobs.map((job) => job.attempts)).toEqual([1, 2, 3]);
    // 50 ms, then 100 ms: the delay doubles.
    expect(jobs[1]!.at - jobs[0]!.at).toBeGreaterThanOrEqual(45);
    expect(jobs[2]!.at - jobs[1]!.at).toBeGreaterThanOrEqual(95);
    const [entry] = await raw.lrange(queueKeys(p, 'q').dlq, 0, -1);
    expect(JSON.parse(entry!)).toMatchObject({
      attempts: 3,
      reason: 'gave up after 3 attempts',
      data: 'boom',
    });
  });

  it('treats a handler answer that is not an outcome like a throw (retried)', async () => {
    const p = prefix();
    const q = queue({ ...mode.options(p), retryBaseDelayMs: 50 });
    const { jobs, handler } = recorder((job) =>
      job.attempts === 1 ? (undefined as unknown as QueueJobOutcome) : { status: 'done' },
    );
    q.process('q', handler);
    await q.push('q', 'odd');
    await eventually(async () => expect(await sizes(p)).toMatchObject({ jobs: 0, dlq: 0 }));
    expect(jobs.map((job) => job.attempts)).toEqual([1, 2]);
  });

  it('shares 100 jobs between two instances without handling any twice', async () => {
    const p = prefix();
    const producer = queue(mode.options(p));
    const handled = new Map<string, string[]>();
    const perInstance = { a: 0, b: 0 };
    for (const name of ['a', 'b'] as const) {
      queue(mode.options(p)).process<number>('q', async (job) => {
        perInstance[name] += 1;
        handled.set(String(job.data), [...(handled.get(String(job.data)) ?? []), name]);
        await sleep(5 + Math.random() * 20);
        return { status: 'done' };
      });
    }
    await Promise.all(Array.from({ length: 100 }, (_, i) => producer.push('q', i)));
    await eventually(() => expect(handled.size).toBe(100), 10_000);
    await sleep(300); // nothing comes a second time
    expect([...handled.values()].filter((by) => by.length > 1)).toEqual([]);
    expect(perInstance.a + perInstance.b).toBe(100);
    expect(perInstance.a).toBeGreaterThan(0);
    expect(perInstance.b).toBeGreaterThan(0);
    expect(await sizes(p)).toEqual({ jobs: 0, wait: 0, delayed: 0, active: 0, dlq: 0 });
  });

  it('runs at most `concurrency` jobs of a queue at once per instance', async () => {
    const p = prefix();
    const q = queue({ ...mode.options(p), concurrency: 3 });
    let running = 0;
    let most = 0;
    let done = 0;
    q.process('q', async () => {
      running += 1;
      most = Math.max(most, running);
      await sleep(30);
      running -= 1;
      done += 1;
      return { status: 'done' };
    });
    await Promise.all(Array.from({ length: 20 }, (_, i) => q.push('q', i)));
    await eventually(() => expect(done).toBe(20));
    expect(most).toBe(3);
  });

  it('renews the lease of a slow handler, so a second instance does not take its job', async () => {
    const p = prefix();
    const a = queue({ ...mode.options(p), leaseMs: 300 });
    const b = queue({ ...mode.options(p), leaseMs: 300 });
    const seen: string[] = [];
    const slow = (name: string) => async () => {
      seen.push(name);
      await sleep(1200); // four leases long
      return { status: 'done' } as const;
    };
    a.process('q', slow('a'));
    await a.push('q', 'slow');
    await eventually(() => expect(seen).toEqual(['a']));
    b.process('q', slow('b'));
    await eventually(async () => expect((await sizes(p)).jobs).toBe(0), 5000);
    await sleep(400);
    expect(seen).toEqual(['a']);
  });

  it('gives a job whose worker died (lease not renewed) to another instance once the lease lapses', async () => {
    const p = prefix();
    const doomedClient = mode.raw();
    const doomed = queue({
      client: doomedClient,
      prefix: p,
      leaseMs: 600,
      closeTimeoutMs: 100,
      commandTimeoutMs: 300,
    });
    let started = 0;
    doomed.process('q', async () => {
      started = Date.now();
      doomedClient.disconnect(); // the "process" loses Redis mid-delivery and never answers
      return new Promise<QueueJobOutcome>(() => {});
    });
    await doomed.push('q', { important: true });
    await eventually(() => expect(started).toBeGreaterThan(0));
    expect(await sizes(p)).toMatchObject({ jobs: 1, active: 1 });

    const { jobs, handler } = recorder();
    queue(mode.options(p)).process('q', handler);
    await eventually(() => expect(jobs).toHaveLength(1), 5000);
    expect(jobs[0]).toMatchObject({ data: { important: true }, attempts: 2 });
    expect(jobs[0]!.at - started).toBeGreaterThanOrEqual(550);
    await eventually(async () => expect(await sizes(p)).toMatchObject({ jobs: 0, active: 0 }));
  });

  it('hands jobs still running at close() back to the queue at once, and keeps waiting jobs', async () => {
    const p = prefix();
    const first = queue({ ...mode.options(p), concurrency: 1, closeTimeoutMs: 200 });
    const started: unknown[] = [];
    first.process('q', async (job) => {
      started.push(job.data);
      return new Promise<QueueJobOutcome>(() => {}); // hangs past close()
    });
    await first.push('q', 'in-flight');
    await first.push('q', 'waiting');
    await eventually(() => expect(started).toEqual(['in-flight']));
    const closing = Date.now();
    await first.close?.();
    expect(Date.now() - closing).toBeLessThan(1500);
    expect(await sizes(p)).toMatchObject({ jobs: 2, wait: 2, active: 0 });
    await expect(first.push('q', 'late')).rejects.toThrow(/closed/);

    // The default lease is 30 s: the second instance gets both jobs long before that.
    const { jobs, handler } = recorder();
    queue(mode.options(p)).process('q', handler);
    await eventually(
      () => expect(jobs.map((job) => job.data).sort()).toEqual(['in-flight', 'waiting']),
      3000,
    );
    expect(jobs.find((job) => job.data === 'in-flight')?.attempts).toBe(2);
    expect(jobs.find((job) => job.data === 'waiting')?.attempts).toBe(1);
  });

  it("uses Rust Sockudo's sockudo_queue: prefix by default", async () => {
    const name = `test-default-prefix-${randomUUID()}`;
    const keys = queueKeys('sockudo_queue:', name);
    try {
      await queue(mode.options()).push(name, 'x');
      expect(await raw.llen(`sockudo_queue:{${name}}:wait`)).toBe(1);
    } finally {
      await raw.del(keys.jobs, keys.wait);
    }
  });

  it('keeps queues with different names and prefixes apart', async () => {
    const p1 = prefix();
    const p2 = prefix();
    const one = recorder();
    const other = recorder();
    const q1 = queue(mode.options(p1));
    const q2 = queue(mode.options(p2));
    q1.process('q', one.handler);
    q2.process('q', other.handler);
    await q1.push('q', 'for-p1');
    await q2.push('q', 'for-p2');
    await q1.push('other-queue', 'nobody-listens');
    await eventually(() => expect([one.jobs.length, other.jobs.length]).toEqual([1, 1]));
    expect(one.jobs[0]?.data).toBe('for-p1');
    expect(other.jobs[0]?.data).toBe('for-p2');
    const otherKeys = queueKeys(p1, 'other-queue');
    expect(await raw.llen(otherKeys.wait)).toBe(1);
    await raw.del(otherKeys.jobs, otherKeys.wait);
  });

  it('rejects a push beyond capacity, and one whose data is not JSON', async () => {
    const p = prefix();
    const q = queue({ ...mode.options(p), capacity: 2 });
    await q.push('q', 1);
    await q.push('q', 2);
    await expect(q.push('q', 3)).rejects.toThrow(/full/);
    expect((await sizes(p)).jobs).toBe(2);
    // Data JSON cannot hold is a rejected push too, never a synchronous throw.
    await expect(q.push('q', { n: 1n })).rejects.toThrow(/BigInt/);
  });
});

describe('while Redis is unreachable', () => {
  it('rejects pushes within the command timeout, keeps polling quietly, and closes promptly', async () => {
    const port = await freePort(); // nothing listens here
    const warnings: string[] = [];
    const logger = { debug() {}, info() {}, warn: (message: string) => warnings.push(message), error() {} };
    const q = queue({ url: `redis://127.0.0.1:${port}`, commandTimeoutMs: 300, logger });
    q.process('q', async () => ({ status: 'done' }));
    const started = Date.now();
    await expect(q.push('q', 'x')).rejects.toThrow();
    await expect(q.checkHealth?.()).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(2000);
    await sleep(700);
    expect(warnings.filter((w) => w.includes('cannot claim'))).toHaveLength(1); // once per outage
    const closing = Date.now();
    await q.close?.();
    expect(Date.now() - closing).toBeLessThan(2000);
  });

  it('recovers when Redis comes back: jobs pushed before the outage are delivered', async () => {
    // A Redis server of our own, so it can be stopped and started.
    const { spawn } = await import('node:child_process');
    const port = await freePort();
    const start = async () => {
      const child = spawn(
        'redis-server',
        ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
        {
          stdio: 'ignore',
        },
      );
      const failed = new Promise<never>((_, reject) =>
        child.once('error', (error) =>
          reject(new Error(`could not run redis-server (apt-get install redis-server): ${error.message}`)),
        ),
      );
      failed.catch(() => {});
      const probe = new Redis(port, '127.0.0.1', {
        lazyConnect: true,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
      });
      probe.on('error', () => {});
      await Promise.race([failed, eventually(() => probe.connect().then(() => probe.ping()), 5000)]);
      probe.disconnect();
      return child;
    };
    let server = await start();
    try {
      const q = queue({ url: `redis://127.0.0.1:${port}`, commandTimeoutMs: 300 });
      await q.push('q', 'before');
      // Redis dies (and, without persistence, comes back empty); the queue keeps reconnecting and is
      // usable again without being recreated.
      server.kill('SIGKILL');
      await sleep(300);
      const { jobs, handler } = recorder();
      q.process('q', handler);
      await sleep(500);
      expect(jobs).toHaveLength(0);
      server = await start();
      await eventually(() => q.push('q', 'after'), 5000);
      await eventually(() => expect(jobs.map((job) => job.data)).toContain('after'), 8000);
    } finally {
      server.kill('SIGKILL');
    }
  });
});
