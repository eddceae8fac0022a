// Signed-in users are indexed cluster-wide: online/offline are decided for the whole cluster, and the
// other nodes hear about it once through AdapterEvents.

import assert from 'node:assert/strict';
import type { TestNode } from './test-cluster.js';
import { APP, OTHER_APP, sorted, type TransportTestCase } from './transport-test-case.js';

function countEvents(node: TestNode, type: 'userOnline' | 'userOffline', userId: string): number {
  return node.events.of(type, APP).filter((call) => call.userId === userId).length;
}

/** Asserts how many `type` events for `userId` every node has fired so far. */
function assertEvents(
  nodes: TestNode[],
  type: 'userOnline' | 'userOffline',
  userId: string,
  expected: (node: TestNode) => number,
  when: string,
): void {
  for (const node of nodes) {
    const count = countEvents(node, type, userId);
    assert.equal(count, expected(node), `${node.name} fired ${type}(${userId}) ${count} times ${when}`);
  }
}

export const userTests: TransportTestCase[] = [
  {
    name: 'addUser/removeUser are online/offline once for the cluster; the other nodes fire userOnline/userOffline once',
    async run(cluster) {
      const nodes = await cluster.start(cluster.options.nodes);
      const [first, second] = nodes as [TestNode, TestNode];

      const a = await first.signIn(APP, 'dave');
      assert.equal(a.online, true, `${first.name}: dave's first signed-in socket in the cluster is online`);
      await cluster.barrier(first);
      assertEvents(
        nodes,
        'userOnline',
        'dave',
        (n) => (n === first ? 0 : 1),
        `after dave signed in on ${first.name}`,
      );

      const b = await second.signIn(APP, 'dave');
      assert.equal(b.online, false, `${second.name}: dave is already online on ${first.name}`);
      const c = await first.signIn(APP, 'dave');
      assert.equal(c.online, false, `${first.name}: dave's second socket on the same node`);
      await cluster.barrier(second);
      await cluster.barrier(first);
      assertEvents(
        nodes,
        'userOnline',
        'dave',
        (n) => (n === first ? 0 : 1),
        'after more sockets of dave signed in',
      );

      const unsigned = first.socket(APP);
      assert.deepEqual(
        await first.adapter.addUser(unsigned),
        { online: false },
        'a socket without a user id',
      );

      assert.equal(
        (await first.adapter.removeUser(c.socket)).offline,
        false,
        `${first.name}: dave has more sockets`,
      );
      assert.equal(
        (await first.adapter.removeUser(a.socket)).offline,
        false,
        `${first.name}: dave is still on ${second.name}`,
      );
      await cluster.barrier(first);
      assertEvents(nodes, 'userOffline', 'dave', () => 0, `while dave is still signed in on ${second.name}`);

      assert.equal(
        (await second.adapter.removeUser(b.socket)).offline,
        true,
        `${second.name}: dave's last socket`,
      );
      await cluster.barrier(second);
      assertEvents(
        nodes,
        'userOffline',
        'dave',
        (n) => (n === second ? 0 : 1),
        "after dave's last socket signed out",
      );
      assertEvents(nodes, 'userOnline', 'dave', (n) => (n === first ? 0 : 1), 'at the end');
      for (const node of nodes) {
        assert.deepEqual(node.events.of('userOnline', OTHER_APP), [], `${node.name}: events in another app`);
      }
    },
  },
  {
    name: 'onlineUsers answers for the whole cluster',
    async run(cluster) {
      const nodes = await cluster.start(cluster.options.nodes);
      const signedIn = [];
      for (const node of nodes) {
        signedIn.push(await node.signIn(APP, `user-${node.index}`));
        await cluster.barrier(node);
      }
      const everyone = nodes.map((node) => `user-${node.index}`);
      const asked = [...everyone, 'ghost'];
      for (const node of nodes) {
        assert.deepEqual(
          sorted(await node.adapter.onlineUsers(APP, asked)),
          everyone,
          `${node.name}: onlineUsers`,
        );
        assert.deepEqual(
          sorted(await node.adapter.onlineUsers(OTHER_APP, asked)),
          [],
          `${node.name}: another app`,
        );
      }
      await nodes[0]!.adapter.removeUser(signedIn[0]!.socket);
      await cluster.barrier(nodes[0]!);
      for (const node of nodes) {
        assert.deepEqual(
          sorted(await node.adapter.onlineUsers(APP, asked)),
          everyone.slice(1),
          `${node.name}: onlineUsers after user-0 signed out`,
        );
      }
    },
  },
];
