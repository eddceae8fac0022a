// The Redis queue inside `createServer` (in this process): webhooks a closing server still holds
// (an open batch, a held channel_vacated) are flushed into Redis before the queue's connection ends,
// and the next instance on the same prefix delivers them, signed for the app.

import { randomUUID } from 'node:crypto';
import { createServer } from '@sockudo/core';
import { eventually, REDIS_URL, requireRedis } from '@sockudo/test-helpers/services';
import { Redis } from 'ioredis';
import Pusher from 'pusher';
import PusherJsModule from 'pusher-js';
import { afterEach, describe, expect, it } from 'vitest';
import { createRedisQueue, queueKeys } from '../../src/index.js';
import { WebhookReceiver } from '../helpers/processes.js';

// pusher-js is CommonJS typed as an ES module: under NodeNext its class is the default export's
// `default`, at run time it may be either.
const PusherJs = ((PusherJsModule as unknown as { default?: unknown }).default ??
  PusherJsModule) as typeof PusherJsModule.default;

const APP = { id: 'app-id', key: 'app-key', secret: 'app-secret' };

const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

function node(prefix: string, webhookUrl: string) {
  return createServer({
    host: '127.0.0.1',
    port: 0,
    apps: [{ ...APP, webhooks: [{ url: webhookUrl }] }],
    queue: createRedisQueue({ url: REDIS_URL, prefix, pollIntervalMs: 100 }),
    // A batch that would wait a minute: only close() sends it.
    webhooks: { batching: true, batchDurationMs: 60_000 },
  });
}

describe('webhooks a closing server still holds', () => {
  it('are queued in Redis before the connection closes and delivered by the next instance', async () => {
    await requireRedis();
    const receiver = await WebhookReceiver.start(() => 200);
    cleanup.push(() => receiver.close());
    const raw = new Redis(REDIS_URL);
    const prefix = `test_queue:${randomUUID()}:`;
    const keys = queueKeys(prefix, 'webhooks');
    cleanup.push(async () => {
      await raw.del(keys.jobs, keys.attempts, keys.wait, keys.delayed, keys.active, keys.dlq);
      await raw.quit();
    });

    const first = node(prefix, receiver.url);
    const { port } = await first.listen();
    const client = new PusherJs(APP.key, {
      wsHost: '127.0.0.1',
      wsPort: port,
      forceTLS: false,
      enabledTransports: ['ws'],
      disableStats: true,
      cluster: 'mt1',
    });
    cleanup.push(() => client.disconnect());
    const channel = client.subscribe('closing-time');
    await new Promise<void>((resolve) => channel.bind('pusher:subscription_succeeded', () => resolve()));
    await first.close({ gracePeriodMs: 200 });
    client.disconnect();

    expect(receiver.requests).toHaveLength(0);
    expect(await raw.hlen(keys.jobs)).toBe(1);
    expect(await raw.llen(keys.wait)).toBe(1);

    const second = node(prefix, receiver.url);
    cleanup.push(() => second.close({ gracePeriodMs: 100 }));
    await second.listen();
    await eventually(() => expect(receiver.delivered()).toHaveLength(1), 5000);
    const [request] = receiver.delivered();
    expect(request!.body.events.map((e) => `${e.name}:${e.channel}`)).toEqual([
      'channel_occupied:closing-time',
      'channel_vacated:closing-time',
    ]);
    const backend = new Pusher({ appId: APP.id, key: APP.key, secret: APP.secret, host: '127.0.0.1' });
    const valid = backend
      .webhook({ headers: request!.headers as Record<string, string>, rawBody: request!.rawBody })
      .isValid();
    expect(valid).toBe(true);
    await eventually(async () => expect(await raw.hlen(keys.jobs)).toBe(0));
  });
});
