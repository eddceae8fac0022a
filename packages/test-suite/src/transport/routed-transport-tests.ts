// TransportV2 itself, below the adapter: subscribe, publishTo and unsubscribe with the suite's own
// payloads (which the wrapper keeps from the adapter), the acknowledgement promise, key alphabet and
// per-key order.

import assert from 'node:assert/strict';
import { SUITE_PAYLOAD_PREFIX } from '../testing/controllable-transport.js';
import { waitFor } from '../testing/wait.js';
import type { TestCluster, TestNode } from './test-cluster.js';
import type { TransportTestCase } from './transport-test-case.js';

let counter = 0;

/** A routing key no other test uses, in the adapter's shape (`kind.app.name`). */
function freshKey(label: string): string {
  counter += 1;
  return `t.suite.${label}-${counter}-${Math.floor(Math.random() * 1e9)}`;
}

function payload(text: string): string {
  return `${SUITE_PAYLOAD_PREFIX}${text}`;
}

/** The suite payloads `node` received on `key`, without the prefix, in arrival order. */
function receivedOn(node: TestNode, key: string): string[] {
  return node.transport.suitePayloads
    .filter(({ path }) => path.kind === 'key' && path.key === key)
    .map(({ payload: text }) => text.slice(SUITE_PAYLOAD_PREFIX.length));
}

async function waitForCount(cluster: TestCluster, node: TestNode, key: string, count: number, what: string) {
  await waitFor(
    () => receivedOn(node, key).length >= count,
    `${node.name} did not receive ${what} on ${key}`,
    { timeoutMs: cluster.options.waitMs },
  );
}

export const routedTransportTests: TransportTestCase[] = [
  {
    name: 'publishTo reaches exactly the transports subscribed to the key, byte for byte and in order',
    async run(cluster) {
      const [sender, a, b] = (await cluster.start(cluster.options.nodes)) as [TestNode, TestNode, TestNode];
      const key = freshKey('exact');
      const other = freshKey('other');
      await a.transport.subscribe([key]);
      await b.transport.subscribe([key, other]);
      const texts = Array.from(
        { length: 50 },
        (_, i) => `${i}:${'é\n"{}\\'.repeat(i % 5)}:${'x'.repeat(i * 20)}`,
      );
      for (const text of texts) await sender.transport.publishTo(key, payload(text));
      await sender.transport.publishTo(other, payload('only-b'));
      for (const node of [a, b]) await waitForCount(cluster, node, key, texts.length, 'all 50 payloads');
      await waitForCount(cluster, b, other, 1, 'the payload');
      await cluster.barrier(sender);
      assert.deepEqual(
        receivedOn(a, key),
        texts,
        `${a.name} got the payloads altered, duplicated or reordered`,
      );
      assert.deepEqual(
        receivedOn(b, key),
        texts,
        `${b.name} got the payloads altered, duplicated or reordered`,
      );
      assert.deepEqual(receivedOn(a, other), [], `${a.name} received a key it never subscribed to`);
      assert.deepEqual(receivedOn(sender, other), [], `${sender.name} received a key it never subscribed to`);
    },
  },
  {
    name: 'a publish from another node right after subscribe() resolved always arrives',
    async run(cluster) {
      const nodes = await cluster.start(cluster.options.nodes);
      for (let round = 0; round < 30; round++) {
        const subscriber = nodes[round % nodes.length]!;
        const publisher = nodes[(round + 1) % nodes.length]!;
        const key = freshKey(`first-${round}`);
        await subscriber.transport.subscribe([key]);
        await publisher.transport.publishTo(key, payload(`round-${round}`));
        await waitForCount(
          cluster,
          subscriber,
          key,
          1,
          `round ${round}'s payload, published right after subscribe()`,
        );
      }
    },
  },
  {
    name: 'after unsubscribe() the key delivers nothing more; other keys are untouched',
    async run(cluster) {
      const [sender, leaver, stayer] = (await cluster.start(cluster.options.nodes)) as [
        TestNode,
        TestNode,
        TestNode,
      ];
      const key = freshKey('leave');
      const kept = freshKey('kept');
      await leaver.transport.subscribe([key, kept]);
      await stayer.transport.subscribe([key]);
      await sender.transport.publishTo(key, payload('before'));
      await waitForCount(cluster, leaver, key, 1, 'the payload before unsubscribe');
      await leaver.transport.unsubscribe([key]);
      await sender.transport.publishTo(key, payload('after'));
      await sender.transport.publishTo(kept, payload('kept'));
      await waitForCount(cluster, stayer, key, 2, 'both payloads');
      await waitForCount(cluster, leaver, kept, 1, 'the payload on the key it kept');
      await cluster.barrier(sender);
      assert.deepEqual(
        receivedOn(leaver, key),
        ['before'],
        `${leaver.name} kept receiving after unsubscribe()`,
      );
    },
  },
  {
    name: 'keys of the whole alphabet, long keys and many keys in one call are routed',
    async run(cluster) {
      const [sender, receiver] = (await cluster.start(cluster.options.nodes)) as [TestNode, TestNode];
      const alphabet = 'ABCXYZabcxyz0189_-=@,;%';
      const keys = [
        `c.${alphabet}.${alphabet}`,
        `c.app%2E1.presence-room%2Ewith%2Edots`,
        `u.a.${'u'.repeat(1000)}`,
        ...Array.from({ length: 300 }, (_, i) => freshKey(`many-${i}`)),
      ];
      await receiver.transport.subscribe(keys);
      for (const key of keys) await sender.transport.publishTo(key, payload(key));
      for (const key of keys) await waitForCount(cluster, receiver, key, 1, 'its payload');
      for (const key of keys) assert.deepEqual(receivedOn(receiver, key), [key], `the payload of ${key}`);
    },
  },
  {
    name: 'subscribing twice, unsubscribing an unknown key and empty calls are harmless',
    async run(cluster) {
      const [sender, receiver] = (await cluster.start(cluster.options.nodes)) as [TestNode, TestNode];
      const key = freshKey('twice');
      await receiver.transport.subscribe([]);
      await receiver.transport.unsubscribe([]);
      await receiver.transport.unsubscribe([freshKey('never')]);
      await receiver.transport.subscribe([key]);
      await receiver.transport.subscribe([key]);
      await sender.transport.publishTo(key, payload('once'));
      await sender.transport.publishTo(freshKey('nobody'), payload('to nobody'));
      await waitForCount(cluster, receiver, key, 1, 'the payload');
      await cluster.barrier(sender);
      assert.deepEqual(receivedOn(receiver, key), ['once'], 'a key subscribed twice delivered twice');
    },
  },
];
