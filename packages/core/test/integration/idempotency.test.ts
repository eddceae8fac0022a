// Idempotent publish on one node with the memory cache: the body's `idempotency_key` (sent by the
// `pusher` SDK, which spreads its params into the body) and the `X-Idempotency-Key` header, per event
// in a batch and for a whole batch, with Rust Sockudo's limits and failure answers.

import { type CacheV1, createMemoryCache } from '@sockudo/core';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup } from '../helpers/cleanup.js';
import { RawClient } from '../helpers/clients.js';
import { signedRequest } from '../helpers/http.js';
import { APP, startServer } from '../helpers/server.js';
import { waitUntil } from '../helpers/wait.js';

afterEach(cleanup);

/** Publishes a marker and waits for it, so every event published before it has arrived too. */
async function barrier(client: RawClient, trigger: (name: string) => Promise<unknown>, channel: string) {
  const from = client.mark();
  await trigger('barrier');
  await client.waitFor('barrier', { channel, from });
}

/** The events named `name` the client received on `channel`, with their payloads. */
function received(client: RawClient, name: string, channel: string): unknown[] {
  return client.all(name, channel).map((f) => f.payload);
}

async function refused(call: Promise<unknown>): Promise<{ status: number; body: { error: string } }> {
  try {
    await call;
  } catch (error) {
    const { status, body } = error as { status: number; body: string };
    return { status, body: JSON.parse(body) };
  }
  throw new Error('expected the request to be refused');
}

describe('idempotent triggers', () => {
  it('delivers a repeated idempotency_key once and answers the duplicate with the first response', async () => {
    const { port, backend } = await startServer();
    const first = await RawClient.established(port);
    await first.subscribe('orders');
    const sdk = backend();

    const a = await sdk.trigger('orders', 'created', { n: 1 }, {
      idempotency_key: 'order-1',
      info: 'subscription_count',
    } as never);
    expect(await a.json()).toEqual({ channels: { orders: { subscription_count: 1 } } });
    // The count changes; the duplicate still answers what the first request answered.
    const second = await RawClient.established(port);
    await second.subscribe('orders');
    const b = await sdk.trigger('orders', 'created', { n: 2 }, {
      idempotency_key: 'order-1',
      info: 'subscription_count',
    } as never);
    expect(b.status).toBe(200);
    expect(await b.json()).toEqual({ channels: { orders: { subscription_count: 1 } } });

    await barrier(first, (name) => sdk.trigger('orders', name, {}), 'orders');
    await barrier(second, (name) => sdk.trigger('orders', name, {}), 'orders');
    expect(received(first, 'created', 'orders')).toEqual([{ n: 1 }]);
    expect(received(second, 'created', 'orders')).toEqual([]);
    // idempotency_key never reaches a WebSocket client.
    expect(first.all('created')[0]!.raw).not.toContain('order-1');
  });

  it('takes the key from X-Idempotency-Key, the body key winning over it', async () => {
    const { port, backend } = await startServer();
    const client = await RawClient.established(port);
    await client.subscribe('news');
    const send = (body: Record<string, unknown>, key?: string) =>
      signedRequest(port, {
        path: '/events',
        body: { name: 'story', channel: 'news', data: JSON.stringify(body), ...body },
        ...(key ? { headers: { 'X-Idempotency-Key': key } } : {}),
      });
    expect((await send({ v: 1 }, 'header-key')).status).toBe(200);
    expect((await send({ v: 2 }, 'header-key')).status).toBe(200);
    // With a body key, the header is not consulted: a new body key publishes.
    expect((await send({ v: 3, idempotency_key: 'body-key' }, 'header-key')).status).toBe(200);
    expect((await send({ v: 4, idempotency_key: 'body-key' })).status).toBe(200);
    await barrier(client, (name) => backend().trigger('news', name, {}), 'news');
    expect(received(client, 'story', 'news').map((p) => (p as { v: number }).v)).toEqual([1, 3]);
  });

  it('of 20 concurrent duplicates, delivers one and answers all 20 alike', async () => {
    const { port, backend } = await startServer();
    const client = await RawClient.established(port);
    await client.subscribe('race');
    const sdk = backend();
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        sdk.trigger('race', 'go', { i }, { idempotency_key: 'race-1', info: 'subscription_count' } as never),
      ),
    );
    const bodies = await Promise.all(responses.map(async (r) => [r.status, await r.text()]));
    expect(new Set(bodies.map((b) => JSON.stringify(b))).size).toBe(1);
    expect(bodies[0]).toEqual([200, JSON.stringify({ channels: { race: { subscription_count: 1 } } })]);
    await barrier(client, (name) => sdk.trigger('race', name, {}), 'race');
    expect(client.all('go', 'race')).toHaveLength(1);
  });

  it('answers 400 for an empty, over-long or non-string key, publishing nothing', async () => {
    const { port, backend } = await startServer();
    const client = await RawClient.established(port);
    await client.subscribe('keys');
    const sdk = backend();
    const trigger = (key: unknown) =>
      refused(sdk.trigger('keys', 'e', {}, { idempotency_key: key } as never));
    expect(await trigger('k'.repeat(129))).toEqual({
      status: 400,
      body: { error: 'Idempotency key exceeds maximum length of 128 characters', status: 400 },
    });
    expect((await trigger('')).body.error).toBe('Idempotency key must not be empty');
    expect((await trigger(42)).body.error).toBe('event.idempotency_key must be a string');
    const header = await signedRequest(port, {
      path: '/events',
      body: { name: 'e', channel: 'keys', data: '{}' },
      headers: { 'X-Idempotency-Key': 'h'.repeat(129) },
    });
    expect(header.status).toBe(400);
    // 128 bytes is still allowed; the limit counts bytes (a 3-byte character counts 3).
    expect(
      (await sdk.trigger('keys', 'e', { ok: 1 }, { idempotency_key: 'k'.repeat(128) } as never)).status,
    ).toBe(200);
    expect((await trigger(`${'k'.repeat(126)}€`)).status).toBe(400);
    await barrier(client, (name) => sdk.trigger('keys', name, {}), 'keys');
    expect(received(client, 'e', 'keys')).toEqual([{ ok: 1 }]);
  });

  it('publishes every duplicate when idempotency is off, server-wide or for the app', async () => {
    const off = { ...APP, id: 'app-off', key: 'key-off', policy: { idempotency: { enabled: false } } };
    const { port, backend } = await startServer({ apps: [APP, off] });
    const server = await startServer({ extensions: { idempotency: { enabled: false } } });
    for (const [p, sdk, key] of [
      [port, backend(off), off.key],
      [server.port, server.backend(), APP.key],
    ] as const) {
      const client = await RawClient.established(p, key);
      await client.subscribe('twice');
      for (const n of [1, 2]) await sdk.trigger('twice', 'e', { n }, { idempotency_key: 'same' } as never);
      await barrier(client, (name) => sdk.trigger('twice', name, {}), 'twice');
      expect(received(client, 'e', 'twice')).toEqual([{ n: 1 }, { n: 2 }]);
    }
    // The other app of the first server still deduplicates.
    const client = await RawClient.established(port);
    await client.subscribe('twice');
    for (const n of [1, 2])
      await backend().trigger('twice', 'e', { n }, { idempotency_key: 'same' } as never);
    await barrier(client, (name) => backend().trigger('twice', name, {}), 'twice');
    expect(received(client, 'e', 'twice')).toEqual([{ n: 1 }]);
  });

  it('forgets a key after the app’s ttl_seconds', async () => {
    const cache = createMemoryCache();
    const short = { ...APP, policy: { idempotency: { ttl_seconds: 1 } } };
    const { port, backend } = await startServer({ apps: [short], cache });
    const client = await RawClient.established(port);
    await client.subscribe('ttl');
    await backend().trigger('ttl', 'e', { n: 1 }, { idempotency_key: 'k' } as never);
    await waitUntil(
      async () => (await cache.get(`app:${APP.id}:idempotency:k`)) === undefined,
      'the key to expire',
    );
    await backend().trigger('ttl', 'e', { n: 2 }, { idempotency_key: 'k' } as never);
    await barrier(client, (name) => backend().trigger('ttl', name, {}), 'ttl');
    expect(received(client, 'e', 'ttl')).toEqual([{ n: 1 }, { n: 2 }]);
  });
});

describe('idempotent batches', () => {
  it('skips a batch event whose own key was seen, answering {} for it', async () => {
    const { port, backend } = await startServer();
    const client = await RawClient.established(port);
    await client.subscribe('b');
    const sdk = backend();
    const event = (name: string, key?: string) => ({
      channel: 'b',
      name,
      data: {},
      info: 'subscription_count',
      ...(key && { idempotency_key: key }),
    });
    await sdk.trigger('b', 'single', {}, { idempotency_key: 'k0' } as never);
    const first = await sdk.triggerBatch([
      event('one', 'k1'),
      event('two', 'k2'),
      event('again', 'k0'),
    ] as never);
    expect(await first.json()).toEqual({ batch: [{ subscription_count: 1 }, { subscription_count: 1 }, {}] });
    const second = await sdk.triggerBatch([event('one', 'k1'), event('three', 'k3'), event('free')] as never);
    expect(await second.json()).toEqual({
      batch: [{}, { subscription_count: 1 }, { subscription_count: 1 }],
    });
    await barrier(client, (name) => sdk.trigger('b', name, {}), 'b');
    const events = client.all(
      (f) => f.channel === 'b' && !['barrier', 'pusher_internal:subscription_succeeded'].includes(f.event),
    );
    expect(events.map((f) => f.event)).toEqual(['single', 'one', 'two', 'three', 'free']);
  });

  it('replays a whole batch for a repeated X-Idempotency-Key, which does not shadow an event key', async () => {
    const { port, backend } = await startServer();
    const client = await RawClient.established(port);
    await client.subscribe('whole');
    const send = (names: string[]) =>
      signedRequest(port, {
        path: '/batch_events',
        body: {
          batch: names.map((name) => ({ channel: 'whole', name, data: '{}', idempotency_key: 'shared' })),
        },
        headers: { 'X-Idempotency-Key': 'shared' },
      });
    const first = await send(['a']);
    expect([first.status, first.json]).toEqual([200, {}]);
    const second = await send(['b']);
    expect([second.status, second.json]).toEqual([200, {}]);
    await barrier(client, (name) => backend().trigger('whole', name, {}), 'whole');
    expect(client.all('a', 'whole')).toHaveLength(1);
    expect(client.all('b', 'whole')).toHaveLength(0);
  });

  it('checks every event key before publishing anything', async () => {
    const { port, backend } = await startServer();
    const client = await RawClient.established(port);
    await client.subscribe('v');
    const response = await refused(
      backend().triggerBatch([
        { channel: 'v', name: 'ok', data: {}, idempotency_key: 'fine' },
        { channel: 'v', name: 'bad', data: {}, idempotency_key: '' },
      ] as never),
    );
    expect(response).toEqual({
      status: 400,
      body: { error: 'Idempotency key must not be empty', status: 400 },
    });
    await barrier(client, (name) => backend().trigger('v', name, {}), 'v');
    expect(client.all('ok', 'v')).toHaveLength(0);
  });
});

describe('idempotency and the cache', () => {
  /** A memory cache whose calls can be made to fail. */
  function flakyCache(fail: { get?: boolean; cacheChannelSet?: number }): CacheV1 {
    const inner = createMemoryCache();
    return {
      ...inner,
      async get(key) {
        if (fail.get) throw new Error('cache down');
        return inner.get(key);
      },
      async set(key, value, ttl) {
        if (key.endsWith(':cache_miss') && (fail.cacheChannelSet ?? 0) > 0) {
          fail.cacheChannelSet!--;
          throw new Error('cache write failed');
        }
        return inner.set(key, value, ttl);
      },
    };
  }

  it('fails closed with 503 while the cache cannot be read, and publishes nothing', async () => {
    const fail = { get: true };
    const { port, backend } = await startServer({ cache: flakyCache(fail) });
    const client = await RawClient.established(port);
    await client.subscribe('closed');
    const response = await refused(backend().trigger('closed', 'e', {}, { idempotency_key: 'k' } as never));
    expect(response).toEqual({
      status: 503,
      body: { error: 'Idempotency coordination is temporarily unavailable', status: 503 },
    });
    // Without a key the cache is not needed: the trigger goes out.
    await barrier(client, (name) => backend().trigger('closed', name, {}), 'closed');
    expect(client.all('e', 'closed')).toHaveLength(0);
  });

  it('releases the key when the publish fails, so a retry publishes', async () => {
    const { port, backend } = await startServer({ cache: flakyCache({ cacheChannelSet: 1 }) });
    const client = await RawClient.established(port);
    await client.subscribe('cache-retry');
    const sdk = backend();
    const failed = await refused(
      sdk.trigger('cache-retry', 'e', { n: 1 }, { idempotency_key: 'r' } as never),
    );
    expect(failed.status).toBe(500);
    const retry = await sdk.trigger('cache-retry', 'e', { n: 2 }, { idempotency_key: 'r' } as never);
    expect(retry.status).toBe(200);
    const duplicate = await sdk.trigger('cache-retry', 'e', { n: 3 }, { idempotency_key: 'r' } as never);
    expect(duplicate.status).toBe(200);
    await barrier(client, (name) => sdk.trigger('cache-retry', name, {}), 'cache-retry');
    // The failed attempt had already fanned out before its cache write failed (at least once, not lost).
    expect(received(client, 'e', 'cache-retry')).toEqual([{ n: 1 }, { n: 2 }]);
  });

  it('takes over a claim abandoned by a request that never finished, once it expires', async () => {
    const cache = createMemoryCache();
    const { port, backend } = await startServer({ cache });
    const client = await RawClient.established(port);
    await client.subscribe('abandoned');
    await cache.set(`app:${APP.id}:idempotency:gone`, '__processing__', 1);
    const response = await backend().trigger('abandoned', 'e', { n: 1 }, {
      idempotency_key: 'gone',
    } as never);
    expect(response.status).toBe(200);
    await barrier(client, (name) => backend().trigger('abandoned', name, {}), 'abandoned');
    expect(received(client, 'e', 'abandoned')).toEqual([{ n: 1 }]);
  });

  it('still deduplicates sequential duplicates with a cache that has no setIfAbsent', async () => {
    const { setIfAbsent: _, ...withoutClaim } = createMemoryCache();
    const { port, backend } = await startServer({ cache: withoutClaim as CacheV1 });
    const client = await RawClient.established(port);
    await client.subscribe('plain');
    for (const n of [1, 2]) await backend().trigger('plain', 'e', { n }, { idempotency_key: 'p' } as never);
    await barrier(client, (name) => backend().trigger('plain', name, {}), 'plain');
    expect(received(client, 'e', 'plain')).toEqual([{ n: 1 }]);
  });
});
