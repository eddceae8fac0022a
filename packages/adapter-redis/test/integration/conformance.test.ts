// The published transport conformance suite (TransportV2: every group over routed delivery plus the
// routing groups, then once more with every node routing by broadcast), run exactly as a third-party
// adapter would run it, against Redis and against the Redis Cluster (classic and sharded pub/sub).

import { REDIS_CLUSTER_NODES, REDIS_URL, requireService } from '@sockudo/test-helpers/services';
import { type CreateTransportNode, transportTestSuite } from '@sockudo/test-suite';
import { beforeAll, describe, it } from 'vitest';
import { createRedisClusterTransport, createRedisTransport } from '../../src/index.js';

const ROUTINGS = [{ routing: 'interest' }, { routing: 'broadcast' }] as const;

function suites(name: string, require: () => Promise<void>, createNode: CreateTransportNode) {
  for (const { routing } of ROUTINGS) {
    describe(`${name}, routing: ${routing}`, () => {
      beforeAll(require);
      transportTestSuite(it, createNode, { describe, specVersion: 2, horizontal: { routing } });
    });
  }
}

suites(
  'redis',
  () => requireService('Redis', REDIS_URL, 6379),
  ({ cluster }) => createRedisTransport({ url: REDIS_URL, prefix: `${cluster}:` }),
);

for (const shardedPubsub of [false, true]) {
  suites(
    `redis cluster (shardedPubsub: ${shardedPubsub})`,
    () => requireService('Redis Cluster', REDIS_CLUSTER_NODES[0]!, 7000),
    ({ cluster }) =>
      createRedisClusterTransport({ nodes: REDIS_CLUSTER_NODES, prefix: `${cluster}:`, shardedPubsub }),
  );
}
