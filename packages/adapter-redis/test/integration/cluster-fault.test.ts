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
        // Until the cluster client notices the dead node, a publish can wait in that node connection's
        // queue (ioredis keeps one per cluster node, whatever the options) and, though it fails by the
        // publish timeout, still be sent when the node is back. So probe first with payloads the
        // "nothing sent while down arrives" check ignores; once a probe fails at once, the client has
        // noticed, and from then on publishes fail at once and never arrive ('during').
        let probe = 0;
        await eventually(
          () =>
            expectRejectsAtOnce([() => nodes[1]!.publishRequest(`probe-${probe++}`)], /publish to .* failed/),
          5000,
        );
        await expectRejectsAtOnce([() => nodes[1]!.publishRequest('during')], /publish to .* failed/);
      },
      recoverWithinMs: 15_000,
      closeWhileDown: { withinMs: 1500, afterNoticing: false },
    });
  });
}
