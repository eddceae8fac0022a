// @sockudo/test-suite's rateLimiterTestSuite against a real Redis and a real Redis Cluster, exactly as an
// outside driver author runs it: each test's namespace is the key prefix, removed afterwards.

import { REDIS_MODES, useRedisNamespaces } from '@sockudo/test-helpers/redis-modes';
import { rateLimiterTestSuite } from '@sockudo/test-suite';
import { describe, it } from 'vitest';
import { createRedisRateLimiter } from '../../src/index.js';

describe.each(REDIS_MODES)('$name', (mode) => {
  const namespaced = useRedisNamespaces(mode);
  rateLimiterTestSuite(
    it,
    ({ namespace }) => {
      return createRedisRateLimiter({ ...mode.connection, prefix: namespaced(namespace) });
    },
    { describe },
  );
});
