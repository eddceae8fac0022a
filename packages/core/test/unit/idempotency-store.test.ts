// The IdempotencyStore over the real memory cache: claiming, replaying, waiting for a request still
// publishing, releasing, and Rust Sockudo's record values.

import { describe, expect, it } from 'vitest';
import {
  batchIdempotencyCacheKey,
  IDEMPOTENCY_PROCESSING,
  IdempotencyStore,
  idempotencyCacheKey,
  idempotencyFor,
} from '../../src/http/idempotency.js';
import { HttpError } from '../../src/http/respond.js';
import { createMemoryCache } from '../../src/memory/memory-cache.js';
import { silentLogger } from '../../src/util/logger.js';

const SETTINGS = { enabled: true, ttlSeconds: 120, maxKeyLength: 128 };

describe('IdempotencyStore', () => {
  it('uses Rust Sockudo’s cache keys, sentinel and stored values', async () => {
    expect(idempotencyCacheKey('app-1', 'k')).toBe('app:app-1:idempotency:k');
    expect(batchIdempotencyCacheKey('app-1', 'k')).toBe('app:app-1:batch-idempotency:k');
    const cache = createMemoryCache();
    const store = new IdempotencyStore(cache, silentLogger);
    expect(await store.claim('a', 60)).toEqual({ claimed: true });
    expect(await cache.get('a')).toBe(IDEMPOTENCY_PROCESSING);
    expect(await cache.get('a')).toBe('__processing__');
    await store.commit('a', { channels: { c: { subscription_count: 2 } } }, 60);
    expect(await cache.get('a')).toBe('{"channels":{"c":{"subscription_count":2}}}');
    expect(await store.claim('a', 60)).toEqual({
      claimed: false,
      body: { channels: { c: { subscription_count: 2 } } },
    });
    expect(await store.claimEvent('e', 60)).toBe(true);
    await store.commitEvent('e', 60);
    expect(await cache.get('e')).toBe('1');
    expect(await store.claimEvent('e', 60)).toBe(false);
  });

  it('answers a value that is not a JSON object (a batch event’s marker, another writer’s) with {}', async () => {
    const cache = createMemoryCache();
    const store = new IdempotencyStore(cache, silentLogger);
    for (const value of ['1', 'cross_region', '[1]', 'null']) {
      await cache.set('k', value, 60);
      expect(await store.claim('k', 60), value).toEqual({ claimed: false, body: {} });
    }
  });

  it('waits for the request still publishing and answers with its response', async () => {
    const cache = createMemoryCache();
    const store = new IdempotencyStore(cache, silentLogger, 5000, 5);
    await store.claim('busy', 60);
    const waiting = store.claim('busy', 60);
    await store.commit('busy', { done: true }, 60);
    expect(await waiting).toEqual({ claimed: false, body: { done: true } });
  });

  it('lets one waiter claim a key released after a failed publish', async () => {
    const cache = createMemoryCache();
    const store = new IdempotencyStore(cache, silentLogger, 5000, 5);
    await store.claim('failing', 60);
    const outcomes: Array<{ claimed: boolean }> = [];
    const waiters = [1, 2].map(async () => {
      const outcome = await store.claim('failing', 60);
      outcomes.push(outcome);
      // The waiter that claimed publishes and commits; the other then replays its response.
      if (outcome.claimed) await store.commit('failing', { retried: true }, 60);
      return outcome;
    });
    await store.release('failing');
    await Promise.all(waiters);
    expect(outcomes).toEqual([{ claimed: true }, { claimed: false, body: { retried: true } }]);
  });

  it('answers 503 with Retry-After: 1 when the first request does not finish in time', async () => {
    const store = new IdempotencyStore(createMemoryCache(), silentLogger, 30, 5);
    await store.claim('stuck', 60);
    const error = await store.claim('stuck', 60).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpError);
    expect(error).toMatchObject({
      status: 503,
      message: 'Idempotent publish is still in progress',
      headers: { 'Retry-After': '1' },
    });
  });

  it('release leaves a committed response alone', async () => {
    const cache = createMemoryCache();
    const store = new IdempotencyStore(cache, silentLogger);
    await store.claim('kept', 60);
    await store.commit('kept', {}, 60);
    await store.release('kept');
    expect(await cache.get('kept')).toBe('{}');
  });

  it('an app’s policy overrides enabled and ttl_seconds, never max_key_length', () => {
    const app = { idempotency: { enabled: false, ttlSeconds: 5 } } as never;
    expect(idempotencyFor(app, SETTINGS)).toEqual({ enabled: false, ttlSeconds: 5, maxKeyLength: 128 });
    expect(idempotencyFor({} as never, SETTINGS)).toBe(SETTINGS);
    expect(idempotencyFor({ idempotency: { ttlSeconds: 9 } } as never, SETTINGS)).toEqual({
      ...SETTINGS,
      ttlSeconds: 9,
    });
  });
});
