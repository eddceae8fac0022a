// Channel history and connection recovery on one node (the memory store): serials on the V2 wire and
// nothing new on the Pusher wire, `pusher:resume` replaying exactly what was missed then live events,
// and each refusal with Rust Sockudo's code.

import type { MetricLabels, MetricsV1 } from '@sockudo/core';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup } from '../helpers/cleanup.js';
import { RawClient } from '../helpers/clients.js';
import { APP, startServer } from '../helpers/server.js';

afterEach(cleanup);

/** Counters by name and label values, as the engine reports them. */
function countingMetrics(): MetricsV1 & { count(name: string, label?: string): number } {
  const totals = new Map<string, number>();
  return {
    specVersion: 1,
    increment(name: string, labels?: MetricLabels, value = 1) {
      const label = labels?.source ?? labels?.code;
      for (const key of [name, `${name}:${label}`]) totals.set(key, (totals.get(key) ?? 0) + value);
    },
    gauge() {},
    observe() {},
    count: (name, label) => totals.get(label === undefined ? name : `${name}:${label}`) ?? 0,
  };
}

const ON = { historySettings: { enabled: true }, connectionRecovery: { enabled: true } };

describe('serials on publish', () => {
  it('reach V2 sockets as message_id, stream_id and serial, and leave the Pusher frame unchanged', async () => {
    const { port, backend } = await startServer(ON);
    const v1 = await RawClient.established(port);
    const v2 = await RawClient.v2(port);
    await v1.subscribe('orders');
    await v2.subscribe('orders', undefined, 'sockudo');
    await backend().trigger('orders', 'order.created', { id: 1 });
    await backend().trigger('orders', 'order.created', { id: 2 }, { extras: { echo: false } } as never);
    const [a1, b1] = [await v1.waitFor('order.created'), await v2.waitFor('order.created')];
    expect(a1.raw).toBe('{"event":"order.created","channel":"orders","data":"{\\"id\\":1}"}');
    const first = JSON.parse(b1.raw);
    expect(Object.keys(first)).toEqual(['event', 'channel', 'data', 'message_id', 'stream_id', 'serial']);
    expect(first.serial).toBe(1);
    expect(first.message_id).toMatch(/^[0-9a-f-]{36}$/);
    await v2.waitFor((f) => f.event === 'order.created' && f.payload.id === 2);
    const second = JSON.parse(v2.all('order.created')[1]!.raw);
    expect(Object.keys(second)).toEqual([
      'event',
      'channel',
      'data',
      'message_id',
      'stream_id',
      'serial',
      'extras',
    ]);
    expect([second.stream_id, second.serial]).toEqual([first.stream_id, 2]);
    await v1.waitFor((f) => f.event === 'order.created' && f.payload.id === 2);
    expect(v1.all('order.created')[1]!.raw).toBe(
      '{"event":"order.created","channel":"orders","data":"{\\"id\\":2}"}',
    );
  });

  it('skip ephemeral messages and channels of apps without history or recovery', async () => {
    const { port, backend } = await startServer({ historySettings: { enabled: false } });
    const v2 = await RawClient.v2(port);
    await v2.subscribe('orders', undefined, 'sockudo');
    await backend().trigger('orders', 'plain', {});
    expect(JSON.parse((await v2.waitFor('plain')).raw)).not.toHaveProperty('serial');
    const on = await startServer(ON);
    const socket = await RawClient.v2(on.port);
    await socket.subscribe('orders', undefined, 'sockudo');
    await on.backend().trigger('orders', 'gone', {}, { extras: { ephemeral: true } } as never);
    expect(JSON.parse((await socket.waitFor('gone')).raw)).not.toHaveProperty('serial');
    expect((await on.server.context.history.state(APP.id, 'orders')).streamId).toBeUndefined();
  });
});

describe('pusher:resume', () => {
  it('replays exactly the missed events in order, then live ones', async () => {
    const metrics = countingMetrics();
    const { port, backend } = await startServer({ ...ON, metrics });
    const first = await RawClient.v2(port);
    await first.subscribe('chat', undefined, 'sockudo');
    await backend().trigger('chat', 'msg', { n: 0 });
    const seen = JSON.parse((await first.waitFor('msg')).raw);
    first.close();
    await first.waitForClose();
    for (let n = 1; n <= 20; n++) await backend().trigger('chat', 'msg', { n });
    const again = await RawClient.v2(port);
    again.send({ event: 'sockudo:subscribe', data: { channel: 'chat' } });
    again.send({
      event: 'sockudo:resume',
      data: JSON.stringify({
        channel_positions: {
          chat: { stream_id: seen.stream_id, serial: seen.serial, last_message_id: seen.message_id },
        },
      }),
    });
    const success = await again.waitFor('sockudo:resume_success');
    expect(success.payload).toEqual({
      recovered: [
        {
          channel: 'chat',
          source: 'cold',
          replayed: 20,
          position: { stream_id: seen.stream_id, serial: 21, last_message_id: expect.any(String) },
        },
      ],
      failed: [],
    });
    await backend().trigger('chat', 'msg', { n: 21 });
    await again.waitFor((f) => f.event === 'msg' && f.payload.n === 21);
    const received = again.all('msg').map((f) => f.payload.n);
    expect(received).toEqual(Array.from({ length: 21 }, (_, i) => i + 1));
    expect(again.all('msg').map((f) => JSON.parse(f.raw).serial)).toEqual(
      Array.from({ length: 21 }, (_, i) => i + 2),
    );
    // The replay comes before resume_success, the live event after.
    const events = again.frames.map((f) => f.event);
    expect(events.indexOf('sockudo:resume_success')).toBe(events.lastIndexOf('msg') - 1);
    expect(metrics.count('history_writes_total')).toBe(22);
    expect(metrics.count('history_replayed_messages_total')).toBe(20);
    expect(metrics.count('history_recovery_success_total', 'cold')).toBe(1);
    expect(metrics.count('history_recovery_failures_total')).toBe(0);
  });

  it('answers 4301 without recovery, 4302 without positions, and resume_failed past the window', async () => {
    const off = await startServer({ historySettings: { enabled: true } });
    const socket = await RawClient.v2(off.port);
    socket.send({
      event: 'sockudo:resume',
      data: JSON.stringify({ channel_positions: { a: { serial: 1 } } }),
    });
    expect((await socket.waitFor('sockudo:error')).data).toEqual({
      code: 4301,
      message: 'Connection recovery is not enabled',
    });

    const metrics = countingMetrics();
    const { port, backend } = await startServer({
      ...ON,
      metrics,
      connectionRecovery: { enabled: true, maxBufferSize: 5 },
    });
    const client = await RawClient.v2(port);
    client.send({ event: 'sockudo:resume', data: JSON.stringify({ channel_positions: {} }) });
    expect((await client.waitFor('sockudo:error')).data).toEqual({
      code: 4302,
      message: 'No channel recovery positions provided',
    });
    await client.subscribe('news', undefined, 'sockudo');
    for (let n = 1; n <= 8; n++) await backend().trigger('news', 'item', { n });
    const head = JSON.parse(client.all('item').at(-1)!.raw);
    client.send({
      event: 'sockudo:resume',
      data: JSON.stringify({
        channel_positions: {
          news: { stream_id: head.stream_id, serial: 1 },
          other: { stream_id: 'x', serial: 3 },
        },
      }),
    });
    const failedNews = await client.waitFor(
      (f) => f.event === 'sockudo:resume_failed' && f.channel === 'news',
    );
    expect(failedNews.payload).toEqual({
      code: 'position_expired',
      reason: 'recovery_window_exceeded',
      expected_stream_id: head.stream_id,
      current_stream_id: head.stream_id,
      oldest_available_serial: 1,
      newest_available_serial: 8,
    });
    const failedOther = await client.waitFor(
      (f) => f.event === 'sockudo:resume_failed' && f.channel === 'other',
    );
    expect(failedOther.payload.code).toBe('stream_reset');
    const success = await client.waitFor('sockudo:resume_success');
    expect(success.payload.recovered).toEqual([]);
    expect(success.payload.failed.map((f: { channel: string }) => f.channel)).toEqual(['news', 'other']);
    expect(metrics.count('history_recovery_failures_total', 'position_expired')).toBe(1);
    expect(metrics.count('history_recovery_failures_total', 'stream_reset')).toBe(1);
  });
});

describe('rewind on subscribe', () => {
  it('sends the last N messages, or those of the last seconds, before live ones, then rewind_complete', async () => {
    const { port, backend } = await startServer(ON);
    for (let n = 1; n <= 10; n++) await backend().trigger('prices', 'price', String(n));
    const last3 = await RawClient.v2(port);
    last3.send({ event: 'sockudo:subscribe', data: { channel: 'prices', rewind: 3 } });
    const complete = await last3.waitFor('sockudo:rewind_complete');
    expect(complete.data).toEqual({
      historical_count: 3,
      live_count: 0,
      complete: false,
      truncated_by_retention: false,
      truncated_by_limit: true,
    });
    expect(last3.all('price').map((f) => [f.data, JSON.parse(f.raw).serial])).toEqual([
      ['8', 8],
      ['9', 9],
      ['10', 10],
    ]);
    const events = last3.frames.map((f) => f.event);
    expect(events.indexOf('sockudo_internal:subscription_succeeded')).toBeLessThan(events.indexOf('price'));

    const recent = await RawClient.v2(port);
    recent.send({ event: 'sockudo:subscribe', data: { channel: 'prices', rewind: { seconds: 60 } } });
    // As Rust Sockudo's: a rewind by time has no count limit, which it reports as truncated_by_limit.
    expect((await recent.waitFor('sockudo:rewind_complete')).data).toMatchObject({
      historical_count: 10,
      truncated_by_retention: false,
      truncated_by_limit: true,
    });
    await backend().trigger('prices', 'price', '11');
    await recent.waitFor((f) => f.event === 'price' && f.data === '11');
    expect(recent.all('price').map((f) => f.data)).toEqual(
      Array.from({ length: 11 }, (_, i) => String(i + 1)),
    );

    const bad = await RawClient.v2(port);
    bad.send({ event: 'sockudo:subscribe', data: { channel: 'prices', rewind: { minutes: 1 } } });
    expect((await bad.waitFor('sockudo:error')).data).toEqual({
      code: 4300,
      message: 'Invalid rewind option in subscription data',
    });
    const off = await startServer();
    const refused = await RawClient.v2(off.port);
    refused.send({ event: 'sockudo:subscribe', data: { channel: 'prices', rewind: 2 } });
    expect((await refused.waitFor('sockudo:error')).data).toEqual({
      code: 4300,
      message: "Channel rewind is disabled by policy for channel 'prices'",
    });
    await refused.waitFor('sockudo_internal:subscription_succeeded');
  });
});
