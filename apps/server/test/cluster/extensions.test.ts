// The V2 wire across three `sockudo start` nodes over the redis adapter (both routings): a trigger's
// extras reach a V2 socket on another node, filtered by its event-name filter, while a pusher-js tab
// on a third node gets the plain Pusher frame; a V2 client event is echoed to its sender.

import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { redisBroker } from './brokers.js';
import { startCluster, testApp } from './nodes.js';
import { Scope } from './scope.js';
import { is, Tabs } from './tabs.js';
import { V2Socket } from './v2-socket.js';
import { uid } from './waits.js';

describe('the V2 wire over three nodes', () => {
  const broker = redisBroker();
  const scope = new Scope();
  const tabs = new Tabs();
  const sockets: V2Socket[] = [];
  afterEach(() => {
    tabs.closeAll();
    for (const socket of sockets.splice(0)) socket.close();
  });
  afterAll(() => scope.close(), 30_000);

  for (const routing of ['interest', 'broadcast'] as const) {
    it(`carries extras to V2 sockets only, filtered by event name (routing: ${routing})`, async () => {
      await broker.require();
      const app = testApp({ enable_client_messages: true });
      const nodes = await startCluster(
        scope,
        3,
        { ...broker.adapter(`sockudo_test_${uid()}`), routing },
        app,
      );
      const channel = `private-orders-${uid()}`;
      const v2 = await V2Socket.open(nodes[1]!);
      sockets.push(v2);
      v2.send({
        event: 'sockudo:subscribe',
        data: {
          channel,
          ...nodes[1]!.backend.authorizeChannel(v2.socketId, channel),
          filter: { events: ['order.created', 'client-typing', 'done'] },
        },
      });
      await v2.waitFor((f) => f.event === 'sockudo_internal:subscription_succeeded', 'the V2 subscription');
      const tab = await tabs.add('pusher-tab', nodes[2]!);
      await tab.subscribe(channel);

      const extras = { headers: { region: 'eu' }, ephemeral: true };
      await nodes[0]!.backend.trigger(channel, 'order.updated', { n: 1 }, { extras } as never);
      await nodes[0]!.backend.trigger(channel, 'order.created', { n: 2 }, { extras } as never);
      v2.send({ event: 'client-typing', channel, data: { by: 'v2' } });
      await nodes[0]!.backend.trigger(channel, 'done', {});

      await v2.waitFor((f) => f.event === 'done', 'the last trigger on the V2 socket');
      await tab.waitFor(is('done', channel), 'the last trigger on the Pusher tab');
      await tab.waitFor(is('client-typing', channel), 'the V2 client event on the Pusher tab');
      const created = v2.frames.find((f) => f.event === 'order.created')!;
      expect(created.raw).toBe(
        `{"event":"order.created","channel":"${channel}","data":"{\\"n\\":2}","extras":{"headers":{"region":"eu"},"ephemeral":true}}`,
      );
      expect(v2.frames.filter((f) => f.event === 'order.updated')).toEqual([]);
      // Echoed to the V2 sender (echo_messages defaults to true), through its own node.
      expect(v2.frames.filter((f) => f.event === 'client-typing')).toHaveLength(1);
      expect(tab.all(is('order.updated', channel))).toHaveLength(1);
      expect(tab.all(is('order.created', channel)).map((m) => m.data)).toEqual([{ n: 2 }]);
      expect(JSON.stringify(tab.messages)).not.toContain('extras');
    }, 60_000);
  }
});
