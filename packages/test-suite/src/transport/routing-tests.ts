// Interest routing through the HorizontalAdapter over a TransportV2: events go only to nodes with a
// local recipient, the first subscriber on a node never misses an event published after its join,
// released keys linger and are then dropped, joins are batched, and a peer that routes by broadcast
// still gets everything exactly once.

import assert from 'node:assert/strict';
import { testFrame } from '../testing/fake-socket.js';
import { waitFor } from '../testing/wait.js';
import type { TestCluster, TestNode } from './test-cluster.js';
import { APP, OTHER_APP, type TransportTestCase } from './transport-test-case.js';

const UNROUTED = 'horizontal_adapter_unrouted_messages';

async function received(
  cluster: TestCluster,
  node: TestNode,
  socket: { received(e: string): unknown[] },
  event: string,
) {
  await waitFor(() => socket.received(event).length > 0, `${node.name} did not deliver ${event}`, {
    timeoutMs: cluster.options.waitMs,
  });
}

export const routingTests: TransportTestCase[] = [
  {
    name: 'channel events reach only the nodes with a subscriber of the channel, once each',
    async run(cluster) {
      const [sender, subscriberNode, idle] = (await cluster.start(cluster.options.nodes)) as [
        TestNode,
        TestNode,
        TestNode,
      ];
      const channel = 'private-user-42';
      const socket = await subscriberNode.subscribed(APP, channel);
      await idle.subscribed(OTHER_APP, channel); // the same name in another app is another key
      const idleRouted = idle.transport.arrivals.routed;
      for (let i = 0; i < 20; i++)
        await sender.adapter.broadcast(APP, channel, testFrame(`e${i}`, channel, 'x'));
      await received(cluster, subscriberNode, socket, 'e19');
      await cluster.barrier(sender);
      for (let i = 0; i < 20; i++)
        assert.equal(
          socket.received(`e${i}`).length,
          1,
          `e${i} delivered ${socket.received(`e${i}`).length} times`,
        );
      assert.equal(
        idle.transport.arrivals.routed,
        idleRouted,
        `${idle.name} received routed events for a channel it has no subscriber of`,
      );
      assert.equal(
        idle.metrics.counter(UNROUTED),
        0,
        `${idle.name} received channel events with no local recipient`,
      );
      assert.equal(
        subscriberNode.metrics.counter(UNROUTED),
        0,
        `${subscriberNode.name} counted unrouted events`,
      );
    },
  },
  {
    name: 'the first subscriber on a node gets an event another node publishes right after the join',
    async run(cluster) {
      const nodes = await cluster.start(cluster.options.nodes);
      for (let round = 0; round < 30; round++) {
        const joiner = nodes[round % nodes.length]!;
        const publisher = nodes[(round + 1) % nodes.length]!;
        const channel = `presence-first-${round}`;
        const { socket } = await joiner.joinPresence(APP, channel, `user-${round}`);
        await publisher.adapter.broadcast(APP, channel, testFrame('first', channel, String(round)));
        await received(cluster, joiner, socket, 'first');
      }
    },
  },
  {
    name: 'a node drops a channel key after the linger, keeps it when the channel is rejoined in time',
    async run(cluster) {
      const [sender, node] = (await cluster.start(cluster.options.nodes, { interestLingerMs: 300 })) as [
        TestNode,
        TestNode,
      ];
      const key = (channel: string) => [...node.transport.keys].find((k) => k.endsWith(`.${channel}`));
      const first = await node.subscribed(APP, 'private-linger');
      const held = key('private-linger');
      assert.ok(held, `${node.name} holds no routing key for the channel it has a subscriber of`);
      const subscribes = node.transport.subscribeCalls.length;
      // Leave and come back within the linger: no broker traffic.
      await node.adapter.leave(first, 'private-linger');
      const again = await node.subscribed(APP, 'private-linger');
      assert.equal(
        node.transport.subscribeCalls.length,
        subscribes,
        'a rejoin within the linger subscribed again',
      );
      await node.adapter.leave(again, 'private-linger');
      await waitFor(
        () => !node.transport.keys.has(held),
        `${node.name} did not unsubscribe after the linger`,
        {
          timeoutMs: cluster.options.waitMs,
        },
      );
      assert.equal(
        node.adapter.subscriptionCount(),
        node.transport.keys.size,
        'subscriptionCount() disagrees with the transport',
      );
      await sender.adapter.broadcast(APP, 'private-linger', testFrame('after', 'private-linger', 'x'));
      await cluster.barrier(sender);
      assert.equal(again.received('after').length, 0, 'a socket that left received an event');
      assert.equal(node.metrics.counter(UNROUTED), 0, `${node.name} still received the channel's events`);
    },
  },
  {
    name: 'joins in one event-loop turn become one subscribe call',
    async run(cluster) {
      const [, node] = (await cluster.start(cluster.options.nodes)) as [TestNode, TestNode];
      const before = node.transport.subscribeCalls.length;
      await Promise.all(Array.from({ length: 50 }, (_, i) => node.subscribed(APP, `private-batch-${i}`)));
      const calls = node.transport.subscribeCalls.slice(before);
      assert.equal(calls.length, 1, `50 joins made ${calls.length} subscribe calls`);
      assert.equal(calls[0]!.length, 50, `the subscribe call carried ${calls[0]!.length} keys, not 50`);
    },
  },
  {
    name: 'sendToUser and terminateUser reach only the nodes where the user is signed in',
    async run(cluster) {
      const [sender, home, idle] = (await cluster.start(cluster.options.nodes)) as [
        TestNode,
        TestNode,
        TestNode,
      ];
      const { socket } = await home.signIn(APP, 'user-7');
      await idle.signIn(APP, 'user-8');
      const idleRouted = idle.transport.arrivals.routed;
      await sender.adapter.sendToUser(APP, 'user-7', testFrame('to-user', '#server-to-user-user-7', 'x'));
      await received(cluster, home, socket, 'to-user');
      await sender.adapter.terminateUser(APP, 'user-7');
      await waitFor(() => socket.closedWith(4009), `${home.name} did not close the user's socket`, {
        timeoutMs: cluster.options.waitMs,
      });
      await cluster.barrier(sender);
      assert.equal(socket.received('to-user').length, 1, 'sendToUser delivered more than once');
      assert.equal(idle.transport.arrivals.routed, idleRouted, `${idle.name} received another user's events`);
      assert.equal(
        idle.metrics.counter(UNROUTED),
        0,
        `${idle.name} received user events with no local recipient`,
      );
    },
  },
  {
    name: 'a peer that routes by broadcast gets every event once, and interest nodes get its events once',
    async run(cluster) {
      const [interestA, interestB] = await cluster.start(2);
      const [legacy] = (await cluster.start(1, { routing: 'broadcast' })) as [TestNode];
      const sockets = await Promise.all(
        [interestA!, interestB!, legacy].map((node) => node.subscribed(APP, 'private-mixed')),
      );
      for (const origin of [interestA!, legacy]) {
        const event = `mixed-from-${origin.index}`;
        await origin.adapter.broadcast(APP, 'private-mixed', testFrame(event, 'private-mixed', 'x'));
        for (const [i, socket] of sockets.entries()) {
          await waitFor(() => socket.received(event).length > 0, `socket ${i} did not receive ${event}`, {
            timeoutMs: cluster.options.waitMs,
          });
        }
        await cluster.barrier(origin);
        for (const [i, socket] of sockets.entries()) {
          assert.equal(
            socket.received(event).length,
            1,
            `socket ${i} received ${event} ${socket.received(event).length} times`,
          );
        }
      }
    },
  },
];
