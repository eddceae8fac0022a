// Fan-out through the transport: channel broadcasts, exceptSocketId, per-node ordering, byte-exact
// payloads, and the user-addressed sendToUser / terminateUser.

import assert from 'node:assert/strict';
import { type FakeSocket, testFrame } from '../testing/fake-socket.js';
import { waitFor } from '../testing/wait.js';
import type { TestNode } from './test-cluster.js';
import { APP, OTHER_APP, type TransportTestCase } from './transport-test-case.js';

const CHANNEL = 'private-news';

/** Two subscribers of CHANNEL per node, plus sockets that must never receive anything. */
async function subscribersAndBystanders(nodes: TestNode[]) {
  const subscribers: Array<{ node: TestNode; socket: FakeSocket }> = [];
  const bystanders: Array<{ node: TestNode; socket: FakeSocket; what: string }> = [];
  for (const node of nodes) {
    for (let i = 0; i < 2; i++) subscribers.push({ node, socket: await node.subscribed(APP, CHANNEL) });
    bystanders.push({ node, socket: await node.subscribed(APP, 'private-other'), what: 'another channel' });
    bystanders.push({ node, socket: node.socket(APP), what: 'no channel' });
    bystanders.push({
      node,
      socket: await node.subscribed(OTHER_APP, CHANNEL),
      what: 'the same channel of another app',
    });
  }
  return { subscribers, bystanders };
}

function assertUntouched(bystanders: Array<{ node: TestNode; socket: FakeSocket; what: string }>): void {
  for (const { node, socket, what } of bystanders) {
    assert.deepEqual(socket.frames, [], `a socket in ${what} on ${node.name} received frames`);
    assert.deepEqual(socket.closes, [], `a socket in ${what} on ${node.name} was closed`);
  }
}

export const broadcastTests: TransportTestCase[] = [
  {
    name: 'a broadcast from any node reaches every subscriber on every node exactly once',
    async run(cluster) {
      const nodes = await cluster.start(cluster.options.nodes);
      const { subscribers, bystanders } = await subscribersAndBystanders(nodes);
      for (const origin of nodes) {
        const event = `event-from-${origin.index}`;
        await origin.adapter.broadcast(APP, CHANNEL, testFrame(event, CHANNEL, 'hello'));
        for (const { node, socket } of subscribers) {
          await waitFor(
            () => socket.received(event).length > 0,
            `${node.name} did not receive the broadcast from ${origin.name}`,
            { timeoutMs: cluster.options.waitMs },
          );
        }
        await cluster.barrier(origin); // anything sent twice has arrived twice by now
        for (const { node, socket } of subscribers) {
          const count = socket.received(event).length;
          assert.equal(count, 1, `${node.name} received ${origin.name}'s broadcast ${count} times, not once`);
        }
      }
      assertUntouched(bystanders);
    },
  },
  {
    name: 'exceptSocketId leaves out that socket, on whichever node it lives',
    async run(cluster) {
      const nodes = await cluster.start(cluster.options.nodes);
      const { subscribers, bystanders } = await subscribersAndBystanders(nodes);
      for (const owner of nodes) {
        const origin = nodes[(owner.index + 1) % nodes.length]!;
        const excluded = subscribers.find(({ node }) => node === owner)!.socket;
        const event = `except-${owner.index}`;
        await origin.adapter.broadcast(APP, CHANNEL, testFrame(event, CHANNEL, 'x'), excluded.id);
        for (const { node, socket } of subscribers) {
          if (socket === excluded) continue;
          await waitFor(
            () => socket.received(event).length > 0,
            `${node.name} did not receive the broadcast from ${origin.name}`,
            { timeoutMs: cluster.options.waitMs },
          );
        }
        await cluster.barrier(origin);
        assert.equal(
          excluded.received(event).length,
          0,
          `the excluded socket on ${owner.name} received ${origin.name}'s broadcast`,
        );
        for (const { node, socket } of subscribers) {
          if (socket !== excluded)
            assert.equal(socket.received(event).length, 1, `${node.name}: not exactly once`);
        }
      }
      assertUntouched(bystanders);
    },
  },
  {
    name: "one node's broadcasts arrive at every node in the order they were sent",
    async run(cluster) {
      const nodes = await cluster.start(cluster.options.nodes);
      const { subscribers } = await subscribersAndBystanders(nodes);
      const count = 200;
      for (const origin of [nodes[0]!, nodes[nodes.length - 1]!]) {
        const event = `sequence-from-${origin.index}`;
        const expected = Array.from({ length: count }, (_, i) => String(i));
        // Not awaited one by one: the adapter itself publishes without waiting, so a transport must keep
        // the order of calls, not of completions.
        await Promise.all(
          expected.map((seq) => origin.adapter.broadcast(APP, CHANNEL, testFrame(event, CHANNEL, seq))),
        );
        for (const { node, socket } of subscribers) {
          await waitFor(
            () => socket.received(event).length >= count,
            `${node.name} did not receive all ${count} broadcasts of ${origin.name}`,
            { timeoutMs: cluster.options.waitMs },
          );
          assert.deepEqual(
            socket.received(event).map((message) => message.data),
            expected,
            `${node.name} received ${origin.name}'s broadcasts out of order`,
          );
        }
      }
    },
  },
  {
    name: 'frames arrive byte for byte: non-ASCII, raw newlines and over 256 KB',
    async run(cluster) {
      const nodes = await cluster.start(cluster.options.nodes);
      const { subscribers } = await subscribersAndBystanders(nodes);
      const origin = nodes[0]!;
      const small = JSON.stringify(
        { event: 'unicode', channel: CHANNEL, data: 'héllo wörld — 日本語 🎉 "quoted" \\ back\u2028' },
        null,
        2, // pretty-printed: the frame itself contains raw newlines
      );
      const large = testFrame('large', CHANNEL, `${'ü€😀x'.repeat(32 * 1024)}`);
      await origin.adapter.broadcast(APP, CHANNEL, small);
      await origin.adapter.broadcast(APP, CHANNEL, large);
      for (const { node, socket } of subscribers) {
        await waitFor(
          () => socket.frames.length >= 2,
          `${node.name} did not receive both frames from ${origin.name}`,
          { timeoutMs: cluster.options.waitMs },
        );
        assert.ok(socket.frames[0] === small, `${node.name} received the non-ASCII frame altered`);
        assert.ok(socket.frames[1] === large, `${node.name} received the 320 KB frame altered`);
      }
    },
  },
  {
    name: "sendToUser reaches the user's signed-in sockets on every node and nobody else",
    async run(cluster) {
      const nodes = await cluster.start(cluster.options.nodes);
      const targets: Array<{ node: TestNode; socket: FakeSocket }> = [];
      const others: Array<{ node: TestNode; socket: FakeSocket; what: string }> = [];
      for (const node of nodes) {
        // node 1 has none of the user's sockets: it must still reach the others
        if (node.index !== 1) targets.push({ node, socket: (await node.signIn(APP, 'alice')).socket });
        if (node.index === 0) targets.push({ node, socket: (await node.signIn(APP, 'alice')).socket });
        others.push({ node, socket: (await node.signIn(APP, 'bob')).socket, what: "another user's socket" });
        others.push({
          node,
          socket: (await node.signIn(OTHER_APP, 'alice')).socket,
          what: 'the user in another app',
        });
        others.push({
          node,
          socket: node.socket(APP, 'alice'),
          what: "the user's socket that never signed in",
        });
      }
      for (const origin of nodes) {
        const event = `to-alice-from-${origin.index}`;
        await origin.adapter.sendToUser(APP, 'alice', testFrame(event, '', 'hi'));
        for (const { node, socket } of targets) {
          await waitFor(
            () => socket.received(event).length > 0,
            `${node.name}: alice's socket did not receive sendToUser from ${origin.name}`,
            { timeoutMs: cluster.options.waitMs },
          );
        }
        await cluster.barrier(origin);
        for (const { node, socket } of targets) {
          const count = socket.received(event).length;
          assert.equal(
            count,
            1,
            `${node.name}: alice's socket received ${origin.name}'s message ${count} times`,
          );
        }
      }
      assertUntouched(others);
    },
  },
  {
    name: "terminateUser closes the user's signed-in sockets on every node with 4009",
    async run(cluster) {
      const nodes = await cluster.start(cluster.options.nodes);
      const origin = nodes[1]!;
      const targets: Array<{ node: TestNode; socket: FakeSocket }> = [];
      const others: Array<{ node: TestNode; socket: FakeSocket; what: string }> = [];
      for (const node of nodes) {
        if (node !== origin) targets.push({ node, socket: (await node.signIn(APP, 'mallory')).socket });
        others.push({ node, socket: (await node.signIn(APP, 'bob')).socket, what: "another user's socket" });
        others.push({
          node,
          socket: (await node.signIn(OTHER_APP, 'mallory')).socket,
          what: 'the user in another app',
        });
      }
      await origin.adapter.terminateUser(APP, 'mallory');
      for (const { node, socket } of targets) {
        await waitFor(
          () => socket.closedWith(4009),
          `${node.name}: mallory's socket was not closed with 4009 by ${origin.name}'s terminateUser`,
          { timeoutMs: cluster.options.waitMs },
        );
      }
      await cluster.barrier(origin);
      for (const { node, socket } of targets) {
        assert.equal(socket.closes.length, 1, `${node.name}: mallory's socket was closed more than once`);
      }
      assertUntouched(others);
    },
  },
];
