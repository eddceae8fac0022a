// A node that starts after the cluster has state must be brought up to date (each peer sends it a
// snapshot) before it can decide "first socket of this user" correctly.

import assert from 'node:assert/strict';
import { sleep } from '../testing/wait.js';
import type { TestNode } from './test-cluster.js';
import { APP, sorted, sortedEntries, type TransportTestCase } from './transport-test-case.js';

const ROOM = 'presence-room';

export const lateJoinTests: TransportTestCase[] = [
  {
    name: 'a node started later learns the presence members, channels and users that exist',
    async run(cluster) {
      const early = await cluster.start(cluster.options.nodes - 1);
      const members = new Map<string, unknown>();
      for (const node of early) {
        const userId = `user-${node.index}`;
        const userInfo = { name: `User ${node.index}` };
        await node.joinPresence(APP, ROOM, userId, userInfo);
        members.set(userId, userInfo);
        await node.subscribed(APP, `private-node-${node.index}`);
        await node.signIn(APP, userId);
      }
      await cluster.quiesce();

      const late = await cluster.startNode();
      await cluster.waitForMesh();
      if (cluster.options.settleMs > 0) await sleep(cluster.options.settleMs);
      // Each early node sent its snapshot as soon as it heard of the late one, before this barrier.
      for (const node of early) await cluster.barrier(node, [late]);

      const seen = await late.adapter.getPresenceMembers(APP, ROOM);
      assert.deepEqual(sortedEntries(seen), sortedEntries(members), `${late.name} (late): presence members`);
      for (const userId of members.keys()) {
        assert.equal(
          await late.adapter.isPresenceMember(APP, ROOM, userId),
          true,
          `${late.name}: ${userId} is a member`,
        );
      }
      const users = sorted(members.keys());
      assert.deepEqual(
        sorted(await late.adapter.onlineUsers(APP, [...users, 'ghost'])),
        users,
        `${late.name}: onlineUsers`,
      );
      const channels = await late.adapter.getChannels(APP);
      assert.equal(channels.complete, true, `${late.name}: getChannels was incomplete`);
      assert.deepEqual(
        sorted(channels.value.keys()),
        sorted([ROOM, ...early.map((node) => `private-node-${node.index}`)]),
        `${late.name}: getChannels`,
      );
      assert.equal(channels.value.get(ROOM)?.userCount, early.length, `${late.name}: ${ROOM} user count`);

      // Decisions on the late node take the existing state into account.
      const existing = early[0]!;
      const joined = await late.adapter.join(late.socket(APP), `private-node-${existing.index}`);
      assert.equal(
        joined.channelOccupied,
        false,
        `${late.name}: private-node-${existing.index} is occupied already`,
      );
      const presence = await late.joinPresence(APP, ROOM, `user-${existing.index}`);
      assert.equal(
        presence.result.memberAdded,
        false,
        `${late.name}: user-${existing.index} is a member already`,
      );
      assert.equal(presence.result.channelOccupied, false, `${late.name}: ${ROOM} is occupied already`);
      const signedIn = await late.signIn(APP, `user-${existing.index}`);
      assert.equal(signedIn.online, false, `${late.name}: user-${existing.index} is online already`);
    },
  },
  {
    name: "the existing nodes learn a late node's members and users",
    async run(cluster) {
      const early = await cluster.start(cluster.options.nodes - 1);
      const { socket: watcher } = await early[0]!.joinPresence(APP, ROOM, 'user-0');
      const late = await cluster.startNode();
      await cluster.waitForMesh();
      if (cluster.options.settleMs > 0) await sleep(cluster.options.settleMs);
      for (const node of early) await cluster.barrier(node, [late]);

      const { result } = await late.joinPresence(APP, ROOM, 'newcomer', { name: 'Newcomer' });
      assert.equal(result.memberAdded, true, `${late.name}: newcomer is a new member`);
      assert.equal(result.channelOccupied, false, `${late.name}: ${ROOM} is occupied on node 0`);
      const { online } = await late.signIn(APP, 'newcomer');
      assert.equal(online, true, `${late.name}: newcomer's first signed-in socket`);
      await cluster.barrier(late);
      const expected: Array<[string, unknown]> = [
        ['newcomer', { name: 'Newcomer' }],
        ['user-0', { name: 'user-0' }],
      ];
      for (const node of early as TestNode[]) {
        const members = await node.adapter.getPresenceMembers(APP, ROOM);
        assert.deepEqual(
          sortedEntries(members),
          expected,
          `${node.name}: members after the late node's join`,
        );
        const onlineEvents = node.events.of('userOnline', APP).filter((call) => call.userId === 'newcomer');
        assert.equal(onlineEvents.length, 1, `${node.name}: userOnline(newcomer) once`);
      }
      assert.deepEqual(watcher.closes, [], 'the existing socket was left alone');
    },
  },
];
