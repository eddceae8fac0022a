// The durability promise end to end: a real Sockudo process with the Redis queue has webhook jobs in
// flight, waiting, or waiting out a retry delay when it is killed with SIGKILL; a new process on the
// same queue prefix delivers each of them, and a real HTTP receiver gets each webhook exactly once,
// signed for the app (checked with the pusher SDK's webhook()).

import { randomUUID } from 'node:crypto';
import {
  eventually,
  REDIS_CLUSTER_NODES,
  REDIS_URL,
  requireRedis,
  requireRedisCluster,
  sleep,
} from '@sockudo/test-helpers/services';
import { Cluster, Redis } from 'ioredis';
import Pusher from 'pusher';
import PusherJsModule from 'pusher-js';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { queueKeys } from '../../src/index.js';
import { buildPackage, killNodes, startNode, WebhookReceiver } from '../helpers/processes.js';

// pusher-js is CommonJS typed as an ES module: under NodeNext its class is the default export's
// `default`, at run time it may be either.
const PusherJs = ((PusherJsModule as unknown as { default?: unknown }).default ??
  PusherJsModule) as typeof PusherJsModule.default;
type PusherJs = InstanceType<typeof PusherJs>;

const APP = { appId: 'app-id', key: 'app-key', secret: 'app-secret' };
const backend = new Pusher({ ...APP, host: '127.0.0.1', useTLS: false });

const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  await killNodes();
  for (const step of cleanup.splice(0).reverse()) await step();
});

beforeAll(buildPackage, 120_000);

/** A pusher-js client on `port` subscribed to `channel` (which makes the node send channel_occupied). */
function subscribeOn(port: number, channels: string[]): PusherJs {
  const client = new PusherJs(APP.key, {
    wsHost: '127.0.0.1',
    wsPort: port,
    forceTLS: false,
    enabledTransports: ['ws'],
    disableStats: true,
    cluster: 'mt1',
  });
  for (const channel of channels) client.subscribe(channel);
  cleanup.push(() => client.disconnect());
  return client;
}

function expectValidWebhook(request: { headers: Record<string, unknown>; rawBody: string }): void {
  expect(request.headers['content-type']).toBe('application/json');
  expect(request.headers['x-pusher-key']).toBe(APP.key);
  const webhook = backend.webhook({
    headers: request.headers as Record<string, string>,
    rawBody: request.rawBody,
  });
  expect(webhook.isValid()).toBe(true);
}

describe.each([
  {
    name: 'redis',
    require: requireRedis,
    env: { REDIS_URL } as Record<string, string>,
    raw: () => new Redis(REDIS_URL) as Redis | Cluster,
  },
  {
    name: 'redis cluster',
    require: requireRedisCluster,
    env: { REDIS_CLUSTER_NODES: REDIS_CLUSTER_NODES.join(',') } as Record<string, string>,
    raw: () => new Cluster(REDIS_CLUSTER_NODES) as Redis | Cluster,
  },
])('webhooks survive a SIGKILL with the $name queue', (mode) => {
  async function setup(answer: (index: number) => number | 'hang') {
    await mode.require();
    const receiver = await WebhookReceiver.start(answer);
    cleanup.push(() => receiver.close());
    const raw = mode.raw();
    const prefix = `test_queue:${randomUUID()}:`;
    const keys = queueKeys(prefix, 'webhooks');
    cleanup.push(async () => {
      await raw.del(keys.jobs, keys.attempts, keys.wait, keys.delayed, keys.active, keys.dlq);
      await raw.quit();
    });
    return { receiver, raw, keys, env: { ...mode.env, QUEUE_PREFIX: prefix, WEBHOOK_URL: receiver.url } };
  }

  it('delivers a webhook in flight (lease lapses) and one waiting behind it, each exactly once', async () => {
    // The receiver never answers the first request: the process is killed mid-delivery.
    const { receiver, raw, keys, env } = await setup((index) => (index === 0 ? 'hang' : 200));
    const leaseMs = 1500;
    const first = await startNode({ ...env, LEASE_MS: String(leaseMs), CONCURRENCY: '1' });
    const client = subscribeOn(first.port, ['in-flight']);
    await eventually(() => expect(receiver.requests).toHaveLength(1), 10_000);
    expect(receiver.requests[0]?.body.events).toEqual([{ name: 'channel_occupied', channel: 'in-flight' }]);
    client.subscribe('waiting'); // its webhook waits: the only worker slot is taken
    await eventually(async () => {
      expect(await raw.hlen(keys.jobs)).toBe(2);
      expect(await raw.zcard(keys.active)).toBe(1);
      expect(await raw.llen(keys.wait)).toBe(1);
    });

    await first.kill();
    client.disconnect();
    await eventually(() => expect(receiver.requests[0]?.aborted).toBe(true));
    const killedAt = Date.now();

    const second = await startNode({ ...env, LEASE_MS: String(leaseMs), CONCURRENCY: '1' });
    expect(second.port).toBeGreaterThan(0);
    await eventually(() => expect(receiver.delivered()).toHaveLength(2), 15_000);
    const byChannel = new Map(receiver.delivered().map((r) => [r.body.events[0]?.channel, r]));
    expect([...byChannel.keys()].sort()).toEqual(['in-flight', 'waiting']);
    // The in-flight job came back only when its lease lapsed: it was renewed every leaseMs / 3 until
    // the kill, so that is at least two thirds of a lease later.
    const redelivered = byChannel.get('in-flight')!.at - killedAt;
    expect(redelivered).toBeGreaterThanOrEqual((leaseMs * 2) / 3 - 100);
    expect(redelivered).toBeLessThan(leaseMs + 5000);
    for (const request of receiver.delivered()) {
      expectValidWebhook(request);
      expect(request.body.events).toHaveLength(1);
      expect(request.body.events[0]?.name).toBe('channel_occupied');
    }

    // Nothing comes a second time, and the queue is empty.
    await sleep(leaseMs + 500);
    expect(receiver.requests).toHaveLength(3);
    expect(receiver.delivered()).toHaveLength(2);
    expect(await raw.hlen(keys.jobs)).toBe(0);
    expect(await raw.zcard(keys.active)).toBe(0);
  });

  it('delivers a webhook that was waiting out its retry delay when the process died, exactly once', async () => {
    const { receiver, raw, keys, env } = await setup((index) => (index === 0 ? 503 : 200));
    const backoffMs = 2000;
    const first = await startNode({ ...env, BACKOFF_MS: String(backoffMs) });
    subscribeOn(first.port, ['retry-me']);
    await eventually(() => expect(receiver.requests).toHaveLength(1), 10_000);
    expect(receiver.requests[0]?.answer).toBe(503);
    await eventually(async () => expect(await raw.zcard(keys.delayed)).toBe(1));
    await first.kill();

    await startNode({ ...env, BACKOFF_MS: String(backoffMs) });
    await eventually(() => expect(receiver.delivered()).toHaveLength(1), 15_000);
    const [delivered] = receiver.delivered();
    expectValidWebhook(delivered!);
    expect(delivered!.body.events).toEqual([{ name: 'channel_occupied', channel: 'retry-me' }]);
    // The same signed request as the first attempt, sent after the retry delay.
    expect(delivered!.rawBody).toBe(receiver.requests[0]?.rawBody);
    expect(delivered!.body.time_ms).toBe(receiver.requests[0]?.body.time_ms);

    await sleep(1000);
    expect(receiver.requests).toHaveLength(2);
    expect(await raw.hlen(keys.jobs)).toBe(0);
  });
});
