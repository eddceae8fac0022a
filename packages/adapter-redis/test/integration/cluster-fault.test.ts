// The whole Redis Cluster dies under three connected nodes and comes back from its nodes.conf, for
// classic and for sharded pub/sub. Runs against a throwaway three-master cluster this test owns.

import { randomUUID } from 'node:crypto';
import { brokerFaultCases, expectRejectsAtOnce } from '@sockudo/test-helpers/broker-fault-cases';
import { useBroker } from '@sockudo/test-helpers/throwaway-broker';
import { eventually } from '@sockudo/test-helpers/wait';
import { describe } from 'vitest';
import { createRedisClusterTransport } from '../../src/index.js';
import { startThrowawayCluster } from '../helpers/throwaway-cluster.js';

const cluster = useBroker(startThrowawayCluster);

for (const shardedPubsub of [false, true]) {
  describe(`createRedisClusterTransport (shardedPubsub: ${shardedPubsub}) when the cluster dies and comes back`, () => {
    brokerFaultCases({
      broker: cluster,
      newPrefix: () => `fault-${randomUUID()}:`,
      createNode: ({ nodes }, prefix) => createRedisClusterTransport({ nodes, prefix, shardedPubsub }),
      hearsItself: true,
      burstAtKill: { count: 500, settleWithinMs: 5000 },
      healthWhileDown: { withinMs: 1500 },
      async whileDown(nodes) {
        // Once the clients have noticed, publishes fail without waiting.
        await eventually(
          () => expectRejectsAtOnce([() => nodes[1]!.publishRequest('during')], /publish to .* failed/),
          5000,
        );
      },
      recoverWithinMs: 15_000,
      closeWhileDown: { withinMs: 1500, afterNoticing: false },
    });
  });
}
