// @sockudo/test-suite's cacheTestSuite against a real Redis and a real Redis Cluster, exactly as an
// outside driver author runs it: each test's namespace is the key prefix, removed afterwards.

import { REDIS_MODES, useRedisNamespaces } from '@sockudo/test-helpers/redis-modes';
import { cacheTestSuite } from '@sockudo/test-suite';
import { describe, it } from 'vitest';
import { createRedisCache } from '../../src/index.js';

describe.each(REDIS_MODES)('$name', (mode) => {
  const namespaced = useRedisNamespaces(mode);
  cacheTestSuite(
    it,
    ({ namespace }) => {
      return createRedisCache({ ...mode.connection, prefix: namespaced(namespace) });
    },
    { describe },
  );
});
