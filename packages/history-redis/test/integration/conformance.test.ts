// @sockudo/test-suite's historyStoreTestSuite against a real Redis and a real Redis Cluster, exactly as an
// outside driver author runs it: each test's namespace is the key prefix, removed afterwards.

import { REDIS_MODES, useRedisNamespaces } from '@sockudo/test-helpers/redis-modes';
import { historyStoreTestSuite } from '@sockudo/test-suite';
import { describe, it } from 'vitest';
import { createRedisHistoryStore } from '../../src/index.js';

describe.each(REDIS_MODES)('$name', (mode) => {
  const namespaced = useRedisNamespaces(mode);
  historyStoreTestSuite(
    it,
    ({ namespace }) => createRedisHistoryStore({ ...mode.connection, prefix: namespaced(namespace) }),
    { describe, durable: true },
  );
});
