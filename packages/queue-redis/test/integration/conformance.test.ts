// @sockudo/test-suite's queueTestSuite against a real Redis and a real Redis Cluster, exactly as an
// outside driver author runs it: each test's namespace is the key prefix, removed afterwards.

import { REDIS_MODES, useRedisNamespaces } from '@sockudo/test-helpers/redis-modes';
import { queueTestSuite } from '@sockudo/test-suite';
import { describe, it } from 'vitest';
import { createRedisQueue } from '../../src/index.js';

describe.each(REDIS_MODES)('$name', (mode) => {
  const namespaced = useRedisNamespaces(mode);
  queueTestSuite(
    it,
    ({ namespace }) => {
      // Quick polls, back-off and close keep the suite short; the defaults suit production.
      return createRedisQueue({
        ...mode.connection,
        prefix: namespaced(namespace),
        pollIntervalMs: 50,
        retryBaseDelayMs: 200,
        closeTimeoutMs: 300,
      });
    },
    { describe, durable: true },
  );
});
