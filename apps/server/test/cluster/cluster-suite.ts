// One suite, run over each cluster adapter (redis, redis_cluster, nats): three `sockudo start`
// processes of one cluster, pusher-js tabs spread over them, the Pusher SDK triggering through any node.

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Broker, HEARTBEAT_MS, NODE_TIMEOUT_MS } from './brokers.js';
import { apiGet, type SockudoNode, startCluster, testApp } from './nodes.js';
import { Scope } from './scope.js';
import { flush, flushUser, is, type Tab, Tabs } from './tabs.js';
import { eventually, uid, withTimeout } from './waits.js';

const memberIds = (data: any): string[] => [...(data?.presence?.ids ?? [])].sort();

/** Registers the cluster tests for `broker`. */
export function clusterSuite(broker: Broker): void {
  for (const routing of ['interest', 'broadcast'] as const) routedClusterSuite(broker, routing);
}

/** The suite with every node's `adapter.routing` set to `routing`. */
function routedClusterSuite(broker: Broker, routing: 'interest' | 'broadcast'): void {
  const adapter = (prefix: string) => ({ ...broker.adapter(prefix), routing });
  describe(`three sockudo nodes over ${broker.name} (routing: ${routing})`, () => {
    const scope = new Scope();
    const tabs = new Tabs();
    const app = testApp({ enable_client_messages: true });
    let nodes: SockudoNode[] = [];

    beforeAll(async () => {
      await broker.require();
      nodes = await startCluster(scope, 3, adapter(`sockudo_test_${uid()}`), app);
    }, 60_000);
    afterEach(() => tabs.closeAll());
    afterAll(() => scope.close(), 30_000);

    it('delivers a trigger sent to any node to every subscriber exactly once', async () => {
      const channel = `fanout-${uid()}`;
      // Two tabs per node, so "once" covers both local and remote delivery.
      const subscribers: Tab[] = [];
      for (const node of nodes) {
        for (const n of [1, 2]) {
          const tab = await tabs.add(`${node.name}-tab${n}`, node);
          await tab.subscribe(channel);
          subscribers.push(tab);
        }
      }
      for (const node of nodes) {
        const response = await node.backend.trigger(channel, 'news', { via: node.name });
        expect(response.status).toBe(200);
      }
      await flush(channel, nodes, subscribers);
      for (const tab of subscribers) {
        const via = tab.all(is('news', channel)).map((m) => m.data.via);
        expect(via.sort(), `news at ${tab.name}`).toEqual(['node0', 'node1', 'node2']);
      }
    });

    it('excludes the socket_id of a trigger on another node, and only that socket', async () => {
      const channel = `exclude-${uid()}`;
      const excluded = await tabs.add('excluded', nodes[1]!);
      const sameNode = await tabs.add('same-node', nodes[1]!);
      const others = [await tabs.add('other0', nodes[0]!), await tabs.add('other2', nodes[2]!)];
      const everyone = [excluded, sameNode, ...others];
      for (const tab of everyone) await tab.subscribe(channel);

      // Sent to node0 and node2, neither of which holds the excluded socket.
      await nodes[0]!.backend.trigger(channel, 'update', { n: 1 }, { socket_id: excluded.socketId });
      await nodes[2]!.backend.trigger(channel, 'update', { n: 2 }, { socket_id: excluded.socketId });
      await flush(channel, nodes, everyone);
      expect(excluded.all(is('update', channel))).toEqual([]);
      for (const tab of [sameNode, ...others]) {
        expect(
          // Sorted: triggers sent to different nodes have no order between them.
          tab
            .all(is('update', channel))
            .map((m) => m.data.n)
            .sort(),
          tab.name,
        ).toEqual([1, 2]);
      }
    });

    it('carries client events between nodes, never back to their sender', async () => {
      const channel = `private-chat-${uid()}`;
      const senders = [
        await tabs.add('chat0', nodes[0]!),
        await tabs.add('chat1', nodes[1]!),
        await tabs.add('chat2', nodes[2]!),
      ];
      for (const tab of senders) await tab.subscribe(channel);
      for (const tab of senders) tab.trigger(channel, 'client-typing', { from: tab.name });
      for (const receiver of senders) {
        for (const sender of senders) {
          if (sender === receiver) continue;
          await receiver.waitFor(
            is('client-typing', channel, (d) => d?.from === sender.name),
            `client-typing from ${sender.name}`,
          );
        }
      }
      await flush(channel, nodes, senders);
      for (const tab of senders) {
        const from = tab.all(is('client-typing', channel)).map((m) => m.data.from);
        expect(from.sort(), `client events at ${tab.name}`).toEqual(
          senders.filter((t) => t !== tab).map((t) => t.name),
        );
      }
    });

    it('agrees on presence members, channels, counts and users from every node', async () => {
      const prefix = `presence-agree-${uid()}`;
      const channel = `${prefix}-room`;
      const people = {
        alice: { user_id: 'alice', user_info: { name: 'Alice' } },
        bob: { user_id: 'bob', user_info: { name: 'Bob' } },
        carol: { user_id: 'carol', user_info: { name: 'Carol' } },
      };
      // One member per node.
      const first = [
        await tabs.add('alice@0', nodes[0]!, { member: people.alice }),
        await tabs.add('bob@1', nodes[1]!, { member: people.bob }),
        await tabs.add('carol@2', nodes[2]!, { member: people.carol }),
      ];
      for (const tab of first) await tab.subscribe(channel);
      for (const node of nodes) {
        await eventually(`${node.name} to list all three members`, async () => {
          const { users } = await apiGet(node, `/channels/${channel}/users`);
          expect(users.map((u: { id: string }) => u.id).sort()).toEqual(['alice', 'bob', 'carol']);
        });
      }

      // A second tab of each user, on another node: its member list is everyone, with their info.
      const second = [
        await tabs.add('alice@1', nodes[1]!, { member: people.alice }),
        await tabs.add('bob@2', nodes[2]!, { member: people.bob }),
        await tabs.add('carol@0', nodes[0]!, { member: people.carol }),
      ];
      for (const tab of second) {
        const data = await tab.subscribe(channel);
        expect(memberIds(data), `member list at ${tab.name}`).toEqual(['alice', 'bob', 'carol']);
        expect(data.presence.count).toBe(3);
        expect(data.presence.hash).toEqual({
          alice: { name: 'Alice' },
          bob: { name: 'Bob' },
          carol: { name: 'Carol' },
        });
      }

      for (const node of nodes) {
        const list = await apiGet(node, '/channels', { filter_by_prefix: prefix, info: 'user_count' });
        expect(list, `GET /channels from ${node.name}`).toEqual({
          channels: { [channel]: { user_count: 3 } },
        });
        const one = await apiGet(node, `/channels/${channel}`, { info: 'user_count,subscription_count' });
        expect(one, `GET /channels/${channel} from ${node.name}`).toEqual({
          occupied: true,
          user_count: 3,
          subscription_count: 6,
        });
        const { users } = await apiGet(node, `/channels/${channel}/users`);
        expect(users.map((u: { id: string }) => u.id).sort(), `GET /users from ${node.name}`).toEqual([
          'alice',
          'bob',
          'carol',
        ]);
      }
    });

    it('sends one member_added for a user with tabs on two nodes, and one member_removed after the last tab', async () => {
      const channel = `presence-tabs-${uid()}`;
      const observers = [
        await tabs.add('obs0', nodes[0]!, { member: { user_id: 'obs0' } }),
        await tabs.add('obs1', nodes[1]!, { member: { user_id: 'obs1' } }),
        await tabs.add('obs2', nodes[2]!, { member: { user_id: 'obs2' } }),
      ];
      for (const tab of observers) await tab.subscribe(channel);
      const added = is('pusher_internal:member_added', channel, (d) => d?.user_id === 'dana');
      const removed = is('pusher_internal:member_removed', channel, (d) => d?.user_id === 'dana');

      const tab1 = await tabs.add('dana-tab1@1', nodes[1]!, { member: { user_id: 'dana' } });
      await tab1.subscribe(channel);
      // Every observer saw her arrive, so every node knows she is a member before her second tab joins.
      for (const observer of observers) await observer.waitFor(added, 'member_added dana');

      const tab2 = await tabs.add('dana-tab2@2', nodes[2]!, { member: { user_id: 'dana' } });
      expect(memberIds(await tab2.subscribe(channel))).toEqual(['dana', 'obs0', 'obs1', 'obs2']);
      await flush(channel, nodes, observers);
      for (const observer of observers) expect(observer.all(added), observer.name).toHaveLength(1);

      // Closing the first tab: she is still online through the second one.
      tab1.close();
      await eventually('node1 to have let the first tab go', async () => {
        const info = await apiGet(nodes[1]!, `/channels/${channel}`, { info: 'subscription_count' });
        expect(info.subscription_count).toBe(4);
      });
      await flush(channel, nodes, observers);
      for (const observer of observers) expect(observer.all(removed), observer.name).toEqual([]);

      // Closing the last tab: exactly one member_removed everywhere.
      tab2.close();
      for (const observer of observers) await observer.waitFor(removed, 'member_removed dana');
      await flush(channel, nodes, observers);
      for (const observer of observers) {
        expect(observer.all(removed), observer.name).toHaveLength(1);
        expect(observer.all(added), observer.name).toHaveLength(1);
      }
      for (const node of nodes) {
        await eventually(`${node.name} to drop dana`, async () => {
          const { users } = await apiGet(node, `/channels/${channel}/users`);
          expect(users.map((u: { id: string }) => u.id).sort()).toEqual(['obs0', 'obs1', 'obs2']);
        });
      }
    });

    it('delivers a trigger sent through another node right after subscription_succeeded or signin_success', async () => {
      // The first subscriber of a channel (or signed-in socket of a user) on a node makes the node
      // subscribe on the broker; the client is told it is subscribed only once the broker confirmed.
      for (let round = 0; round < 12; round++) {
        const home = nodes[round % nodes.length]!;
        const via = nodes[(round + 1) % nodes.length]!;
        const channel = `first-${uid()}`;
        const userId = `first-${uid()}`;
        const tab = await tabs.add(`first-${round}`, home, { user: { id: userId } });
        await tab.subscribe(channel);
        await via.backend.trigger(channel, 'right-after', { round });
        await tab.waitFor(
          is('right-after', channel),
          `${tab.name}: the trigger sent right after subscribing`,
        );
        await tab.signin();
        await via.backend.sendToUser(userId, 'to-user-right-after', { round });
        await tab.waitFor(is('to-user-right-after'), `${tab.name}: the sendToUser right after signing in`);
        tab.close();
      }
    });

    it('reaches the sockets of a user on every node with sendToUser and terminateUserConnections', async () => {
      const erin = { id: `erin-${uid()}` };
      const frank = { id: `frank-${uid()}` };
      const erinTabs: Tab[] = [];
      for (const node of nodes) {
        const tab = await tabs.add(`erin@${node.name}`, node, { user: erin });
        await tab.signin();
        erinTabs.push(tab);
      }
      const frankTab = await tabs.add('frank@1', nodes[1]!, { user: frank });
      await frankTab.signin();
      const userChannel = `#server-to-user-${erin.id}`;

      for (const node of nodes) {
        const response = await node.backend.sendToUser(erin.id, 'notice', { via: node.name });
        expect(response.status).toBe(200);
      }
      await flushUser(erin.id, nodes, erinTabs);
      for (const tab of erinTabs) {
        const via = tab.all(is('notice', userChannel)).map((m) => m.data.via);
        expect(via.sort(), `notices at ${tab.name}`).toEqual(['node0', 'node1', 'node2']);
      }
      expect(frankTab.all(is('notice'))).toEqual([]);

      const gone = erinTabs.map((tab) => tab.disconnection());
      const response = await nodes[2]!.backend.terminateUserConnections(erin.id);
      expect(response.status).toBe(200);
      for (const [i, disconnection] of gone.entries()) {
        expect((await disconnection).code, `close code at ${erinTabs[i]!.name}`).toBe(4009);
      }
      // Frank, signed in as someone else, is still connected and reachable.
      await flushUser(frank.id, nodes, [frankTab]);
      expect(frankTab.state).toBe('connected');
    });
  });

  describe(`a node of a ${broker.name} cluster killed with SIGKILL (routing: ${routing})`, () => {
    const scope = new Scope();
    const tabs = new Tabs();
    const app = testApp();
    afterEach(() => tabs.closeAll());
    afterAll(() => scope.close(), 30_000);

    it('is noticed within the node timeout: its members are removed once, members it shared stay', async () => {
      await broker.require();
      const nodes = await startCluster(scope, 3, adapter(`sockudo_test_${uid()}`), app);
      const [a, b, doomed] = nodes as [SockudoNode, SockudoNode, SockudoNode];
      const channel = `presence-kill-${uid()}`;
      const watchA = await tabs.add('watch@a', a, { member: { user_id: 'watch-a' } });
      const watchB = await tabs.add('watch@b', b, { member: { user_id: 'watch-b' } });
      // "ghost" is only on the doomed node; "both" has a tab there and one on node a.
      const ghost = await tabs.add('ghost@doomed', doomed, { member: { user_id: 'ghost' } });
      const bothThere = await tabs.add('both@doomed', doomed, { member: { user_id: 'both' } });
      const bothHere = await tabs.add('both@a', a, { member: { user_id: 'both' } });
      for (const tab of [watchA, watchB, ghost, bothThere, bothHere]) await tab.subscribe(channel);
      const everyone = ['both', 'ghost', 'watch-a', 'watch-b'];
      for (const node of [a, b]) {
        await eventually(`${node.name} to list every member`, async () => {
          const { users } = await apiGet(node, `/channels/${channel}/users`);
          expect(users.map((u: { id: string }) => u.id).sort()).toEqual(everyone);
        });
      }

      doomed.process.child.kill('SIGKILL');
      await withTimeout(doomed.process.exited, 'the killed node to exit');
      const deadline = NODE_TIMEOUT_MS + 2 * HEARTBEAT_MS + 3000;
      const ghostRemoved = is('pusher_internal:member_removed', channel, (d) => d?.user_id === 'ghost');
      const survivors = [watchA, watchB, bothHere];
      for (const watcher of survivors) {
        await watcher.waitFor(ghostRemoved, 'member_removed ghost after the node died', {
          timeoutMs: deadline,
        });
      }
      await flush(channel, [a, b], survivors);
      for (const watcher of survivors) {
        expect(watcher.all(ghostRemoved), watcher.name).toHaveLength(1);
        expect(
          watcher.all(is('pusher_internal:member_removed', channel, (d) => d?.user_id === 'both')),
          `"both" still has a tab on node a (${watcher.name})`,
        ).toEqual([]);
      }
      for (const node of [a, b]) {
        const { users } = await apiGet(node, `/channels/${channel}/users`);
        expect(users.map((u: { id: string }) => u.id).sort(), `users from ${node.name}`).toEqual([
          'both',
          'watch-a',
          'watch-b',
        ]);
        // The dead node is forgotten: counts are complete again, from the survivors only.
        const info = await apiGet(node, `/channels/${channel}`, { info: 'user_count,subscription_count' });
        expect(info, `channel info from ${node.name}`).toEqual({
          occupied: true,
          user_count: 3,
          subscription_count: 3,
        });
        expect(node.alive()).toBe(true);
      }
    }, 60_000);
  });
}
