// The published TransportV1 conformance suite, run exactly as a third-party adapter would run it,
// against Redis and against the Redis Cluster (classic and sharded pub/sub).

import { REDIS_CLUSTER_NODES, REDIS_URL, requireService } from '@sockudo/test-helpers/services';
import { transportTestSuite } from '@sockudo/test-suite';
import { beforeAll, describe, it } from 'vitest';
import { createRedisClusterTransport, createRedisTransport } from '../../src/index.js';

describe('redis', () => {
  beforeAll(() => requireService('Redis', REDIS_URL, 6379));
  transportTestSuite(it, ({ cluster }) => createRedisTransport({ url: REDIS_URL, prefix: `${cluster}:` }), {
    describe,
  });
});

for (const shardedPubsub of [false, true]) {
  describe(`redis cluster (shardedPubsub: ${shardedPubsub})`, () => {
    beforeAll(() => requireService('Redis Cluster', REDIS_CLUSTER_NODES[0]!, 7000));
    transportTestSuite(
      it,
      ({ cluster }) =>
        createRedisClusterTransport({ nodes: REDIS_CLUSTER_NODES, prefix: `${cluster}:`, shardedPubsub }),
      { describe },
    );
  });
}
