// The whole Redis Cluster dies under three connected nodes and comes back from its nodes.conf, for
// classic and for sharded pub/sub. Runs against a throwaway three-master cluster this test owns.

import { randomUUID } from 'node:crypto';
import type { TransportV1 } from '@sockudo/core';
import { watchProcessErrors } from '@sockudo/test-helpers/process-errors';
import { type Recorder, recorder } from '@sockudo/test-helpers/recorder';
import { eventually, settle, sleep } from '@sockudo/test-helpers/wait';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisClusterTransport } from '../../src/index.js';
import { startThrowawayCluster, type ThrowawayCluster } from '../helpers/throwaway-cluster.js';

let cluster: ThrowawayCluster;
beforeAll(async () => {
  cluster = await startThrowawayCluster();
});
afterAll(async () => {
  await cluster?.destroy();
});

for (const shardedPubsub of [false, true]) {
  describe(`createRedisClusterTransport (shardedPubsub: ${shardedPubsub}) when the cluster dies and comes back`, () => {
    const nodes: TransportV1[] = [];
    const seen: Recorder[] = [];

    beforeAll(async () => {
      const prefix = `fault-${randomUUID()}:`;
      for (let i = 0; i < 3; i++) {
        nodes.push(createRedisClusterTransport({ nodes: cluster.nodes, prefix, shardedPubsub }));
        seen.push(recorder());
      }
      await Promise.all(nodes.map((node, i) => node.start(seen[i]!)));
    });

    afterAll(async () => {
      await Promise.all(nodes.map((node) => node.close()));
    });

    it('fails fast while down, never crashes, and resumes delivery by itself', async () => {
      const processErrors = watchProcessErrors();
      try {
        await nodes[0]!.publishBroadcast('before');
        await eventually(() => {
          for (const s of seen) expect(s.broadcasts).toEqual(['before']);
        });

        const burst = Array.from({ length: 500 }, (_, i) => settle(nodes[0]!.publishBroadcast(`burst-${i}`)));
        await cluster.kill();
        const burstResults = await Promise.race([
          Promise.all(burst),
          sleep(5000).then(() => 'hung' as const),
        ]);
        expect(burstResults).not.toBe('hung');

        // Once the clients have noticed, publishes and health checks fail without waiting.
        await eventually(async () => {
          const result = await settle(nodes[1]!.publishRequest('during'));
          expect(result.fulfilled).toBe(false);
          expect(result.ms).toBeLessThan(100);
        }, 5000);
        for (const node of nodes) {
          const health = await settle(node.checkHealth());
          expect(health.fulfilled).toBe(false);
          expect(health.ms).toBeLessThan(1500);
        }

        await sleep(1500);
        await cluster.restart();
        await eventually(() => Promise.all(nodes.map((node) => node.checkHealth())), 15_000);

        let round = 0;
        await eventually(async () => {
          round++;
          await Promise.all(nodes.map((node, i) => node.publishBroadcast(`after-${i}-${round}`)));
          for (const [i, s] of seen.entries()) {
            for (let from = 0; from < nodes.length; from++) {
              expect(
                s.broadcasts.some((m) => m.startsWith(`after-${from}-`)),
                `node ${i} hears node ${from}`,
              ).toBe(true);
            }
          }
        }, 15_000);
        expect(processErrors.errors).toEqual([]);
      } finally {
        processErrors.stop();
      }
    });
  });
}
