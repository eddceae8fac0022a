// A node that crashes says no goodbye. The survivors must notice (no heartbeats for nodeTimeoutMs) and
// clean up after it: presence members, occupied channels and signed-in users it held, with webhooks
// from exactly one survivor.

import assert from 'node:assert/strict';
import type { FakeSocket } from '../testing/fake-socket.js';
import { waitFor, withDeadline } from '../testing/wait.js';
import type { TestCluster, TestNode } from './test-cluster.js';
import { APP, sorted, sortedEntries, type TransportTestCase } from './transport-test-case.js';

const ROOM = 'presence-room';
const LONELY = 'presence-lonely';
const MEMBER_REMOVED = 'pusher_internal:member_removed';

/** How long survivors may take to notice a crash: the node timeout, the reaper's period, and slack. */
function detectionMs(cluster: TestCluster): number {
  const { nodeTimeoutMs, heartbeatIntervalMs } = cluster.options.horizontal;
  return nodeTimeoutMs + 2 * heartbeatIntervalMs + cluster.options.waitMs;
}

/** Cuts the last node off without telling anyone and waits until every survivor has dropped it. */
async function crashLastNode(cluster: TestCluster): Promise<{ dead: TestNode; survivors: TestNode[] }> {
  const dead = cluster.nodes[cluster.nodes.length - 1]!;
  const survivors = cluster.nodes.filter((node) => node !== dead);
  dead.transport.cut = true;
  for (const node of survivors) {
    await waitFor(
      () => !node.adapter.peerIds().includes(dead.adapter.nodeId),
      `${node.name} did not drop the crashed ${dead.name}`,
      { timeoutMs: detectionMs(cluster) },
    );
  }
  return { dead, survivors };
}

function memberRemovedFor(socket: FakeSocket, userId: string): number {
  return socket.received(MEMBER_REMOVED).filter((message) => {
    try {
      return (JSON.parse(String(message.data)) as { user_id?: unknown }).user_id === userId;
    } catch {
      return false;
    }
  }).length;
}

/** Exactly one call on every survivor, with `sendWebhooks` on exactly one of them. */
function assertOnePerSurvivor<T extends { sendWebhooks: boolean }>(
  survivors: TestNode[],
  calls: (node: TestNode) => T[],
  check: (call: T, node: TestNode) => void,
  what: string,
): void {
  let webhookSenders = 0;
  for (const node of survivors) {
    const made = calls(node);
    assert.equal(made.length, 1, `${node.name} reported ${what} ${made.length} times, not once`);
    check(made[0]!, node);
    if (made[0]!.sendWebhooks) webhookSenders += 1;
  }
  assert.equal(
    webhookSenders,
    1,
    `${what}: sendWebhooks was true on ${webhookSenders} survivors, not exactly one`,
  );
}

export const deadNodeTests: TransportTestCase[] = [
  {
    name: "a crashed node's presence members are removed by every survivor, webhooks by exactly one",
    async run(cluster) {
      const nodes = await cluster.start(cluster.options.nodes);
      const dead = nodes[nodes.length - 1]!;
      const watchers = new Map<TestNode, FakeSocket>();
      for (const node of nodes) {
        if (node !== dead)
          watchers.set(node, (await node.joinPresence(APP, ROOM, `user-${node.index}`)).socket);
      }
      await dead.joinPresence(APP, ROOM, 'ghost', { name: 'Ghost' }); // only on the dead node
      await dead.joinPresence(APP, ROOM, 'user-0'); // also on node 0: must survive
      await dead.joinPresence(APP, LONELY, 'ghost'); // a channel only the dead node had
      await cluster.quiesce();
      for (const node of watchers.keys()) {
        const members = await node.adapter.getPresenceMembers(APP, ROOM);
        assert.ok(members.has('ghost'), `${node.name} never learned ghost (before the crash)`);
      }

      const { survivors } = await crashLastNode(cluster);
      for (const node of survivors) {
        await waitFor(
          () => node.events.of('membersExpired', APP).length >= 2,
          `${node.name} did not report the crashed node's members as expired`,
          { timeoutMs: cluster.options.waitMs },
        );
      }
      for (const [node, watcher] of watchers) {
        await waitFor(
          () => memberRemovedFor(watcher, 'ghost') > 0,
          `${node.name}'s subscriber did not receive member_removed for ghost`,
          { timeoutMs: cluster.options.waitMs },
        );
      }
      await cluster.quiesce();

      const expected = survivors.map((node): [string, unknown] => [
        `user-${node.index}`,
        { name: `user-${node.index}` },
      ]);
      for (const [node, watcher] of watchers) {
        const members = await node.adapter.getPresenceMembers(APP, ROOM);
        assert.deepEqual(
          sortedEntries(members),
          sortedEntries(new Map(expected)),
          `${node.name}: members after the crash`,
        );
        assert.equal(
          await node.adapter.isPresenceMember(APP, ROOM, 'ghost'),
          false,
          `${node.name}: ghost is gone`,
        );
        assert.equal(
          (await node.adapter.getPresenceMembers(APP, LONELY)).size,
          0,
          `${node.name}: ${LONELY} members`,
        );
        const removed = memberRemovedFor(watcher, 'ghost');
        assert.equal(
          removed,
          1,
          `${node.name}'s subscriber received member_removed for ghost ${removed} times`,
        );
        assert.equal(memberRemovedFor(watcher, 'user-0'), 0, `${node.name}: user-0 is still on node 0`);
      }
      for (const channel of [ROOM, LONELY]) {
        assertOnePerSurvivor(
          survivors,
          (node) => node.events.of('membersExpired', APP).filter((call) => call.channel === channel),
          (call, node) =>
            assert.deepEqual(sorted(call.userIds), ['ghost'], `${node.name}: expired members of ${channel}`),
          `membersExpired(${channel})`,
        );
      }
    },
  },
  {
    name: "a crashed node's channels are vacated and its users go offline, on every survivor",
    async run(cluster) {
      const nodes = await cluster.start(cluster.options.nodes);
      const dead = nodes[nodes.length - 1]!;
      await nodes[0]!.subscribed(APP, 'private-shared');
      await nodes[0]!.signIn(APP, 'user-0');
      await dead.subscribed(APP, 'private-shared');
      await dead.subscribed(APP, 'private-only-dead');
      await dead.subscribed(APP, 'private-also-dead');
      await dead.signIn(APP, 'ghost');
      await dead.signIn(APP, 'user-0');
      await cluster.quiesce();
      for (const node of nodes) {
        const online = sorted(await node.adapter.onlineUsers(APP, ['ghost', 'user-0']));
        assert.deepEqual(online, ['ghost', 'user-0'], `${node.name}: online users before the crash`);
      }

      const { survivors } = await crashLastNode(cluster);
      for (const node of survivors) {
        await waitFor(
          () => node.events.of('channelsVacated', APP).length > 0 && countOffline(node, 'ghost') > 0,
          `${node.name} did not report the crashed node's channels vacated and ghost offline`,
          { timeoutMs: cluster.options.waitMs },
        );
      }
      await cluster.quiesce();

      assertOnePerSurvivor(
        survivors,
        (node) => node.events.of('channelsVacated', APP),
        (call, node) =>
          assert.deepEqual(
            sorted(call.channels),
            ['private-also-dead', 'private-only-dead'],
            `${node.name}: vacated`,
          ),
        'channelsVacated',
      );
      for (const node of survivors) {
        assert.equal(countOffline(node, 'ghost'), 1, `${node.name}: userOffline(ghost) once`);
        assert.equal(countOffline(node, 'user-0'), 0, `${node.name}: user-0 is still signed in on node 0`);
        const online = sorted(await node.adapter.onlineUsers(APP, ['ghost', 'user-0']));
        assert.deepEqual(online, ['user-0'], `${node.name}: online users after the crash`);
      }
      const rejoin = await survivors[1]!.adapter.join(survivors[1]!.socket(APP), 'private-only-dead');
      assert.equal(
        rejoin.channelOccupied,
        true,
        `${survivors[1]!.name}: the dead node's channel was vacated`,
      );
    },
  },
  {
    name: 'counts stop waiting for a crashed node',
    async run(cluster) {
      const nodes = await cluster.start(cluster.options.nodes);
      for (const node of nodes) await node.subscribed(APP, 'private-shared');
      const asking = nodes[0]!;
      nodes[nodes.length - 1]!.transport.cut = true; // crashes while the count is asked
      const { requestTimeoutMs } = cluster.options.horizontal;
      const during = await withDeadline(
        asking.adapter.getChannelSocketCount(APP, 'private-shared'),
        `${asking.name}: a count asked as a node crashed did not resolve`,
        Math.max(requestTimeoutMs, detectionMs(cluster)) + cluster.options.waitMs,
      );
      assert.equal(during.value, nodes.length - 1, 'a count asked as a node crashed counts the survivors');

      const { survivors } = await crashLastNode(cluster);
      for (const node of survivors) {
        const after = await withDeadline(
          node.adapter.getChannelSocketCount(APP, 'private-shared'),
          `${node.name}: a count after the crash did not resolve`,
          requestTimeoutMs + cluster.options.waitMs,
        );
        assert.deepEqual(
          after,
          { value: survivors.length, complete: true },
          `${node.name}: a count after the crash`,
        );
      }
    },
  },
  {
    name: 'a node declared dead that is heard from again is known again, with its state',
    async run(cluster) {
      const nodes = await cluster.start(cluster.options.nodes);
      const returning = nodes[nodes.length - 1]!;
      const others = nodes.filter((node) => node !== returning);
      await returning.joinPresence(APP, ROOM, 'phoenix', { name: 'Phoenix' });
      await returning.signIn(APP, 'phoenix');
      await returning.subscribed(APP, 'private-phoenix');
      await cluster.quiesce();

      // The others stop hearing it (a stalled publisher connection, say) while it still hears them.
      returning.transport.dropOutgoing = true;
      for (const node of others) {
        await waitFor(
          () => !node.adapter.peerIds().includes(returning.adapter.nodeId),
          `${node.name} did not drop the silent ${returning.name}`,
          { timeoutMs: detectionMs(cluster) },
        );
        assert.equal(
          await node.adapter.isPresenceMember(APP, ROOM, 'phoenix'),
          false,
          `${node.name}: phoenix expired`,
        );
      }
      returning.transport.dropOutgoing = false;
      await cluster.waitForMesh();

      for (const node of others) {
        await waitFor(
          async () => {
            assert.ok(
              await node.adapter.isPresenceMember(APP, ROOM, 'phoenix'),
              'phoenix is not a presence member',
            );
            assert.ok(
              (await node.adapter.onlineUsers(APP, ['phoenix'])).has('phoenix'),
              'phoenix is not online',
            );
            return true;
          },
          `${node.name} did not learn the presence members and users of ${returning.name} again after it came back`,
          { timeoutMs: cluster.options.waitMs },
        );
        const joined = await node.adapter.join(node.socket(APP), 'private-phoenix');
        assert.equal(
          joined.channelOccupied,
          false,
          `${node.name}: private-phoenix is occupied on ${returning.name}`,
        );
      }
    },
  },
  {
    name: 'a node that closes cleanly is forgotten at once: counts do not wait for it',
    async run(cluster) {
      // A node timeout far beyond the request timeout: only a goodbye can make the count complete.
      const nodeTimeoutMs = Math.max(60_000, cluster.options.horizontal.requestTimeoutMs * 10);
      const nodes = await cluster.start(cluster.options.nodes, { nodeTimeoutMs });
      for (const node of nodes) await node.subscribed(APP, 'private-shared');
      const leaving = nodes[nodes.length - 1]!;
      const staying = nodes.filter((node) => node !== leaving);
      const { requestTimeoutMs } = cluster.options.horizontal;
      await cluster.closeNode(leaving);
      for (const node of staying) {
        const count = await withDeadline(
          node.adapter.getChannelSocketCount(APP, 'private-shared'),
          `${node.name}: a count after ${leaving.name} closed did not resolve`,
          requestTimeoutMs + cluster.options.waitMs,
        );
        assert.deepEqual(
          count,
          { value: staying.length, complete: true },
          `${node.name}: a count after ${leaving.name} closed cleanly still waited for it`,
        );
        assert.ok(
          !node.adapter.peerIds().includes(leaving.adapter.nodeId),
          `${node.name} still lists ${leaving.name}, which closed cleanly, as a peer`,
        );
      }
    },
  },
];

function countOffline(node: TestNode, userId: string): number {
  return node.events.of('userOffline', APP).filter((call) => call.userId === userId).length;
}
