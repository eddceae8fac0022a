// Fuzzing a live node with seeded V2 and Pusher messages (subscribes with random event and tag filters
// and delta settings, delta compression requests, client events with extras, triggers with random
// extras, tags and keys): the node never fails, every socket stays open and answers a ping, a V2 socket
// never sees a `pusher:` event and a Pusher socket never sees V2 fields.

import { afterEach, describe, expect, it } from 'vitest';
import { cleanup } from '../helpers/cleanup.js';
import { RawClient } from '../helpers/clients.js';
import { Fuzz } from '../helpers/fuzz.js';
import { signedRequest } from '../helpers/http.js';
import { APP, startServer } from '../helpers/server.js';

afterEach(cleanup);

const MESSAGES = 300;

describe('fuzz: a node under random V2 and Pusher messages', () => {
  it('stays up and keeps each wire to its own form', async () => {
    const fuzz = new Fuzz(23);
    const app = { ...APP, enable_client_messages: true, max_client_events_per_second: 0 };
    const { port, backend } = await startServer({
      apps: [app],
      extensions: { tagFiltering: { enabled: true } },
    });
    const sdk = backend();
    const v2 = await RawClient.v2(port);
    const v1 = await RawClient.established(port);
    const channels = ['fuzz', 'private-fuzz', 'presence-fuzz', 'cache-fuzz'];
    for (const [client, prefix] of [
      [v2, 'sockudo'],
      [v1, 'pusher'],
    ] as const) {
      await client.subscribe('private-fuzz', sdk.authorizeChannel(client.socketId, 'private-fuzz'), prefix);
    }

    const message = (prefix: string): unknown => {
      const channel = fuzz.pick(channels);
      switch (fuzz.int(10)) {
        case 0:
          return {
            event: `${prefix}:subscribe`,
            data: { channel, filter: fuzz.json(3), tags_filter: fuzz.json(2) },
          };
        case 1:
          return {
            event: `${prefix}:subscribe`,
            data: { channel, filter: { events: [fuzz.string(2), fuzz.json(1)] } },
          };
        case 6: {
          const leaf = () => ({
            key: fuzz.pick(['k', 'region', fuzz.string(1)]),
            cmp: fuzz.pick(['eq', 'neq', 'in', 'ex', 'nex', 'sw', 'ct', 'gt', 'lte', 'bad']),
            ...(fuzz.next() < 0.8 && { val: fuzz.next() < 0.8 ? fuzz.string(2) : fuzz.json(0) }),
            ...(fuzz.next() < 0.3 && { vals: [fuzz.string(1), fuzz.json(0)] }),
          });
          const tags =
            fuzz.next() < 0.5 ? leaf() : { op: fuzz.pick(['and', 'or', 'not']), nodes: [leaf(), leaf()] };
          return {
            event: `${prefix}:subscribe`,
            data: {
              channel,
              [fuzz.pick(['filter', 'tags_filter'])]: fuzz.next() < 0.5 ? tags : { events: ['e'], tags },
            },
          };
        }
        case 2:
          return { event: 'client-fuzz', channel: 'private-fuzz', data: fuzz.json(2), extras: fuzz.json(2) };
        case 3:
          return { event: `${prefix}:unsubscribe`, data: { channel } };
        case 7:
          return { event: `${prefix}:enable_delta_compression`, data: fuzz.json(2) };
        case 8:
          return { event: `${prefix}:delta_sync_error`, data: fuzz.pick([{ channel }, fuzz.json(2)]) };
        case 9:
          return { event: `${prefix}:subscribe`, data: { channel, delta: fuzz.json(2) } };
        case 4:
          return {
            event: fuzz.pick(['sockudo:', 'pusher:', 'sockudo_internal:', '']) + fuzz.string(2),
            data: fuzz.json(2),
          };
        default:
          return fuzz.json(2);
      }
    };

    for (let i = 0; i < MESSAGES; i++) {
      v2.send(message(fuzz.pick(['sockudo', 'pusher'])));
      v1.send(message(fuzz.pick(['sockudo', 'pusher'])));
      if (i % 10 === 0) {
        const response = await signedRequest(port, {
          path: '/events',
          body: {
            name: fuzz.pick(['fuzz', 'client-x', 'e']) + fuzz.string(1),
            channel: fuzz.pick(['fuzz', 'private-fuzz', 'cache-fuzz']),
            // Large enough, now and then, to travel as a delta to a socket that enabled them.
            data: fuzz.next() < 0.3 ? fuzz.string().repeat(20) : fuzz.string(),
            ...(fuzz.next() < 0.6 && {
              extras:
                fuzz.next() < 0.5
                  ? { headers: { k: fuzz.string(2) }, echo: fuzz.next() < 0.5 }
                  : fuzz.json(2),
            }),
            ...(fuzz.next() < 0.3 && { idempotency_key: fuzz.next() < 0.8 ? fuzz.string(3) : fuzz.json(1) }),
            ...(fuzz.next() < 0.5 && {
              tags: fuzz.next() < 0.7 ? { k: fuzz.string(2), region: fuzz.pick(['eu', 'us']) } : fuzz.json(2),
            }),
          },
        });
        expect([200, 400, 413], response.text).toContain(response.status);
      }
    }

    // Both sockets are still open and answer; the node still serves new connections.
    const from = v2.mark();
    v2.send({ event: 'sockudo:ping', data: {} });
    await v2.waitFor('sockudo:pong', { from });
    await v1.ping();
    await RawClient.v2(port);
    expect(v2.all((f) => f.event.startsWith('pusher')).map((f) => f.raw)).toEqual([]);
    expect(
      v1
        .all((f) => f.event.startsWith('sockudo') || f.raw.includes('"extras":') || f.raw.includes('"tags":'))
        .map((f) => f.raw),
    ).toEqual([]);
    expect(v1.all((f) => f.event === '<unparseable>')).toEqual([]);
    expect(v2.all((f) => f.event === '<unparseable>')).toEqual([]);
    // Delta requests were answered in each wire's own form, and a delta names its base.
    expect(v2.all('sockudo:delta_compression_enabled').length).toBeGreaterThan(0);
    expect(v1.all('pusher:delta_compression_enabled').every((f) => f.payload.enabled === false)).toBe(true);
    for (const delta of v2.all('sockudo:delta')) {
      expect(Object.keys(delta.payload)).toEqual(
        expect.arrayContaining(['event', 'delta', 'seq', 'base_index']),
      );
    }
  }, 30_000);
});
