// The contract itself: version, health, node count and what close() means.

import assert from 'node:assert/strict';
import { testFrame } from '../testing/fake-socket.js';
import { waitFor, withDeadline } from '../testing/wait.js';
import { APP, type TransportTestCase } from './transport-test-case.js';

export const basicTests: TransportTestCase[] = [
  {
    name: 'declares its specVersion, reports health and (if implemented) counts the nodes',
    async run(cluster) {
      const nodes = await cluster.start(cluster.options.nodes);
      for (const node of nodes) {
        const expected = cluster.options.specVersion;
        const { specVersion } = node.transport.inner;
        assert.equal(
          specVersion,
          expected,
          `${node.name}: specVersion is ${specVersion}, the suite was told ${expected}`,
        );
        await withDeadline(node.transport.checkHealth(), `${node.name}: checkHealth() did not resolve`);
        await withDeadline(node.adapter.checkHealth(), `${node.name}: adapter.checkHealth() did not resolve`);
      }
      for (const node of nodes) {
        const { nodeCount } = node.transport;
        if (!nodeCount) continue;
        await waitFor(
          async () => {
            const count = await nodeCount();
            assert.equal(count, nodes.length, `nodeCount() is ${count}`);
            return true;
          },
          `${node.name}: nodeCount() did not report ${nodes.length} nodes`,
          { timeoutMs: cluster.options.waitMs },
        );
      }
    },
  },
  {
    name: 'a closed transport delivers nothing more to its node',
    async run(cluster) {
      const nodes = await cluster.start(cluster.options.nodes);
      const [sender, , closing] = nodes as [(typeof nodes)[0], (typeof nodes)[0], (typeof nodes)[0]];
      const subscriber = await sender.subscribed(APP, 'private-news');
      await cluster.closeNode(closing);
      const arrivals = { ...closing.transport.arrivals };
      await sender.adapter.broadcast(APP, 'private-news', testFrame('after-close', 'private-news', '1'));
      await sender.adapter.getSocketCount(APP);
      // every other live node got both messages, so the closed one would have by now
      await cluster.barrier(sender);
      assert.equal(subscriber.received('after-close').length, 1, 'the sender did not deliver locally');
      assert.deepEqual(
        closing.transport.arrivals,
        arrivals,
        `${closing.name} kept receiving messages after its transport was closed`,
      );
    },
  },
];
