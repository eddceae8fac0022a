// @sockudo/test-suite's cacheTestSuite against a real Redis and a real Redis Cluster, exactly as an
// outside driver author runs it: each test's namespace is the key prefix, removed afterwards.

import { REDIS_MODES, useRedisNamespaces } from '@sockudo/test-helpers/redis-modes';
import { cacheTestSuite } from '@sockudo/test-suite';
import { describe, expect, it } from 'vitest';
import { createRedisCache } from '../../src/index.js';

describe.each(REDIS_MODES)('$name', (mode) => {
  const namespaced = useRedisNamespaces(mode);
  cacheTestSuite(
    it,
    ({ namespace }) => {
      return createRedisCache({ ...mode.connection, prefix: namespaced(namespace) });
    },
    // Two instances over one prefix share entries, so setIfAbsent's race runs across instances.
    { describe, shared: true },
  );
  it('implements setIfAbsent (idempotent publish relies on it being atomic)', () => {
    const cache = createRedisCache(mode.connection);
    expect(typeof cache.setIfAbsent).toBe('function');
    return cache.close?.();
  });
});
