// The cases of the optional `setIfAbsent` (the atomic claim idempotent publish relies on). A cache
// without the method skips them, like `ttl()`; a cache that has it must keep every promise.

import assert from 'node:assert/strict';
import type { CacheV1 } from '@sockudo/core';
import type { DriverScope, DriverTestCase } from '../driver/driver-suite.js';
import { waitFor } from '../testing/wait.js';

/** What each case gets: the cache under test, its scope (for a second instance) and the expiry bound. */
export interface SetIfAbsentContext {
  cache: CacheV1;
  scope: DriverScope<CacheV1>;
  expiryWaitMs: number;
  /** Instances created over the same namespace share entries (a networked cache). */
  shared: boolean;
}

type Claim = NonNullable<CacheV1['setIfAbsent']>;

/** The cache's `setIfAbsent`, bound, or undefined when it does not implement one. */
function claimOf(cache: CacheV1): Claim | undefined {
  return cache.setIfAbsent?.bind(cache);
}

export const setIfAbsentCases: DriverTestCase<SetIfAbsentContext>[] = [
  {
    name: 'setIfAbsent, if implemented: stores an absent key and resolves true',
    async run({ cache }) {
      const claim = claimOf(cache);
      if (!claim) return;
      assert.equal(await claim('fresh', 'first', 60), true);
      assert.equal(await cache.get('fresh'), 'first');
      if (cache.ttl) {
        const left = await cache.ttl('fresh');
        assert.ok(
          left !== undefined && left >= 1 && left <= 60,
          `ttl() after setIfAbsent(…, 60) was ${left}`,
        );
      }
    },
  },
  {
    name: 'setIfAbsent, if implemented: leaves a present key as it was and resolves false',
    async run({ cache }) {
      const claim = claimOf(cache);
      if (!claim) return;
      await cache.set('taken', 'original');
      assert.equal(await claim('taken', 'intruder', 60), false);
      assert.equal(await cache.get('taken'), 'original');
      assert.equal(await claim('taken', '', 60), false, 'setIfAbsent must not win over a live entry');
      await cache.set('empty-value', '');
      assert.equal(await claim('empty-value', 'x', 60), false, 'an empty string is a live entry');
    },
  },
  {
    name: 'setIfAbsent, if implemented: a deleted or expired key can be claimed again',
    async run({ cache, expiryWaitMs }) {
      const claim = claimOf(cache);
      if (!claim) return;
      assert.equal(await claim('cycle', 'one', 60), true);
      await cache.delete('cycle');
      assert.equal(await claim('cycle', 'two', 60), true, 'after delete');
      assert.equal(await cache.get('cycle'), 'two');
      assert.equal(await claim('short', 'one', 1), true);
      await waitFor(
        async () => (await cache.get('short')) === undefined,
        'an entry claimed with a TTL of 1 s was still readable',
        { timeoutMs: expiryWaitMs, intervalMs: 100 },
      );
      assert.equal(await claim('short', 'two', 60), true, 'after expiry');
      assert.equal(await cache.get('short'), 'two');
    },
  },
  {
    name: 'setIfAbsent, if implemented: of 25 racing claims (from two instances when shared), exactly one wins',
    async run({ cache, scope, shared }) {
      const claim = claimOf(cache);
      if (!claim) return;
      // For a shared store, a second instance over the same namespace, as a second node would have.
      const peerClaim = shared ? claimOf(await scope.create(scope.namespace)) : claim;
      assert.ok(peerClaim, 'a second instance of the same driver has no setIfAbsent');
      const results = await Promise.all(
        Array.from({ length: 25 }, (_, i) => (i % 2 === 0 ? claim : peerClaim)('raced', `claimant ${i}`, 60)),
      );
      const winners = results.flatMap((won, i) => (won ? [i] : []));
      assert.equal(winners.length, 1, `winners: ${JSON.stringify(winners)}`);
      assert.equal(await cache.get('raced'), `claimant ${winners[0]}`);
    },
  },
];
