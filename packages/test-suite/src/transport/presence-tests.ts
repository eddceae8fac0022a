// Presence and occupancy are decided cluster-wide: "first socket of this user in the channel" and
// "first socket in the channel" must mean anywhere in the cluster, not on this node.

import assert from 'node:assert/strict';
import type { FakeSocket } from '../testing/fake-socket.js';
import type { TestNode } from './test-cluster.js';
import { APP, OTHER_APP, sortedEntries, type TransportTestCase } from './transport-test-case.js';

const ROOM = 'presence-room';

export const presenceTests: TransportTestCase[] = [
  {
    name: 'members who joined on different nodes are listed by every node',
    async run(cluster) {
      const nodes = await cluster.start(cluster.options.nodes);
      const expected: Array<[string, unknown]> = [];
      for (const node of nodes) {
        const userId = `user-${node.index}`;
        const userInfo = { name: `User ${node.index}`, tags: ['a', node.index] };
        const { result } = await node.joinPresence(APP, ROOM, userId, userInfo);
        assert.equal(result.memberAdded, true, `${node.name}: a new user's join must report memberAdded`);
        expected.push([userId, userInfo]);
        await cluster.barrier(node);
      }
      await nodes[0]!.joinPresence(OTHER_APP, ROOM, 'intruder');
      await cluster.quiesce();
      for (const node of nodes) {
        const members = await node.adapter.getPresenceMembers(APP, ROOM);
        assert.deepEqual(
          sortedEntries(members),
          sortedEntries(new Map(expected)),
          `${node.name}: presence members`,
        );
        const empty = await node.adapter.getPresenceMembers(APP, 'presence-elsewhere');
        assert.equal(empty.size, 0, `${node.name}: an unused presence channel has members`);
      }
    },
  },
  {
    name: 'the same user on several nodes is added by the first join and removed by the last leave',
    async run(cluster) {
      const nodes = await cluster.start(cluster.options.nodes);
      const sockets: Array<{ node: TestNode; socket: FakeSocket }> = [];
      for (const node of nodes) {
        const { socket, result } = await node.joinPresence(APP, ROOM, 'alice');
        assert.equal(
          result.memberAdded,
          node.index === 0,
          `${node.name}: memberAdded must be true only for alice's first socket in the cluster`,
        );
        sockets.push({ node, socket });
        await cluster.barrier(node);
      }
      const second = await nodes[0]!.joinPresence(APP, ROOM, 'alice');
      assert.equal(second.result.memberAdded, false, "node 0: alice's second socket on the same node");
      sockets.unshift({ node: nodes[0]!, socket: second.socket });
      for (const node of nodes) {
        assert.equal(
          await node.adapter.isPresenceMember(APP, ROOM, 'alice'),
          true,
          `${node.name}: isPresenceMember`,
        );
      }

      for (const [i, { node, socket }] of sockets.entries()) {
        const last = i === sockets.length - 1;
        const result = await node.adapter.leave(socket, ROOM, 'alice');
        assert.equal(result.left, true, `${node.name}: leave() of a subscribed socket`);
        assert.equal(
          result.memberRemoved?.userId,
          last ? 'alice' : undefined,
          last
            ? `${node.name}: alice's last socket in the cluster left, memberRemoved is due`
            : `${node.name}: alice still has sockets in the cluster, memberRemoved is not due`,
        );
        await cluster.barrier(node);
      }
      for (const node of nodes) {
        assert.equal(
          await node.adapter.isPresenceMember(APP, ROOM, 'alice'),
          false,
          `${node.name}: alice left`,
        );
        assert.equal(
          (await node.adapter.getPresenceMembers(APP, ROOM)).size,
          0,
          `${node.name}: members left`,
        );
      }
    },
  },
  {
    name: 'isPresenceMember answers for the whole cluster',
    async run(cluster) {
      const nodes = await cluster.start(cluster.options.nodes);
      const host = nodes[1]!;
      const { socket } = await host.joinPresence(APP, ROOM, 'bob');
      await cluster.barrier(host);
      for (const node of nodes) {
        const is = (app: string, channel: string, user: string) =>
          node.adapter.isPresenceMember(app, channel, user);
        assert.equal(
          await is(APP, ROOM, 'bob'),
          true,
          `${node.name}: bob is a member (joined on ${host.name})`,
        );
        assert.equal(await is(APP, ROOM, 'carol'), false, `${node.name}: carol never joined`);
        assert.equal(
          await is(APP, 'presence-elsewhere', 'bob'),
          false,
          `${node.name}: bob is not in another channel`,
        );
        assert.equal(await is(OTHER_APP, ROOM, 'bob'), false, `${node.name}: bob is not in another app`);
      }
      await host.adapter.leave(socket, ROOM, 'bob');
      await cluster.barrier(host);
      for (const node of nodes) {
        assert.equal(await node.adapter.isPresenceMember(APP, ROOM, 'bob'), false, `${node.name}: bob left`);
      }
    },
  },
  {
    name: 'channelOccupied and channelVacated are decided for the whole cluster',
    async run(cluster) {
      const nodes = await cluster.start(cluster.options.nodes);
      for (const channel of ['private-room', 'presence-occupancy']) {
        const presence = channel.startsWith('presence-');
        const joined: Array<{ node: TestNode; socket: FakeSocket; userId: string }> = [];
        for (const node of nodes) {
          const userId = `user-${node.index}`;
          const socket = node.socket(APP, userId);
          const result = await node.adapter.join(
            socket,
            channel,
            presence ? { userId, userInfo: {} } : undefined,
          );
          assert.equal(
            result.channelOccupied,
            node.index === 0,
            `${node.name}: ${channel} channelOccupied must be true only for the cluster's first socket`,
          );
          joined.push({ node, socket, userId });
          await cluster.barrier(node);
        }
        for (const [i, { node, socket, userId }] of joined.entries()) {
          const result = await node.adapter.leave(socket, channel, presence ? userId : undefined);
          assert.equal(
            result.channelVacated,
            i === joined.length - 1,
            `${node.name}: ${channel} channelVacated must be true only for the cluster's last socket`,
          );
          await cluster.barrier(node);
        }
        // vacated everywhere: the next join anywhere occupies it again
        const again = await nodes[1]!.adapter.join(
          nodes[1]!.socket(APP, 'late'),
          channel,
          presence ? { userId: 'late', userInfo: {} } : undefined,
        );
        assert.equal(
          again.channelOccupied,
          true,
          `node 1: ${channel} was vacated, joining again must occupy it`,
        );
      }
    },
  },
];
