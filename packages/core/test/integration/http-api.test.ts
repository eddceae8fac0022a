// The Pusher HTTP API's happy paths through the official `pusher` SDK (triggers, batches, channel and
// user queries) and the health routes. Every refusal is in http-api-refusals.test.ts.

import { afterEach, describe, expect, it } from 'vitest';
import { cleanup } from '../helpers/cleanup.js';
import { connectPusherJs, nextEvent, RawClient, record, subscribed } from '../helpers/clients.js';
import { httpRequest, signedRequest } from '../helpers/http.js';
import { APP, startServer, type TestApp } from '../helpers/server.js';

afterEach(cleanup);

type Backend = ReturnType<Awaited<ReturnType<typeof startServer>>['backend']>;

/** The status and JSON body of a refused SDK call (the SDK rejects with a RequestError). */
async function refused(call: Promise<unknown>): Promise<{ status: number; body: any }> {
  try {
    await call;
  } catch (error: any) {
    return { status: error.status, body: JSON.parse(error.body) };
  }
  throw new Error('expected the request to be refused');
}

async function json(response: Promise<{ json(): Promise<unknown> }>): Promise<any> {
  return (await response).json();
}

/** Joins `userId` to a presence channel from a raw socket. */
async function joinPresence(
  port: number,
  backend: Backend,
  channel: string,
  userId: string,
): Promise<RawClient> {
  const client = await RawClient.established(port);
  const ack = await client.subscribe(
    channel,
    backend.authorizeChannel(client.socketId, channel, { user_id: userId }),
  );
  expect(ack.event).toBe('pusher_internal:subscription_succeeded');
  return client;
}

describe('triggering with the pusher SDK', () => {
  it('delivers one trigger to several channels, once per channel', async () => {
    const { port, backend } = await startServer();
    const raw = await RawClient.established(port);
    await raw.subscribe('alpha');
    await raw.subscribe('beta');
    const pusher = await connectPusherJs(port);
    const { channel: gamma } = await subscribed(pusher, 'gamma');
    const onGamma = nextEvent(gamma, 'fan-out');

    const response = await backend().trigger(['alpha', 'beta', 'gamma'], 'fan-out', { n: 1 });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({});

    expect((await onGamma).data).toEqual({ n: 1 });
    await raw.waitFor('fan-out', { channel: 'beta' });
    expect(raw.all('fan-out').map((f) => [f.channel, f.payload])).toEqual([
      ['alpha', { n: 1 }],
      ['beta', { n: 1 }],
    ]);
  });

  it('leaves out the socket named in socket_id and delivers to the others', async () => {
    const { port, backend } = await startServer();
    const sender = await connectPusherJs(port);
    const other = await connectPusherJs(port);
    const { channel: senderNews } = await subscribed(sender, 'news');
    const { channel: otherNews } = await subscribed(other, 'news');
    const echoed = record(senderNews, 'update');
    const delivered = nextEvent(otherNews, 'update');

    await backend().trigger('news', 'update', { v: 2 }, { socket_id: sender.connection.socket_id });
    expect((await delivered).data).toEqual({ v: 2 });

    const marker = nextEvent(senderNews, 'marker');
    await backend().trigger('news', 'marker', {});
    await marker;
    expect(echoed).toEqual([]);
  });

  it('returns subscription_count and user_count when the trigger asks for info', async () => {
    const { port, backend } = await startServer();
    const a = await RawClient.established(port);
    const b = await RawClient.established(port);
    await a.subscribe('news');
    await b.subscribe('news');
    await joinPresence(port, backend(), 'presence-room', 'u1');
    await joinPresence(port, backend(), 'presence-room', 'u1');
    await joinPresence(port, backend(), 'presence-room', 'u2');

    const body = await json(
      backend().trigger(
        ['news', 'presence-room', 'empty'],
        'e',
        {},
        { info: 'subscription_count,user_count' },
      ),
    );
    expect(Object.keys(body.channels).sort()).toEqual(['empty', 'news', 'presence-room']);
    expect(body.channels.news).toEqual({ subscription_count: 2 });
    expect(body.channels['presence-room']).toMatchObject({ user_count: 2 });
    if ('subscription_count' in body.channels['presence-room']) {
      expect(body.channels['presence-room'].subscription_count).toBe(3);
    }
    expect(body.channels.empty).toEqual({ subscription_count: 0 });

    expect(await json(backend().trigger('presence-room', 'e', {}, { info: 'user_count' }))).toEqual({
      channels: { 'presence-room': { user_count: 2 } },
    });
  });

  it('delivers a batch and answers {} without info', async () => {
    const { port, backend } = await startServer();
    const raw = await RawClient.established(port);
    await raw.subscribe('one');
    await raw.subscribe('two');
    const response = await backend().triggerBatch([
      { channel: 'one', name: 'first', data: { i: 1 } },
      { channel: 'two', name: 'second', data: 'two' },
      { channel: 'one', name: 'third', data: { i: 3 } },
    ]);
    expect(await response.json()).toEqual({});
    await raw.waitFor('third');
    expect(
      raw
        .all((f) => ['first', 'second', 'third'].includes(f.event))
        .map((f) => [f.event, f.channel, f.payload]),
    ).toEqual([
      ['first', 'one', { i: 1 }],
      ['second', 'two', 'two'],
      ['third', 'one', { i: 3 }],
    ]);
  });

  it('answers a batch with info index by index', async () => {
    const { port, backend } = await startServer();
    const raw = await RawClient.established(port);
    await raw.subscribe('one');
    await joinPresence(port, backend(), 'presence-room', 'u1');
    const body = await json(
      backend().triggerBatch([
        { channel: 'one', name: 'e', data: {}, info: 'subscription_count' },
        { channel: 'presence-room', name: 'e', data: {}, info: 'user_count' },
        { channel: 'nobody', name: 'e', data: {}, info: 'subscription_count' },
      ]),
    );
    expect(body).toEqual({
      batch: [{ subscription_count: 1 }, { user_count: 1 }, { subscription_count: 0 }],
    });
  });

  it('refuses one trigger to an encrypted channel and another channel with 400', async () => {
    const { port } = await startServer();
    const response = await signedRequest(port, {
      path: '/events',
      body: { name: 'e', data: '{}', channels: ['private-encrypted-a', 'public-b'] },
    });
    expect(response.status).toBe(400);
    expect(response.json.error).toMatch(/encrypted/);
  });

  it('enforces max_backend_events_per_second, counting one point per channel', async () => {
    const limited: TestApp = { ...APP, max_backend_events_per_second: 2 };
    const { port, backend } = await startServer({ apps: [limited] });
    const raw = await RawClient.established(port);
    await raw.subscribe('a');

    const tooMany = await refused(backend().trigger(['a', 'b', 'c'], 'e', { n: 'refused' }));
    expect(tooMany.status).toBe(429);
    expect(tooMany.body.error).toEqual(expect.any(String));

    const ok = await backend().trigger(['a', 'b'], 'e', { n: 'ok' });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('x-ratelimit-limit')).toBe('2');
    await raw.waitFor((f) => f.event === 'e' && f.payload.n === 'ok');
    expect(raw.all('e').map((f) => f.payload.n)).toEqual(['ok']);
  });
});

describe('querying channels with the pusher SDK', () => {
  it('lists occupied channels, filtered by prefix', async () => {
    const { port, backend } = await startServer();
    const raw = await RawClient.established(port);
    await raw.subscribe('news');
    await raw.subscribe('news-sport');
    await raw.subscribe('weather');
    await raw.subscribe('vacated');
    raw.send({ event: 'pusher:unsubscribe', data: { channel: 'vacated' } });
    await raw.ping(); // the unsubscribe was handled before the ping was answered

    expect(await json(backend().get({ path: '/channels' }))).toEqual({
      channels: { news: {}, 'news-sport': {}, weather: {} },
    });
    expect(await json(backend().get({ path: '/channels', params: { filter_by_prefix: 'news' } }))).toEqual({
      channels: { news: {}, 'news-sport': {} },
    });
  });

  it('gives user_count per presence channel with filter_by_prefix=presence-, and 400 without it', async () => {
    const { port, backend } = await startServer();
    await joinPresence(port, backend(), 'presence-a', 'u1');
    await joinPresence(port, backend(), 'presence-a', 'u1');
    await joinPresence(port, backend(), 'presence-a', 'u2');
    await joinPresence(port, backend(), 'presence-b', 'u3');
    const raw = await RawClient.established(port);
    await raw.subscribe('public');

    expect(
      await json(
        backend().get({ path: '/channels', params: { filter_by_prefix: 'presence-', info: 'user_count' } }),
      ),
    ).toEqual({ channels: { 'presence-a': { user_count: 2 }, 'presence-b': { user_count: 1 } } });

    const withoutFilter = await refused(backend().get({ path: '/channels', params: { info: 'user_count' } }));
    expect(withoutFilter.status).toBe(400);
    expect(withoutFilter.body.error).toEqual(expect.any(String));
    const wrongFilter = await refused(
      backend().get({ path: '/channels', params: { filter_by_prefix: 'private-', info: 'user_count' } }),
    );
    expect(wrongFilter.status).toBe(400);
  });

  it('describes one channel: occupied, subscription_count, user_count', async () => {
    const { port, backend } = await startServer();
    const a = await RawClient.established(port);
    const b = await RawClient.established(port);
    await a.subscribe('news');
    await b.subscribe('news');
    await joinPresence(port, backend(), 'presence-room', 'u1');
    await joinPresence(port, backend(), 'presence-room', 'u1');

    expect(await json(backend().get({ path: '/channels/news' }))).toEqual({ occupied: true });
    expect(
      await json(backend().get({ path: '/channels/news', params: { info: 'subscription_count' } })),
    ).toEqual({
      occupied: true,
      subscription_count: 2,
    });
    expect(
      await json(backend().get({ path: '/channels/nobody-here', params: { info: 'subscription_count' } })),
    ).toEqual({
      occupied: false,
      subscription_count: 0,
    });
    expect(
      await json(
        backend().get({ path: '/channels/presence-room', params: { info: 'user_count,subscription_count' } }),
      ),
    ).toEqual({ occupied: true, user_count: 1, subscription_count: 2 });

    const notPresence = await refused(
      backend().get({ path: '/channels/news', params: { info: 'user_count' } }),
    );
    expect(notPresence.status).toBe(400);
    expect(notPresence.body.error).toEqual(expect.any(String));
  });

  it('lists the distinct users of a presence channel, and refuses /users elsewhere', async () => {
    const { port, backend } = await startServer();
    await joinPresence(port, backend(), 'presence-room', 'u1');
    await joinPresence(port, backend(), 'presence-room', 'u1');
    await joinPresence(port, backend(), 'presence-room', 'u2');

    const body = await json(backend().get({ path: '/channels/presence-room/users' }));
    expect(body.users.sort((x: { id: string }, y: { id: string }) => x.id.localeCompare(y.id))).toEqual([
      { id: 'u1' },
      { id: 'u2' },
    ]);
    expect(await json(backend().get({ path: '/channels/presence-empty/users' }))).toEqual({ users: [] });

    for (const channel of ['news', 'private-x']) {
      const result = await refused(backend().get({ path: `/channels/${channel}/users` }));
      expect(result.status).toBe(400);
      expect(result.body.error).toEqual(expect.any(String));
    }
  });
});

describe('health routes', () => {
  it('answers /, /ready and /up, and /up/<app id> only for a known app', async () => {
    const { port } = await startServer();
    expect((await httpRequest(port, 'GET', '/')).status).toBe(200);
    expect((await httpRequest(port, 'GET', '/ready')).status).toBe(200);
    expect((await httpRequest(port, 'GET', '/up')).status).toBe(200);
    expect((await httpRequest(port, 'GET', `/up/${APP.id}`)).status).toBe(200);
    expect((await httpRequest(port, 'GET', '/up/no-such-app')).status).toBe(404);
  });
});
