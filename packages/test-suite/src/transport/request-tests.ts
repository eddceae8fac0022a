// Cluster-wide counts go out as requests and come back as responses: they must add up over every node,
// and a node that does not answer must make the result incomplete rather than hang it.

import assert from 'node:assert/strict';
import type { ChannelSummary } from '@sockudo/core';
import { withDeadline } from '../testing/wait.js';
import type { TestCluster, TestNode } from './test-cluster.js';
import { APP, OTHER_APP, sortedEntries, type TransportTestCase } from './transport-test-case.js';

/** Expected cluster-wide figures, tallied while the sockets are created. */
interface Expected {
  sockets: number;
  channels: Map<string, ChannelSummary>;
}

async function populate(nodes: TestNode[]): Promise<Expected> {
  const expected: Expected = { sockets: 0, channels: new Map() };
  const add = (channel: string, userCount?: number) => {
    const summary = expected.channels.get(channel) ?? { subscriptionCount: 0 };
    summary.subscriptionCount += 1;
    if (userCount !== undefined) summary.userCount = userCount;
    expected.channels.set(channel, summary);
    expected.sockets += 1;
  };
  for (const node of nodes) {
    for (let i = 0; i <= node.index; i++) {
      await node.subscribed(APP, 'private-shared');
      add('private-shared');
    }
    await node.subscribed(APP, `private-node-${node.index}`);
    add(`private-node-${node.index}`);
    await node.joinPresence(APP, 'presence-room', `user-${node.index}`);
    add('presence-room', nodes.length);
    node.socket(APP);
    expected.sockets += 1;
    // noise in another app: never counted
    await node.subscribed(OTHER_APP, 'private-shared');
    await node.subscribed(OTHER_APP, `private-node-${node.index}`);
  }
  // a second presence socket of an existing user: one more subscription, no more users
  await nodes[0]!.joinPresence(APP, 'presence-room', 'user-1');
  add('presence-room', nodes.length);
  return expected;
}

function filtered(channels: Map<string, ChannelSummary>, prefix: string): Array<[string, ChannelSummary]> {
  return sortedEntries(channels).filter(([channel]) => channel.startsWith(prefix));
}

async function assertCounts(cluster: TestCluster, node: TestNode, expected: Expected): Promise<void> {
  const deadline = cluster.options.horizontal.requestTimeoutMs + cluster.options.waitMs;
  const [count, sockets, all, prefixed] = await withDeadline(
    Promise.all([
      node.adapter.getChannelSocketCount(APP, 'private-shared'),
      node.adapter.getSocketCount(APP),
      node.adapter.getChannels(APP),
      node.adapter.getChannels(APP, 'private-node-'),
    ]),
    `${node.name}: the cluster-wide counts did not resolve`,
    deadline,
  );
  const name = node.name;
  assert.deepEqual(
    count,
    { value: expected.channels.get('private-shared')!.subscriptionCount, complete: true },
    `${name}: getChannelSocketCount`,
  );
  assert.deepEqual(sockets, { value: expected.sockets, complete: true }, `${name}: getSocketCount`);
  assert.equal(all.complete, true, `${name}: getChannels() was incomplete`);
  assert.deepEqual(sortedEntries(all.value), sortedEntries(expected.channels), `${name}: getChannels()`);
  assert.equal(prefixed.complete, true, `${name}: getChannels(prefix) was incomplete`);
  assert.deepEqual(
    sortedEntries(prefixed.value),
    filtered(expected.channels, 'private-node-'),
    `${name}: getChannels(prefix)`,
  );
}

export const requestTests: TransportTestCase[] = [
  {
    name: 'getChannelSocketCount, getSocketCount and getChannels add up every node, complete',
    async run(cluster) {
      const nodes = await cluster.start(cluster.options.nodes);
      const expected = await populate(nodes);
      await cluster.quiesce(); // presence user counts are replicated, not requested
      for (const node of nodes) await assertCounts(cluster, node, expected);
    },
  },
  {
    name: 'a count resolves incomplete after requestTimeoutMs when a node does not answer',
    async run(cluster) {
      const nodes = await cluster.start(cluster.options.nodes);
      for (const node of nodes) {
        await node.subscribed(APP, 'private-shared');
        await node.subscribed(APP, `private-node-${node.index}`);
      }
      const silent = nodes[nodes.length - 1]!;
      const asking = nodes[0]!;
      silent.transport.muteResponses = true; // alive and heartbeating, but its answers are lost
      const deadline = cluster.options.horizontal.requestTimeoutMs + cluster.options.waitMs;
      const [count, sockets, channels] = await withDeadline(
        Promise.all([
          asking.adapter.getChannelSocketCount(APP, 'private-shared'),
          asking.adapter.getSocketCount(APP),
          asking.adapter.getChannels(APP),
        ]),
        `${asking.name}: counts did not resolve on their own while ${silent.name} was silent`,
        deadline,
      );
      const answering = nodes.length - 1;
      assert.deepEqual(
        count,
        { value: answering, complete: false },
        'getChannelSocketCount with a silent node',
      );
      assert.deepEqual(
        sockets,
        { value: answering * 2, complete: false },
        'getSocketCount with a silent node',
      );
      assert.equal(channels.complete, false, 'getChannels with a silent node must be incomplete');
      assert.ok(
        !channels.value.has(`private-node-${silent.index}`),
        "getChannels listed the silent node's channel",
      );
      assert.equal(
        channels.value.get('private-shared')?.subscriptionCount,
        answering,
        'getChannels with a silent node',
      );

      silent.transport.muteResponses = false;
      const recovered = await withDeadline(
        asking.adapter.getChannelSocketCount(APP, 'private-shared'),
        `${asking.name}: getChannelSocketCount did not resolve after ${silent.name} answered again`,
        deadline,
      );
      assert.deepEqual(
        recovered,
        { value: nodes.length, complete: true },
        'the count once every node answers',
      );
    },
  },
];
