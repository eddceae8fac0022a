// Tag filtering on a live node: events published with `tags` through the `pusher` SDK reach each V2
// socket exactly when its subscription's filter matches (tags in sorted key order, V2 only), with
// Rust Sockudo's refusals for bad filters and its `tag_filtering` switches.

import type { MetricLabels, MetricsV1 } from '@sockudo/core';
import type Pusher from 'pusher';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup } from '../helpers/cleanup.js';
import { RawClient } from '../helpers/clients.js';
import { Fuzz } from '../helpers/fuzz.js';
import { signedRequest } from '../helpers/http.js';
import { startServer } from '../helpers/server.js';

afterEach(cleanup);

type Tags = Record<string, string> | undefined;
type Client = RawClient & { socketId: string };

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

/** Subscribers with distinct filters, each with what it should let through, written out by hand. */
const SUBSCRIBERS: Array<{
  name: string;
  data: Record<string, unknown>;
  wants: (event: string, tags: Tags) => boolean;
}> = [
  {
    name: 'eu',
    data: { filter: { key: 'region', cmp: 'eq', val: 'eu' } },
    wants: (_, t) => t?.region === 'eu',
  },
  {
    name: 'urgent',
    data: {
      tags_filter: {
        op: 'or',
        nodes: [
          { key: 'priority', cmp: 'gte', val: 5 },
          { key: 'kind', cmp: 'in', vals: ['alert', 'page'] },
        ],
      },
    },
    wants: (_, t) => Number(t?.priority ?? Number.NaN) >= 5 || ['alert', 'page'].includes(t?.kind ?? ''),
  },
  {
    name: 'no-region',
    data: { filter: { op: 'not', nodes: [{ key: 'region', cmp: 'ex' }] } },
    wants: (_, t) => t?.region === undefined,
  },
  {
    name: 'orders-A',
    data: { filter: { events: ['order'], tags: { key: 'sku', cmp: 'sw', val: 'A-' } } },
    wants: (event, t) => event === 'order' && (t?.sku ?? '').startsWith('A-'),
  },
  { name: 'everything', data: {}, wants: () => true },
];

function randomTags(fuzz: Fuzz): Tags {
  if (fuzz.next() < 0.15) return undefined;
  const tags: Record<string, string> = {};
  if (fuzz.next() < 0.6) tags.region = fuzz.pick(['eu', 'us', 'eu-west']);
  if (fuzz.next() < 0.5) tags.priority = fuzz.pick(['1', '5', '9', '10', 'high']);
  if (fuzz.next() < 0.4) tags.kind = fuzz.pick(['alert', 'page', 'note']);
  if (fuzz.next() < 0.5) tags.sku = fuzz.pick(['A-1', 'A-22', 'B-1', 'a-1']);
  return tags;
}

const sortedJson = (tags: Record<string, string>) =>
  JSON.stringify(Object.fromEntries(Object.entries(tags).sort(([a], [b]) => (a < b ? -1 : 1))));

/** Publishes a marker on `sync` (no filters there) and waits until every client has it. */
async function barrier(backend: Pusher, clients: RawClient[]) {
  const marks = clients.map((c) => c.mark());
  await backend.trigger('sync', 'barrier', {});
  await Promise.all(clients.map((c, i) => c.waitFor('barrier', { channel: 'sync', from: marks[i] })));
}

describe('tag filtering', () => {
  it('sends each V2 socket exactly the events its filter matches; Pusher sockets get all, without tags', async () => {
    const metrics = countingMetrics();
    const { port, backend } = await startServer({ metrics, extensions: { tagFiltering: { enabled: true } } });
    const sdk = backend();
    const v2: Client[] = [];
    for (const subscriber of SUBSCRIBERS) {
      const client = await RawClient.v2(port);
      const ack = await client.subscribe('feed', subscriber.data, 'sockudo');
      expect(ack.event, subscriber.name).toBe('sockudo_internal:subscription_succeeded');
      await client.subscribe('sync', undefined, 'sockudo');
      v2.push(client);
    }
    const pusher = await RawClient.established(port);
    await pusher.subscribe('feed', { filter: { key: 'region', cmp: 'eq', val: 'eu' } });
    await pusher.subscribe('sync');

    const fuzz = new Fuzz(43);
    const published: Array<{ id: number; event: string; tags: Tags }> = [];
    for (let id = 0; id < 60; id += 3) {
      const batch = [0, 1, 2].map((k) => ({
        id: id + k,
        event: fuzz.pick(['order', 'other']),
        tags: randomTags(fuzz),
      }));
      published.push(...batch);
      const [first, ...rest] = batch;
      await sdk.trigger(
        'feed',
        first!.event,
        { id: first!.id },
        first!.tags && ({ tags: first!.tags } as never),
      );
      await sdk.triggerBatch(
        rest.map((e) => ({
          channel: 'feed',
          name: e.event,
          data: { id: e.id },
          ...(e.tags && { tags: e.tags }),
        })),
      );
    }
    await barrier(sdk, [...v2, pusher]);

    let tagSuppressed = 0;
    for (const [i, subscriber] of SUBSCRIBERS.entries()) {
      const frames = v2[i]!.all((f) => f.channel === 'feed' && !f.event.startsWith('sockudo'));
      const expected = published.filter((e) => subscriber.wants(e.event, e.tags));
      expect(
        frames.map((f) => f.payload.id),
        subscriber.name,
      ).toEqual(expected.map((e) => e.id));
      for (const [k, frame] of frames.entries()) {
        const { tags, id } = expected[k]!;
        const data = JSON.stringify(JSON.stringify({ id }));
        expect(frame.raw).toBe(
          `{"event":"${expected[k]!.event}","channel":"feed","data":${data}${tags ? `,"tags":${sortedJson(tags)}` : ''}}`,
        );
      }
      const eventNamed =
        subscriber.name === 'orders-A' ? published.filter((e) => e.event === 'order') : published;
      tagSuppressed += eventNamed.length - expected.length;
    }
    // Both outcomes occur for every filter, so the comparison above means something.
    for (const subscriber of SUBSCRIBERS.slice(0, 4)) {
      const matches = published.filter((e) => subscriber.wants(e.event, e.tags)).length;
      expect(matches, subscriber.name).toBeGreaterThan(0);
      expect(matches, subscriber.name).toBeLessThan(published.length);
    }
    const v1Frames = pusher.all((f) => f.channel === 'feed' && !f.event.startsWith('pusher'));
    expect(v1Frames.map((f) => f.payload.id)).toEqual(published.map((e) => e.id));
    expect(v1Frames.filter((f) => f.raw.includes('"tags"'))).toEqual([]);
    expect(metrics.count('tag_filter_suppressed_total')).toBe(tagSuppressed);
    expect(metrics.count('event_filter_suppressed_total')).toBe(
      published.filter((e) => e.event !== 'order').length,
    );
  });

  it('never holds back protocol events, and unsubscribing lifts the filter', async () => {
    const { port, backend } = await startServer({ extensions: { tagFiltering: { enabled: true } } });
    const sdk = backend();
    const auth = (client: { socketId: string }, user: string) =>
      sdk.authorizeChannel(client.socketId, 'presence-room', { user_id: user });
    const watcher = await RawClient.v2(port);
    const filter = { key: 'room', cmp: 'eq', val: 'blue' };
    await watcher.subscribe('presence-room', { ...auth(watcher, 'w'), filter }, 'sockudo');
    const other = await RawClient.established(port);
    await other.subscribe('presence-room', auth(other, 'o'));
    await watcher.waitFor('sockudo_internal:member_added');

    await sdk.trigger('presence-room', 'red', {}, { tags: { room: 'red' } } as never);
    await sdk.trigger('presence-room', 'blue', {}, { tags: { room: 'blue' } } as never);
    await watcher.waitFor('blue');
    expect(watcher.all('red')).toEqual([]);
    watcher.send({ event: 'sockudo:unsubscribe', data: { channel: 'presence-room' } });
    await watcher.subscribe('presence-room', auth(watcher, 'w'), 'sockudo');
    await sdk.trigger('presence-room', 'red', {}, { tags: { room: 'red' } } as never);
    await watcher.waitFor('red');
  });

  it('with tag_filtering disabled (the default): filters are checked but every event gets through, with its tags', async () => {
    const { port, backend } = await startServer();
    const client = await RawClient.v2(port);
    await client.subscribe('open', { filter: { key: 'region', cmp: 'eq', val: 'eu' } }, 'sockudo');
    await backend().trigger('open', 'elsewhere', {}, { tags: { region: 'us' } } as never);
    const frame = await client.waitFor('elsewhere');
    expect(frame.raw).toContain(',"tags":{"region":"us"}}');
    client.send({ event: 'sockudo:subscribe', data: { channel: 'bad', filter: { op: 'xor', nodes: [] } } });
    expect((await client.waitFor('sockudo:error')).data).toEqual({
      code: 4000,
      message: 'Invalid message format: Invalid tags filter: unknown logical operator: xor',
    });
  });

  it('with enable_tags false: filters still apply, and V2 frames come without tags', async () => {
    const { port, backend } = await startServer({
      extensions: { tagFiltering: { enabled: true, enableTags: false } },
    });
    const client = await RawClient.v2(port);
    await client.subscribe('quiet', { filter: { key: 'n', cmp: 'lt', val: '10' } }, 'sockudo');
    const sdk = backend();
    await sdk.trigger('quiet', 'big', {}, { tags: { n: '10' } } as never);
    await sdk.trigger('quiet', 'small', {}, { tags: { n: '9.5' }, extras: { echo: true } } as never);
    const frame = await client.waitFor('small');
    expect(frame.raw).toBe('{"event":"small","channel":"quiet","data":"{}","extras":{"echo":true}}');
    expect(client.all('big')).toEqual([]);
  });

  it('refuses bad filters with Rust Sockudo’s sockudo:error 4000, subscribing nothing, the socket left open', async () => {
    const { port, backend } = await startServer({ extensions: { tagFiltering: { enabled: true } } });
    const client = await RawClient.v2(port);
    const refusal = async (filter: unknown) => {
      const from = client.mark();
      client.send({ event: 'sockudo:subscribe', data: { channel: 'strict', filter } });
      return ((await client.waitFor('sockudo:error', { from })).data as { message: string }).message;
    };
    let deep: unknown = { key: 'k', cmp: 'ex' };
    for (let i = 0; i < 16; i++) deep = { op: 'not', nodes: [deep] };
    const P = 'Invalid message format: ';
    expect(await refusal(deep)).toBe(
      `${P}Invalid subscription filter: tag filter exceeds the depth limit of 16`,
    );
    expect(await refusal({ key: 'k', cmp: 'regex', val: 'a.*' })).toBe(
      `${P}Invalid tags filter: unknown comparison operator: regex`,
    );
    expect(await refusal({ key: 'k', cmp: 'eq', val: 'x'.repeat(1025) })).toBe(
      `${P}Invalid subscription filter: tag filter value exceeds the byte limit of 1024`,
    );
    expect(await refusal({ key: ['k'], cmp: 'eq', val: 'x' })).toBe(
      `${P}Invalid tags filter shape: invalid type: sequence, expected a string`,
    );
    expect(await refusal({ events: ['e'], tags: { op: 'and', nodes: [] } })).toBe(
      `${P}Invalid tags filter: and operation requires at least one child node`,
    );
    await backend().trigger('strict', 'e', {}, { tags: { k: 'v' } } as never);
    const from = client.mark();
    client.send({ event: 'sockudo:ping', data: {} });
    await client.waitFor('sockudo:pong', { from });
    await client.subscribe('after', { filter: { key: 'k', cmp: 'ex' } }, 'sockudo');
    expect(client.all((f) => f.channel === 'strict')).toEqual([]);
  });

  it('answers 400 for tags that are not an object of strings, publishing nothing', async () => {
    const { port } = await startServer({ extensions: { tagFiltering: { enabled: true } } });
    const client = await RawClient.v2(port);
    await client.subscribe('checked', undefined, 'sockudo');
    for (const [body, error] of [
      [
        { name: 'e', channel: 'checked', data: '{}', tags: ['a'] },
        'event.tags must be an object of string values',
      ],
      [{ name: 'e', channel: 'checked', data: '{}', tags: { n: 5 } }, 'event.tags.n must be a string'],
      [
        { name: 'e', channel: 'checked', data: '{}', tags: 'region=eu' },
        'event.tags must be an object of string values',
      ],
    ] as const) {
      const response = await signedRequest(port, { path: '/events', body });
      expect(response.status).toBe(400);
      expect(response.json.error).toContain(error);
    }
    const batch = await signedRequest(port, {
      path: '/batch_events',
      body: {
        batch: [
          { name: 'ok', channel: 'checked', data: '{}', tags: { a: 'b' } },
          { name: 'e', channel: 'checked', data: '{}', tags: { nested: { x: '1' } } },
        ],
      },
    });
    expect(batch.status).toBe(400);
    expect(batch.json.error).toContain('batch[1].tags.nested must be a string');
    const ok = await signedRequest(port, {
      path: '/events',
      body: { name: 'ok', channel: 'checked', data: '{}', tags: null },
    });
    expect(ok.status).toBe(200);
    await client.waitFor('ok');
    expect(client.all('ok')).toHaveLength(1);
    expect(client.all('e')).toEqual([]);
  });
});
