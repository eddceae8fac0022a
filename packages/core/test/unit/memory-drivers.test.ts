// The in-process drivers: cache (TTL, bound on entries), fixed-window rate limiter, and queue
// (ordering, retries, capacity). Time is faked so nothing here sleeps.

import { createMemoryCache, createMemoryQueue, createMemoryRateLimiter, type QueueJob } from '@sockudo/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

beforeEach(() => {
  vi.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('createMemoryCache', () => {
  it('stores, reads and deletes', async () => {
    const cache = createMemoryCache();
    expect(cache.specVersion).toBe(1);
    expect(await cache.get('k')).toBeUndefined();
    await cache.set('k', 'v1');
    expect(await cache.get('k')).toBe('v1');
    await cache.set('k', 'v2');
    expect(await cache.get('k')).toBe('v2');
    await cache.delete('k');
    expect(await cache.get('k')).toBeUndefined();
  });

  it('expires an entry after its TTL and reports the seconds left', async () => {
    const cache = createMemoryCache();
    await cache.set('short', 'x', 10);
    await cache.set('forever', 'y');
    expect(await cache.ttl!('short')).toBe(10);
    expect(await cache.ttl!('forever')).toBe(-1);
    expect(await cache.ttl!('missing')).toBeUndefined();

    vi.advanceTimersByTime(4_500);
    expect(await cache.ttl!('short')).toBe(6);
    expect(await cache.get('short')).toBe('x');

    vi.advanceTimersByTime(5_500);
    expect(await cache.get('short')).toBeUndefined();
    expect(await cache.ttl!('short')).toBeUndefined();
    expect(await cache.get('forever')).toBe('y');
  });

  it('treats a TTL of 0 as no expiry', async () => {
    const cache = createMemoryCache();
    await cache.set('k', 'v', 0);
    vi.advanceTimersByTime(365 * 24 * 3600 * 1000);
    expect(await cache.get('k')).toBe('v');
  });

  it('evicts the least recently written entry beyond maxEntries', async () => {
    const cache = createMemoryCache({ maxEntries: 3 });
    await cache.set('a', '1');
    await cache.set('b', '2');
    await cache.set('c', '3');
    await cache.set('a', '1 again'); // rewritten: now the newest
    await cache.set('d', '4');
    expect(await cache.get('b')).toBeUndefined();
    expect(await cache.get('a')).toBe('1 again');
    expect(await cache.get('c')).toBe('3');
    expect(await cache.get('d')).toBe('4');
  });

  it('empties on close', async () => {
    const cache = createMemoryCache();
    await cache.set('k', 'v');
    await cache.close!();
    expect(await cache.get('k')).toBeUndefined();
  });
});

describe('createMemoryRateLimiter', () => {
  it('allows up to the limit in a window and consumes nothing when refusing', async () => {
    const limiter = createMemoryRateLimiter();
    expect(limiter.specVersion).toBe(1);
    expect(await limiter.consume('k', 3, 5, 1)).toEqual({
      allowed: true,
      limit: 5,
      remaining: 2,
      resetSeconds: 1,
    });
    expect(await limiter.consume('k', 3, 5, 1)).toEqual({
      allowed: false,
      limit: 5,
      remaining: 2,
      resetSeconds: 1,
    });
    expect(await limiter.consume('k', 2, 5, 1)).toEqual({
      allowed: true,
      limit: 5,
      remaining: 0,
      resetSeconds: 1,
    });
    expect((await limiter.consume('k', 1, 5, 1)).allowed).toBe(false);
  });

  it('starts a new window once the old one has passed', async () => {
    const limiter = createMemoryRateLimiter();
    await limiter.consume('k', 2, 2, 1);
    expect((await limiter.consume('k', 1, 2, 1)).allowed).toBe(false);
    vi.advanceTimersByTime(999);
    expect((await limiter.consume('k', 1, 2, 1)).allowed).toBe(false);
    vi.advanceTimersByTime(1);
    expect(await limiter.consume('k', 1, 2, 1)).toMatchObject({ allowed: true, remaining: 1 });
  });

  it('reports the seconds until the window resets', async () => {
    const limiter = createMemoryRateLimiter();
    await limiter.consume('k', 1, 10, 60);
    vi.advanceTimersByTime(15_500);
    expect((await limiter.consume('k', 1, 10, 60)).resetSeconds).toBe(45);
  });

  it('keeps keys independent', async () => {
    const limiter = createMemoryRateLimiter();
    expect((await limiter.consume('a', 1, 1, 1)).allowed).toBe(true);
    expect((await limiter.consume('a', 1, 1, 1)).allowed).toBe(false);
    expect((await limiter.consume('b', 1, 1, 1)).allowed).toBe(true);
  });

  it('refuses a single request bigger than the limit', async () => {
    const limiter = createMemoryRateLimiter();
    expect(await limiter.consume('k', 3, 2, 1)).toMatchObject({ allowed: false, remaining: 2 });
  });
});

describe('createMemoryQueue', () => {
  /** Lets queued microtasks and promise chains run. */
  const settle = async () => {
    for (let i = 0; i < 10; i++) await Promise.resolve();
  };

  it('delivers pushed jobs in order, one at a time, counting attempts', async () => {
    const queue = createMemoryQueue();
    expect(queue.specVersion).toBe(1);
    const seen: Array<[unknown, number]> = [];
    let running = 0;
    let maxRunning = 0;
    queue.process('hooks', async (job: QueueJob) => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      await Promise.resolve();
      seen.push([job.data, job.attempts]);
      running--;
      return { status: 'done' };
    });
    for (const n of [1, 2, 3]) await queue.push('hooks', { n });
    await settle();
    await vi.runAllTimersAsync();
    expect(seen).toEqual([
      [{ n: 1 }, 1],
      [{ n: 2 }, 1],
      [{ n: 3 }, 1],
    ]);
    expect(maxRunning).toBe(1);
  });

  it('delivers jobs pushed before a handler is registered once one is', async () => {
    const queue = createMemoryQueue();
    await queue.push('later', 'early job');
    const seen: unknown[] = [];
    queue.process('later', async (job) => {
      seen.push(job.data);
      return { status: 'done' };
    });
    await vi.runAllTimersAsync();
    expect(seen).toEqual(['early job']);
  });

  it('retries after the delay the handler asks for', async () => {
    const queue = createMemoryQueue();
    const attempts: number[] = [];
    queue.process('q', async (job) => {
      attempts.push(job.attempts);
      return job.attempts < 3 ? { status: 'retry', delayMs: 5_000 } : { status: 'done' };
    });
    await queue.push('q', 'x');
    await settle();
    expect(attempts).toEqual([1]);
    await vi.advanceTimersByTimeAsync(4_999);
    expect(attempts).toEqual([1]);
    await vi.advanceTimersByTimeAsync(1);
    expect(attempts).toEqual([1, 2]);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(attempts).toEqual([1, 2, 3]);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(attempts).toEqual([1, 2, 3]);
  });

  it('retries a job whose handler throws after retryDelayMs, and drops a failed one', async () => {
    const queue = createMemoryQueue({ retryDelayMs: 200 });
    const attempts: Array<[unknown, number]> = [];
    queue.process('q', async (job) => {
      attempts.push([job.data, job.attempts]);
      if (job.data === 'throws' && job.attempts === 1) throw new Error('boom');
      if (job.data === 'fails') return { status: 'failed', reason: 'no' };
      return { status: 'done' };
    });
    await queue.push('q', 'throws');
    await queue.push('q', 'fails');
    await vi.advanceTimersByTimeAsync(1_000);
    expect(attempts).toEqual([
      ['throws', 1],
      ['fails', 1],
      ['throws', 2],
    ]);
  });

  it('refuses a push beyond capacity, and any push after close', async () => {
    const queue = createMemoryQueue({ capacity: 2 });
    await queue.push('q', 1);
    await queue.push('q', 2);
    await expect(queue.push('q', 3)).rejects.toThrow(/full/);
    await queue.push('other', 1); // capacity is per queue

    await queue.close!();
    await expect(queue.push('q', 4)).rejects.toThrow(/closed/);
  });

  it('stops retrying once closed', async () => {
    const queue = createMemoryQueue();
    let attempts = 0;
    queue.process('q', async () => {
      attempts++;
      return { status: 'retry', delayMs: 100 };
    });
    await queue.push('q', 'x');
    await settle();
    expect(attempts).toBe(1);
    await queue.close!();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(attempts).toBe(1);
  });
});
