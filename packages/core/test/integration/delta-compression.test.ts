// Delta compression on a real node, read by a client written from the wire format (helpers/
// delta-client.ts): every message rebuilt byte for byte, Rust Sockudo's sequences, desync recovery,
// encrypted channels, the app's per-channel settings and refusals of bad requests.

import type { MetricLabels, MetricsV1 } from '@sockudo/core';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup } from '../helpers/cleanup.js';
import { type Frame, RawClient } from '../helpers/clients.js';
import { DeltaReader } from '../helpers/delta-client.js';
import { stateUpdates } from '../helpers/delta-updates.js';
import { APP, startServer, type TestApp } from '../helpers/server.js';
import { waitUntil } from '../helpers/wait.js';

afterEach(cleanup);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const BIG = (i: number) => JSON.stringify({ i, text: 'state '.repeat(40), n: i * 7 });

function countingMetrics(): MetricsV1 & { count(name: string): number } {
  const totals = new Map<string, number>();
  return {
    specVersion: 1,
    increment(name: string, _labels?: MetricLabels, value = 1) {
      totals.set(name, (totals.get(name) ?? 0) + value);
    },
    gauge() {},
    observe() {},
    count: (name) => totals.get(name) ?? 0,
  };
}

/** A V2 socket that sent `enable_delta_compression` and got its answer. */
async function deltaSocket(port: number): Promise<RawClient & { socketId: string }> {
  const client = await RawClient.v2(port);
  client.send({ event: 'sockudo:enable_delta_compression', data: { algorithms: ['fossil', 'xdelta3'] } });
  await client.waitFor('sockudo:delta_compression_enabled');
  return client;
}

const isChannelEvent = (f: Frame) => !f.event.startsWith('sockudo') && !f.event.startsWith('pusher');
const isStreamFrame = (f: Frame) => f.event === 'sockudo:delta' || isChannelEvent(f);

describe('delta compression', () => {
  it('is enabled by sockudo:enable_delta_compression, answered as Rust Sockudo answers it', async () => {
    const { port } = await startServer();
    const v2 = await RawClient.v2(port);
    v2.send({ event: 'sockudo:enable_delta_compression', data: { algorithms: ['fossil', 'xdelta3'] } });
    const answer = await v2.waitFor('sockudo:delta_compression_enabled');
    expect(Object.keys(JSON.parse(answer.raw))).toEqual(['event', 'data', 'message_id']);
    expect(answer.data).toEqual({ enabled: true, algorithm: 'fossil' });
    expect((answer as unknown as { message_id: string }).message_id).toMatch(UUID);
    // The Pusher name works from a V2 socket too, and with no data at all.
    const from = v2.mark();
    v2.send({ event: 'pusher:enable_delta_compression' });
    expect((await v2.waitFor('sockudo:delta_compression_enabled', { from })).data).toEqual({
      enabled: true,
      algorithm: 'fossil',
    });
  });

  it('rebuilds 10,000 updates of random sizes byte for byte, as a plain V2 socket receives them', async () => {
    const metrics = countingMetrics();
    const { port, backend } = await startServer({ metrics });
    const delta = await deltaSocket(port);
    const plain = await RawClient.v2(port);
    const pusher = await RawClient.established(port);
    await delta.subscribe('state', undefined, 'sockudo');
    await plain.subscribe('state', undefined, 'sockudo');
    await pusher.subscribe('state');
    const updates = stateUpdates(10_000, 42);
    const sdk = backend();
    for (let i = 0; i < updates.length; i += 10) {
      // Two event names on one channel: each keeps its own base and sequence.
      await sdk.triggerBatch(
        updates.slice(i, i + 10).map((data, j) => ({
          channel: 'state',
          name: (i + j) % 7 === 0 ? 'snapshot' : 'update',
          data,
        })),
      );
    }
    await waitUntil(() => delta.all(isStreamFrame).length === updates.length, 'every update', 30_000);
    await waitUntil(() => plain.all(isChannelEvent).length === updates.length, 'every plain update', 30_000);
    const expected = plain.all(isChannelEvent).map((f) => f.raw);
    const reader = new DeltaReader();
    const rebuilt = delta.all(isStreamFrame).map((f) => {
      const read = reader.read(f.raw);
      if (read.kind === 'desync') throw new Error(`desync: ${read.reason}`);
      return read.text;
    });
    expect(rebuilt).toEqual(expected);
    // The Pusher socket got the very same frames (no extras here), untouched by delta.
    expect(pusher.all(isChannelEvent).map((f) => f.raw)).toEqual(expected);
    expect(reader.deltas).toBeGreaterThan(7_000);
    expect(reader.fulls).toBeGreaterThan(800);
    expect(metrics.count('delta_compression_delta_messages_total')).toBe(reader.deltas);
    expect(metrics.count('delta_compression_full_messages_total')).toBe(reader.fulls);
    const sent = delta.all(isStreamFrame).reduce((sum, f) => sum + Buffer.byteLength(f.raw), 0);
    const original = expected.reduce((sum, raw) => sum + Buffer.byteLength(raw), 0);
    expect(sent).toBeLessThan(original * 0.5);
    expect(metrics.count('delta_compression_bandwidth_saved_bytes')).toBeGreaterThan(original * 0.4);
  }, 120_000);

  it("follows Rust Sockudo's sequence: two full messages, then deltas, a full one every full_message_interval", async () => {
    const { port, backend } = await startServer({
      extensions: { deltaCompression: { fullMessageInterval: 3 } },
    });
    const client = await deltaSocket(port);
    await client.subscribe('ticker', undefined, 'sockudo');
    const sdk = backend();
    for (let i = 0; i < 9; i++) await sdk.trigger('ticker', 'tick', BIG(i));
    await waitUntil(() => client.all(isStreamFrame).length === 9, 'nine ticks');
    const frames = client.all(isStreamFrame);
    expect(frames.map((f) => (f.event === 'sockudo:delta' ? 'delta' : 'full'))).toEqual([
      'full',
      'full',
      'delta',
      'delta',
      'delta',
      'full',
      'delta',
      'delta',
      'delta',
    ]);
    const first = JSON.parse(frames[0]!.raw);
    expect(Object.keys(first)).toEqual(['event', 'channel', 'data', '__delta_seq']);
    expect(first.__delta_seq).toBe(0);
    expect(JSON.parse(frames[5]!.raw).__delta_seq).toBe(5);
    const delta = JSON.parse(frames[2]!.raw);
    expect(Object.keys(delta)).toEqual(['event', 'channel', 'data']);
    expect(delta.channel).toBe('ticker');
    expect(Object.keys(delta.data)).toEqual(['event', 'delta', 'seq', 'algorithm', 'base_index']);
    expect(delta.data).toMatchObject({ event: 'tick', seq: 2, algorithm: 'fossil', base_index: 1 });
    expect(JSON.parse(frames[6]!.raw).data).toMatchObject({ seq: 6, base_index: 5 });
  });

  it('sends small messages, protocol events and other sockets’ frames as they are', async () => {
    const { port, backend } = await startServer();
    const client = await deltaSocket(port);
    const other = await RawClient.v2(port);
    const sdk = backend();
    await client.subscribe('presence-room', authPresence(sdk, client.socketId, 'a'), 'sockudo');
    const from = client.mark();
    await other.subscribe('presence-room', authPresence(sdk, other.socketId, 'b'), 'sockudo');
    const added = await client.waitFor('sockudo_internal:member_added', { from });
    expect(added.raw).not.toContain('__delta_seq');
    await sdk.trigger('presence-room', 'small', { ok: 1 });
    const small = await client.waitFor('small');
    expect(small.raw).toBe('{"event":"small","channel":"presence-room","data":"{\\"ok\\":1}"}');
    for (let i = 0; i < 3; i++) await sdk.trigger('presence-room', 'big', BIG(i));
    await waitUntil(() => other.all('big').length === 3, 'three big events on the other socket');
    expect(other.all('big').every((f) => !f.raw.includes('__delta_seq'))).toBe(true);
    await waitUntil(() => client.all((f) => f.event === 'sockudo:delta').length === 1, 'one delta');
  });

  it('never sends deltas on private-encrypted- channels', async () => {
    const { port, backend } = await startServer();
    const sdk = backend();
    const client = await deltaSocket(port);
    const auth = sdk.authorizeChannel(client.socketId, 'private-encrypted-vault');
    await client.subscribe('private-encrypted-vault', auth, 'sockudo');
    for (let i = 0; i < 5; i++) await sdk.trigger('private-encrypted-vault', 'secret', BIG(i));
    await waitUntil(() => client.all('secret').length === 5, 'five encrypted events');
    expect(client.all((f) => f.event === 'sockudo:delta')).toEqual([]);
    expect(client.all('secret').every((f) => !f.raw.includes('__delta_seq'))).toBe(true);
  });

  it('recovers from a desync: delta_sync_error makes the next message full, sequence 0 again', async () => {
    const { port, backend } = await startServer();
    const client = await deltaSocket(port);
    await client.subscribe('feed', undefined, 'sockudo');
    const sdk = backend();
    const reader = new DeltaReader();
    for (let i = 0; i < 4; i++) await sdk.trigger('feed', 'item', BIG(i));
    await waitUntil(() => client.all(isStreamFrame).length === 4, 'four items');
    for (const f of client.all(isStreamFrame)) expect(reader.read(f.raw).kind).not.toBe('desync');
    // The client's base goes bad (a lost frame, say): the next delta does not apply.
    const [key] = [...reader.bases.keys()];
    reader.bases.set(key!, { seq: reader.bases.get(key!)!.seq, text: '{"corrupted":true}' });
    const from = client.mark();
    await sdk.trigger('feed', 'item', BIG(4));
    const bad = await client.waitFor('sockudo:delta', { from });
    expect(reader.read(bad.raw)).toMatchObject({ kind: 'desync' });
    reader.forget('feed');
    client.send({ event: 'sockudo:delta_sync_error', data: { channel: 'feed' } });
    const pinged = client.mark();
    client.send({ event: 'sockudo:ping', data: {} });
    await client.waitFor('sockudo:pong', { from: pinged });
    const after = client.mark();
    await sdk.trigger('feed', 'item', BIG(5));
    await sdk.trigger('feed', 'item', BIG(6));
    await sdk.trigger('feed', 'item', BIG(7));
    await waitUntil(() => client.frames.slice(after).filter(isStreamFrame).length === 3, 'three more');
    const reads = client.frames
      .slice(after)
      .filter(isStreamFrame)
      .map((f) => reader.read(f.raw));
    expect(reads.map((r) => r.kind)).toEqual(['full', 'full', 'delta']);
    expect(reads[0]).toMatchObject({ seq: 0 });
    expect(reads[2]).toMatchObject({ seq: 2, baseSeq: 1 });
    expect(JSON.parse((reads[2] as { text: string }).text).data).toBe(BIG(7));
  });

  it('keeps an event-filtered subscription in step: held-back events change no base', async () => {
    const { port, backend } = await startServer();
    const client = await deltaSocket(port);
    await client.subscribe('mixed', { filter: { events: ['wanted'] } }, 'sockudo');
    const sdk = backend();
    for (let i = 0; i < 12; i++) await sdk.trigger('mixed', i % 3 === 0 ? 'unwanted' : 'wanted', BIG(i));
    await waitUntil(() => client.all(isStreamFrame).length === 8, 'eight wanted events');
    const reader = new DeltaReader();
    const reads = client.all(isStreamFrame).map((f) => reader.read(f.raw));
    expect(reads.filter((r) => r.kind === 'desync')).toEqual([]);
    expect(reads.filter((r) => r.kind === 'delta')).toHaveLength(6);
    const wanted = [1, 2, 4, 5, 7, 8, 10, 11];
    expect(reads.map((r) => JSON.parse((r as { text: string }).text).data)).toEqual(wanted.map(BIG));
  });

  it('starts a channel again after unsubscribe and subscribe', async () => {
    const { port, backend } = await startServer();
    const client = await deltaSocket(port);
    const sdk = backend();
    await client.subscribe('feed', undefined, 'sockudo');
    for (let i = 0; i < 3; i++) await sdk.trigger('feed', 'item', BIG(i));
    await waitUntil(() => client.all(isStreamFrame).length === 3, 'three items');
    client.send({ event: 'sockudo:unsubscribe', data: { channel: 'feed' } });
    const from = client.mark();
    await client.subscribe('feed', undefined, 'sockudo');
    await sdk.trigger('feed', 'item', BIG(3));
    const first = await client.waitFor('item', { from });
    expect(JSON.parse(first.raw).__delta_seq).toBe(0);
  });

  it('refuses bad requests with sockudo:error 4000 and keeps the connection', async () => {
    const { port, backend } = await startServer();
    const client = await RawClient.v2(port);
    const refusal = async (message: unknown) => {
      const from = client.mark();
      client.send(message);
      return (await client.waitFor('sockudo:error', { from })).data;
    };
    expect(await refusal({ event: 'sockudo:enable_delta_compression', data: 5 })).toEqual({
      code: 4000,
      message: 'Invalid message format: enable_delta_compression data must be an object',
    });
    expect(
      await refusal({ event: 'sockudo:enable_delta_compression', data: { algorithms: 'fossil' } }),
    ).toEqual({
      code: 4000,
      message: 'Invalid message format: enable_delta_compression algorithms must be an array of strings',
    });
    expect(
      await refusal({ event: 'sockudo:enable_delta_compression', data: { algorithms: ['brotli'] } }),
    ).toEqual({
      code: 4000,
      message: 'Invalid message format: no supported delta algorithm in ["brotli"]; this server sends fossil',
    });
    expect(await refusal({ event: 'sockudo:delta_sync_error', data: {} })).toEqual({
      code: 4000,
      message: 'Invalid message format: delta_sync_error needs data.channel',
    });
    expect(await refusal({ event: 'sockudo:delta_sync_error', data: '{not json' })).toMatchObject({
      code: 4000,
    });
    // Deltas stayed off and the socket works.
    await client.subscribe('feed', undefined, 'sockudo');
    for (let i = 0; i < 3; i++) await backend().trigger('feed', 'item', BIG(i));
    await waitUntil(() => client.all('item').length === 3, 'three items');
    expect(client.all('item').every((f) => !f.raw.includes('__delta_seq'))).toBe(true);
    expect(client.all('sockudo:delta_compression_enabled')).toEqual([]);
  });

  it('answers a Pusher-protocol socket enabled: false and sends it no delta (deltas are V2 only)', async () => {
    const { port, backend } = await startServer();
    const client = await RawClient.established(port);
    client.send({ event: 'pusher:enable_delta_compression', data: { algorithms: ['fossil'] } });
    expect((await client.waitFor('pusher:delta_compression_enabled')).raw).toBe(
      '{"event":"pusher:delta_compression_enabled","data":{"enabled":false,"algorithm":"fossil"}}',
    );
    await client.subscribe('feed');
    for (let i = 0; i < 4; i++) await backend().trigger('feed', 'item', BIG(i));
    await waitUntil(() => client.all('item').length === 4, 'four items');
    expect(client.all('item').every((f) => !f.raw.includes('__delta_seq'))).toBe(true);
  });

  it('answers enabled: false when delta_compression is off', async () => {
    const { port } = await startServer({ extensions: { deltaCompression: { enabled: false } } });
    const client = await RawClient.v2(port);
    client.send({ event: 'sockudo:enable_delta_compression' });
    expect((await client.waitFor('sockudo:delta_compression_enabled')).data).toEqual({
      enabled: false,
      algorithm: 'fossil',
    });
  });

  it("honours a subscription's own delta setting", async () => {
    const { port, backend } = await startServer();
    const sdk = backend();
    const client = await RawClient.v2(port);
    // No enable_delta_compression: the subscription turns deltas on for its channel alone.
    const from = client.mark();
    await client.subscribe('on', { delta: { enabled: true, algorithm: 'fossil' } }, 'sockudo');
    const confirmation = await client.waitFor('sockudo:delta_compression_enabled', { from });
    expect(JSON.parse(confirmation.raw)).toMatchObject({
      event: 'sockudo:delta_compression_enabled',
      channel: 'on',
      data: { enabled: true, algorithm: 'fossil', channel: 'on' },
    });
    await client.subscribe('off', undefined, 'sockudo');
    for (let i = 0; i < 3; i++) {
      await sdk.trigger('on', 'item', BIG(i));
      await sdk.trigger('off', 'item', BIG(i));
    }
    await waitUntil(() => client.all(isStreamFrame).length === 6, 'six items');
    expect(client.all('sockudo:delta', 'on')).toHaveLength(1);
    expect(client.all('item', 'off').every((f) => !f.raw.includes('__delta_seq'))).toBe(true);
    // An enabled socket can turn one channel off.
    const enabled = await deltaSocket(port);
    await enabled.subscribe('quiet', { delta: false }, 'sockudo');
    for (let i = 0; i < 3; i++) await sdk.trigger('quiet', 'item', BIG(i));
    await waitUntil(() => enabled.all('item').length === 3, 'three quiet items');
    expect(enabled.all('item').every((f) => !f.raw.includes('__delta_seq'))).toBe(true);
  });

  it("applies the app's channel_delta_compression: disabled patterns and conflation keys", async () => {
    const app: TestApp = {
      ...APP,
      policy: {
        channels: {
          channel_delta_compression: {
            'plain-*': 'disabled',
            prices: { enabled: true, algorithm: 'fossil', conflation_key: 'asset' },
          },
        },
      },
    };
    const { port, backend } = await startServer({ apps: [app] });
    const sdk = backend();
    const client = await deltaSocket(port);
    await client.subscribe('plain-news', undefined, 'sockudo');
    await client.subscribe('prices', undefined, 'sockudo');
    for (let i = 0; i < 3; i++) await sdk.trigger('plain-news', 'item', BIG(i));
    const price = (asset: string, i: number) => ({ asset, price: 100 + i, pad: 'x'.repeat(150) });
    for (let i = 0; i < 3; i++) {
      await sdk.trigger('prices', 'price', price('BTC', i));
      await sdk.trigger('prices', 'price', price('ETH', i));
    }
    await waitUntil(() => client.all(isStreamFrame).length === 9, 'nine events');
    expect(client.all('item').every((f) => !f.raw.includes('__delta_seq'))).toBe(true);
    const prices = client.all(isStreamFrame, 'prices');
    // Each asset keeps its own base and sequence: two full messages each, then one delta each.
    expect(
      prices.map((f) => JSON.parse(f.raw).__conflation_key ?? JSON.parse(f.raw).data.conflation_key),
    ).toEqual(['BTC', 'ETH', 'BTC', 'ETH', 'BTC', 'ETH']);
    expect(prices.slice(0, 4).map((f) => JSON.parse(f.raw).__delta_seq)).toEqual([0, 0, 1, 1]);
    expect(prices[4]!.raw).toMatch(/,"conflation_key":"BTC","base_index":1\}\}$/);
    const reader = new DeltaReader();
    const texts = prices.map((f) => reader.read(f.raw));
    expect(texts.map((r) => r.kind)).toEqual(['full', 'full', 'full', 'full', 'delta', 'delta']);
    expect(JSON.parse(JSON.parse((texts[5] as { text: string }).text).data)).toEqual(price('ETH', 2));
  });
});

function authPresence(
  sdk: ReturnType<Awaited<ReturnType<typeof startServer>>['backend']>,
  socketId: string,
  user: string,
) {
  const channelData = { user_id: user, user_info: {} };
  return sdk.authorizeChannel(socketId, 'presence-room', channelData);
}
