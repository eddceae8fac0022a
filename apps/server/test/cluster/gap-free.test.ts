// Gap-free nodes: on a throwaway redis-server (never the shared 6379), the broker cuts every subscriber
// connection (`CLIENT KILL TYPE pubsub`) twice while a node publishes, and once more just before the
// last messages; the other node's V2 client still receives every event of a channel with history, in
// serial order, once: what the broker dropped is read back from the redis history store when the next
// serial shows the gap, or when the node's subscription is restored.

import { freePort } from '@sockudo/test-helpers/services';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ChildBroker, redisBroker, redisCommand } from './brokers.js';
import { type SockudoNode, startCluster, testApp } from './nodes.js';
import { Scope } from './scope.js';
import { eventually, uid } from './waits.js';

describe('a node whose broker subscription is cut during traffic', () => {
  const scope = new Scope();
  afterAll(() => scope.close(), 30_000);

  it('delivers every event of a channel with history to its clients, in order, once', async () => {
    const port = await freePort();
    const redis = ChildBroker.redis(port);
    await redis.start();
    scope.defer(() => redis.kill());
    const app = testApp();
    const [publisher, subscriber] = (await startCluster(
      scope,
      2,
      redisBroker(redis.url).adapter(`sockudo_test_${uid()}`),
      app,
      {
        database: { redis: { port } },
        history: { enabled: true, backend: 'redis' },
      },
    )) as [SockudoNode, SockudoNode];
    const channel = `ticks-${uid()}`;
    const ws = new WebSocket(`ws://127.0.0.1:${subscriber.port}/app/${app.key}?protocol=2&format=json`);
    const serials: number[] = [];
    let subscribed = false;
    ws.on('message', (text) => {
      const frame = JSON.parse(text.toString());
      if (frame.event === 'sockudo:connection_established') {
        ws.send(JSON.stringify({ event: 'sockudo:subscribe', data: { channel } }));
      } else if (frame.event === 'sockudo_internal:subscription_succeeded') subscribed = true;
      else if (frame.event === 'tick') serials.push(frame.serial);
    });
    scope.defer(() => ws.terminate());
    await eventually('the subscription', () => expect(subscribed).toBe(true));

    const total = 3000;
    let sent = 0;
    const publishing = (async () => {
      // Four batches of ten in flight at a time: about a thousand events a second here.
      const lane = async () => {
        while (sent < total) {
          const batch = Array.from({ length: 10 }, () => ({ channel, name: 'tick', data: String(++sent) }));
          await publisher.backend.triggerBatch(batch);
        }
      };
      await Promise.all([lane(), lane(), lane(), lane()]);
    })();
    for (const at of [800, 1800]) {
      await eventually(`${at} events published`, () => expect(sent).toBeGreaterThanOrEqual(at), {
        intervalMs: 5,
      });
      expect(await redisCommand(port, 'CLIENT KILL TYPE pubsub')).toMatch(/^:[1-9]/);
    }
    await publishing;
    // Nothing more is published: what the cuts dropped is read back as the next messages (or the
    // reconnect's catch-up) show the gap.
    await eventually(`all ${total} events`, () => expect(serials.length).toBe(total), { timeoutMs: 20_000 });

    // A cut after the last message: only the catch-up on reconnect can fill it.
    expect(await redisCommand(port, 'CLIENT KILL TYPE pubsub')).toMatch(/^:[1-9]/);
    for (let n = 0; n < 5; n++) {
      await publisher.backend.triggerBatch(
        Array.from({ length: 10 }, (_, i) => ({
          channel,
          name: 'tick',
          data: String(total + n * 10 + i + 1),
        })),
      );
    }
    await eventually('the 50 published during the cut', () => expect(serials.length).toBe(total + 50), {
      timeoutMs: 20_000,
    });
    expect(serials).toEqual(Array.from({ length: total + 50 }, (_, i) => i + 1));
  }, 90_000);
});
