// Two Sockudo instances in one process, each with its own Redis cache connection on the same prefix
// (and no adapter between them): the last event of a cache channel, triggered through instance A with
// the pusher SDK, is replayed by instance B to a pusher-js subscriber right after
// subscription_succeeded. Run against Redis and against the Redis Cluster.

import { randomUUID } from 'node:crypto';
import { createServer, type SockudoServer } from '@sockudo/core';
import {
  REDIS_CLUSTER_NODES,
  REDIS_URL,
  requireRedis,
  requireRedisCluster,
} from '@sockudo/test-helpers/services';
import { Cluster, Redis } from 'ioredis';
import Pusher from 'pusher';
import PusherJsModule from 'pusher-js';
import { afterEach, describe, expect, it } from 'vitest';
import { createRedisCache, type RedisCacheOptions } from '../../src/index.js';

// pusher-js is CommonJS typed as an ES module: under NodeNext its class is the default export's
// `default`, at run time it may be either.
const PusherJs = ((PusherJsModule as unknown as { default?: unknown }).default ??
  PusherJsModule) as typeof PusherJsModule.default;

const APP = { id: 'app-id', key: 'app-key', secret: 'app-secret' };

const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function startNode(cache: RedisCacheOptions): Promise<{ server: SockudoServer; port: number }> {
  const server = createServer({ host: '127.0.0.1', port: 0, apps: [APP], cache: createRedisCache(cache) });
  cleanup.push(() => server.close({ gracePeriodMs: 100 }));
  const { port } = await server.listen();
  return { server, port };
}

function backend(port: number): Pusher {
  return new Pusher({
    appId: APP.id,
    key: APP.key,
    secret: APP.secret,
    host: '127.0.0.1',
    port: String(port),
    useTLS: false,
  });
}

/** Subscribes a pusher-js client on `port` and records every event of the channel, in order. */
function subscribe(port: number, channelName: string) {
  const client = new PusherJs(APP.key, {
    wsHost: '127.0.0.1',
    wsPort: port,
    forceTLS: false,
    enabledTransports: ['ws'],
    disableStats: true,
    cluster: 'mt1',
  });
  cleanup.push(() => client.disconnect());
  const events: Array<{ event: string; data: unknown }> = [];
  const channel = client.subscribe(channelName);
  channel.bind_global((event: string, data: unknown) => events.push({ event, data }));
  return { events };
}

async function until(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe.each([
  {
    name: 'redis',
    require: requireRedis,
    options: (prefix: string): RedisCacheOptions => ({ url: REDIS_URL, prefix }),
    raw: () => new Redis(REDIS_URL) as Redis | Cluster,
  },
  {
    name: 'redis cluster',
    require: requireRedisCluster,
    options: (prefix: string): RedisCacheOptions => ({ nodes: REDIS_CLUSTER_NODES, prefix }),
    raw: () => new Cluster(REDIS_CLUSTER_NODES) as Redis | Cluster,
  },
])('cache channels across two instances sharing a $name cache', (mode) => {
  it('replays the event triggered through A to a pusher-js subscriber on B after subscription_succeeded', async () => {
    await mode.require();
    const prefix = `test_cache:${randomUUID()}:`;
    const a = await startNode(mode.options(prefix));
    const b = await startNode(mode.options(prefix));

    // Nothing cached yet: B reports a cache miss.
    const first = subscribe(b.port, 'cache-x');
    await until(() => first.events.some((e) => e.event === 'pusher:cache_miss'), 'pusher:cache_miss on B');
    expect(first.events.map((e) => e.event)).toEqual(['pusher:subscription_succeeded', 'pusher:cache_miss']);

    const response = await backend(a.port).trigger('cache-x', 'price', { eur: 42 });
    expect(response.status).toBe(200);

    const late = subscribe(b.port, 'cache-x');
    await until(() => late.events.length >= 2, 'the cached event on B');
    expect(late.events[0]?.event).toBe('pusher:subscription_succeeded');
    expect(late.events[1]).toEqual({ event: 'price', data: { eur: 42 } });
    expect(late.events.map((e) => e.event)).not.toContain('pusher:cache_miss');

    // Stored under Rust Sockudo's key with the channel cache TTL (1800 s by default) ...
    const raw = mode.raw();
    cleanup.push(() => raw.quit());
    const key = `${prefix}app:${APP.id}:channel:cache-x:cache_miss`;
    expect(JSON.parse((await raw.get(key)) ?? 'null')).toMatchObject({ event: 'price', channel: 'cache-x' });
    const ttl = await raw.ttl(key);
    expect(ttl).toBeGreaterThan(1790);
    expect(ttl).toBeLessThanOrEqual(1800);
    // ... which B's HTTP API reports through ttl().
    const info = await backend(b.port).get({ path: '/channels/cache-x', params: { info: 'cache' } });
    const body = (await info.json()) as { cache?: { event: string; data: string; ttl: number } };
    expect(body.cache).toMatchObject({ event: 'price', data: JSON.stringify({ eur: 42 }) });
    expect(body.cache?.ttl).toBeGreaterThan(1790);
    await raw.del(key);
  });
});
