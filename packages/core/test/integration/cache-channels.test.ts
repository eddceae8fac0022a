// Cache channels: the last event triggered on a `cache-` channel (of every kind) is replayed to a new
// subscriber right after subscription_succeeded; with nothing cached the subscriber gets
// `pusher:cache_miss`. The cache expires after `channelCacheTtl` seconds, is visible through
// `GET /channels/{name}?info=cache`, and never holds client events.

import { afterEach, describe, expect, it } from 'vitest';
import { connectPusherJs, nextEvent, RawClient, subscribed } from '../helpers/clients.js';
import { cleanupFeatures, featureApp, rawSubscribe } from '../helpers/features.js';
import { signedRequest } from '../helpers/http.js';
import { startServer } from '../helpers/server.js';
import { sleep } from '../helpers/wait.js';

afterEach(cleanupFeatures);

const KINDS = ['cache-news', 'private-cache-news', 'presence-cache-news'] as const;

describe('replay of the last event', () => {
  for (const channel of KINDS) {
    it(`replays the last event on ${channel} right after subscription_succeeded`, async () => {
      const app = featureApp();
      const { port, backend } = await startServer({ apps: [app] });
      const b = backend();
      await b.trigger(channel, 'headline', { n: 1 });
      await b.trigger(channel, 'headline', { n: 2 }); // the last one wins

      const client = await RawClient.established(port, app.key);
      const reply = await rawSubscribe(client, channel, b, { user_id: 'reader' });
      expect(reply.event).toBe('pusher_internal:subscription_succeeded');
      const replayed = await client.waitFor('headline', { channel });
      expect(client.frames.indexOf(replayed)).toBe(client.frames.indexOf(reply) + 1);
      expect(replayed.payload).toEqual({ n: 2 });
      expect(client.all('pusher:cache_miss')).toEqual([]);
    });
  }

  it('replays the last event on private-encrypted-cache- and pusher-js decrypts it', async () => {
    const app = featureApp();
    const { port, backend } = await startServer({ apps: [app] });
    const b = backend();
    const channelName = 'private-encrypted-cache-vault';
    await b.trigger(channelName, 'secret', { code: 'opensesame' });

    // On the wire the cached event is still ciphertext.
    const raw = await RawClient.established(port, app.key);
    const rawReply = await rawSubscribe(raw, channelName, b);
    expect(rawReply.event).toBe('pusher_internal:subscription_succeeded');
    const wire = await raw.waitFor('secret', { channel: channelName });
    expect(raw.frames.indexOf(wire)).toBe(raw.frames.indexOf(rawReply) + 1);
    expect(wire.payload).toEqual({ nonce: expect.any(String), ciphertext: expect.any(String) });
    expect(wire.raw).not.toContain('opensesame');

    const pusher = await connectPusherJs(port, { key: app.key, backend: b });
    const channel = pusher.subscribe(channelName);
    const got = await nextEvent(channel, 'secret', 'the decrypted cached event');
    expect(got.data).toEqual({ code: 'opensesame' });
  });

  it('gives a pusher-js subscriber the cached event after pusher:subscription_succeeded', async () => {
    const app = featureApp();
    const { port, backend } = await startServer({ apps: [app] });
    const b = backend();
    await b.trigger('cache-scores', 'score', { home: 1, away: 0 });
    const pusher = await connectPusherJs(port, { key: app.key, backend: b });
    const order: string[] = [];
    const channel = pusher.subscribe('cache-scores');
    channel.bind_global((event: string) => order.push(event));
    const got = await nextEvent(channel, 'score');
    expect(got.data).toEqual({ home: 1, away: 0 });
    expect(order).toEqual(['pusher:subscription_succeeded', 'score']);
  });

  it('caches events published through batch_events, and the last one of a batch wins', async () => {
    const app = featureApp();
    const { port, backend } = await startServer({ apps: [app] });
    await backend().triggerBatch([
      { channel: 'cache-batch', name: 'step', data: { n: 1 } },
      { channel: 'cache-batch', name: 'step', data: { n: 2 } },
      { channel: 'cache-other', name: 'step', data: { n: 3 } },
    ]);
    for (const [channel, n] of [
      ['cache-batch', 2],
      ['cache-other', 3],
    ] as const) {
      const client = await RawClient.established(port, app.key);
      const reply = await client.subscribe(channel);
      const replayed = await client.waitFor('step', { channel });
      expect(client.frames.indexOf(replayed)).toBe(client.frames.indexOf(reply) + 1);
      expect(replayed.payload).toEqual({ n });
    }
  });

  it('does not replay anything on a non-cache channel', async () => {
    const app = featureApp();
    const { port, backend } = await startServer({ apps: [app] });
    const b = backend();
    await b.trigger('news', 'headline', { n: 1 });
    const client = await RawClient.established(port, app.key);
    await client.subscribe('news');
    await client.ping();
    expect(client.all('headline')).toEqual([]);
    expect(client.all('pusher:cache_miss')).toEqual([]);
  });
});

describe('cache miss', () => {
  it('sends pusher:cache_miss on the channel right after subscription_succeeded when nothing is cached', async () => {
    const app = featureApp();
    const { port, backend } = await startServer({ apps: [app] });
    for (const channel of [...KINDS, 'private-encrypted-cache-empty']) {
      const client = await RawClient.established(port, app.key);
      const reply = await rawSubscribe(client, channel, backend(), { user_id: 'reader' });
      expect(reply.event).toBe('pusher_internal:subscription_succeeded');
      const miss = await client.waitFor('pusher:cache_miss', { channel });
      expect(client.frames.indexOf(miss)).toBe(client.frames.indexOf(reply) + 1);
    }
  });

  it('emits pusher:cache_miss on the pusher-js channel', async () => {
    const app = featureApp();
    const { port, backend } = await startServer({ apps: [app] });
    const pusher = await connectPusherJs(port, { key: app.key, backend: backend() });
    const channel = pusher.subscribe('private-cache-empty');
    await nextEvent(channel, 'pusher:cache_miss', 'pusher:cache_miss on private-cache-empty');
  });

  it('expires the cached event after channelCacheTtl seconds', async () => {
    const app = featureApp();
    const { port, backend } = await startServer({ apps: [app], channelCacheTtl: 1 });
    const b = backend();
    await b.trigger('cache-flash', 'flash', { n: 1 });
    const early = await RawClient.established(port, app.key);
    await early.subscribe('cache-flash');
    expect((await early.waitFor('flash')).payload).toEqual({ n: 1 });

    await sleep(1_200);
    const late = await RawClient.established(port, app.key);
    await late.subscribe('cache-flash');
    await late.waitFor('pusher:cache_miss', { channel: 'cache-flash' });
    expect(late.all('flash')).toEqual([]);
  });
});

describe('GET /channels/{name}?info=cache', () => {
  it('returns the cached event and its remaining ttl', async () => {
    const app = featureApp();
    const { port, backend } = await startServer({ apps: [app], channelCacheTtl: 60 });
    await backend().trigger('cache-info', 'stored', { a: 1 });
    const res = await signedRequest(port, { app, path: '/channels/cache-info', params: { info: 'cache' } });
    expect(res.status).toBe(200);
    expect(res.json.occupied).toBe(false);
    expect(JSON.parse(res.json.cache.data)).toEqual({ a: 1 });
    expect(res.json.cache.ttl).toBeGreaterThan(0);
    expect(res.json.cache.ttl).toBeLessThanOrEqual(60);
  });

  it('reports no cache for an empty cache channel, and 400 for a channel that is not a cache channel', async () => {
    const app = featureApp();
    const { port } = await startServer({ apps: [app] });
    const empty = await signedRequest(port, {
      app,
      path: '/channels/cache-nothing',
      params: { info: 'cache' },
    });
    expect(empty.status).toBe(200);
    expect(empty.json.cache).toBeUndefined();
    const plain = await signedRequest(port, { app, path: '/channels/plain', params: { info: 'cache' } });
    expect(plain.status).toBe(400);
  });
});

describe('client events and cache channels', () => {
  it('does not cache a client event: a later subscriber still gets the last server event', async () => {
    const app = featureApp({ enable_client_messages: true });
    const { port, backend } = await startServer({ apps: [app] });
    const b = backend();
    const channel = 'private-cache-chat';
    const sender = await connectPusherJs(port, { key: app.key, backend: b });
    const peer = await connectPusherJs(port, { key: app.key, backend: b });
    const { channel: senderChannel } = await subscribed(sender, channel);
    const { channel: peerChannel } = await subscribed(peer, channel);

    // Nothing from the server yet: a client event must not fill the cache.
    const relayed = nextEvent(peerChannel, 'client-note');
    senderChannel.trigger('client-note', { from: 'client' });
    await relayed;
    const first = await RawClient.established(port, app.key);
    await rawSubscribe(first, channel, b);
    await first.waitFor('pusher:cache_miss', { channel });
    expect(first.all('client-note')).toEqual([]);

    // After a server event and another client event, the server event is what gets replayed.
    await b.trigger(channel, 'server-note', { from: 'server' });
    const relayed2 = nextEvent(peerChannel, 'client-note');
    senderChannel.trigger('client-note', { from: 'client again' });
    await relayed2;
    const second = await RawClient.established(port, app.key);
    const reply = await rawSubscribe(second, channel, b);
    const replayed = await second.waitFor((f) => f.channel === channel, {
      from: second.frames.indexOf(reply) + 1,
    });
    expect(replayed.event).toBe('server-note');
    expect(replayed.payload).toEqual({ from: 'server' });

    const info = await signedRequest(port, { app, path: `/channels/${channel}`, params: { info: 'cache' } });
    expect(JSON.parse(info.json.cache.data)).toEqual({ from: 'server' });
  });
});
