// The cache, queue, rate-limiter and history-store suites proven against core's in-process drivers. These drivers keep
// nothing outside the object, so each `namespace` is simply a new object (and the queue is not durable).

import {
  createMemoryCache,
  createMemoryHistoryStore,
  createMemoryQueue,
  createMemoryRateLimiter,
} from '@sockudo/core';
import { describe, expect, it } from 'vitest';
import { cacheTestSuite, historyStoreTestSuite, queueTestSuite, rateLimiterTestSuite } from '../src/index.js';

describe('memory cache', () => {
  cacheTestSuite(it, () => createMemoryCache(), { describe });
  it('implements setIfAbsent, so the suite’s setIfAbsent cases run against it', () => {
    expect(typeof createMemoryCache().setIfAbsent).toBe('function');
  });
});

describe('memory queue', () => {
  // A short back-off for handlers that throw keeps the suite quick; the default is 1 s.
  queueTestSuite(it, () => createMemoryQueue({ retryDelayMs: 100 }), { describe });
});

describe('memory rate limiter', () => {
  rateLimiterTestSuite(it, () => createMemoryRateLimiter(), { describe });
});

describe('memory history store', () => {
  // Its default cap of 1000 messages per channel is below the suite's 10,000-message walk.
  historyStoreTestSuite(it, () => createMemoryHistoryStore({ maxMessagesPerChannel: 10_000 }), { describe });
});
