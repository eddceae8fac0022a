// The Pusher HTTP API: the happy paths through the official `pusher` SDK, and every refusal (401, 404,
// 400, 413) through raw requests that are signed correctly and then tampered with.

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

describe('refused HTTP API requests', () => {
  const event = (extra: Record<string, unknown> = {}) => ({
    name: 'e',
    data: '{}',
    channels: ['news'],
    ...extra,
  });

  /** Every refusal is JSON with a human-readable `error`. */
  function expectError(result: { status: number; json: any }, status: number): void {
    expect(result.status).toBe(status);
    expect(result.json).toEqual(expect.objectContaining({ error: expect.any(String) }));
    expect(result.json.error.length).toBeGreaterThan(0);
  }

  it('accepts the untampered request (control for the cases below)', async () => {
    const { port } = await startServer();
    const result = await signedRequest(port, { path: '/events', body: event() });
    expect(result.status).toBe(200);
    expect(result.json).toEqual({});
    expect(result.headers['content-type']).toMatch(/application\/json/);
  });

  it('refuses a bad signature with 401', async () => {
    const { port } = await startServer();
    const result = await signedRequest(port, {
      path: '/events',
      body: event(),
      tamper: (q) => {
        q.auth_signature = q.auth_signature!.replace(/^./, (c) => (c === '0' ? '1' : '0'));
      },
    });
    expectError(result, 401);
  });

  it('refuses a request signed with the wrong secret with 401', async () => {
    const { port } = await startServer();
    const result = await signedRequest(port, {
      path: '/events',
      body: event(),
      app: { ...APP, secret: 'wrong' },
    });
    expectError(result, 401);
  });

  it('refuses a tampered query parameter with 401', async () => {
    const { port } = await startServer();
    const result = await signedRequest(port, {
      path: '/channels',
      params: { filter_by_prefix: 'presence-' },
      tamper: (q) => {
        q.filter_by_prefix = 'private-';
      },
    });
    expectError(result, 401);
  });

  it('refuses missing auth parameters with 401', async () => {
    const { port } = await startServer();
    expectError(await httpRequest(port, 'GET', '/apps/app-1/channels'), 401);
    const noSignature = await signedRequest(port, {
      path: '/channels',
      tamper: (q) => void delete q.auth_signature,
    });
    expectError(noSignature, 401);
  });

  it('refuses a timestamp more than 600 s old or ahead with 401, and accepts one 590 s old', async () => {
    const { port } = await startServer();
    const now = Math.floor(Date.now() / 1000);
    expectError(await signedRequest(port, { path: '/events', body: event(), timestamp: now - 601 }), 401);
    expectError(await signedRequest(port, { path: '/events', body: event(), timestamp: now + 601 }), 401);
    expect((await signedRequest(port, { path: '/events', body: event(), timestamp: now - 590 })).status).toBe(
      200,
    );
  });

  it('refuses a body that does not match body_md5 with 401', async () => {
    const { port } = await startServer();
    const signed = JSON.stringify(event());
    const swapped = JSON.stringify(event({ data: '{"evil":true}' }));
    expectError(await signedRequest(port, { path: '/events', body: signed, sentBody: swapped }), 401);
    const wrongMd5 = await signedRequest(port, {
      path: '/events',
      body: signed,
      tamper: (q) => {
        q.body_md5 = '0'.repeat(32);
      },
    });
    expectError(wrongMd5, 401);
  });

  it('answers an unknown app id with 404', async () => {
    const { port } = await startServer();
    expectError(
      await signedRequest(port, { path: '/events', body: event(), appIdInPath: 'no-such-app' }),
      404,
    );
  });

  it('answers a disabled app with 403', async () => {
    const disabled: TestApp = { ...APP, enabled: false };
    const { port } = await startServer({ apps: [disabled] });
    expectError(await signedRequest(port, { path: '/events', body: event() }), 403);
  });

  it('answers an unknown route with 404', async () => {
    const { port } = await startServer();
    expectError(await signedRequest(port, { path: '/nothing-here' }), 404);
    expectError(await signedRequest(port, { method: 'POST', path: '/channels', body: {} }), 404);
  });

  it('refuses data over 10 KB with 413 and accepts exactly 10 KB', async () => {
    const { port } = await startServer();
    expect(
      (await signedRequest(port, { path: '/events', body: event({ data: 'x'.repeat(10 * 1024) }) })).status,
    ).toBe(200);
    expectError(
      await signedRequest(port, { path: '/events', body: event({ data: 'x'.repeat(10 * 1024 + 1) }) }),
      413,
    );
    const batch = { batch: [{ name: 'e', channel: 'news', data: 'x'.repeat(10 * 1024 + 1) }] };
    expectError(await signedRequest(port, { path: '/batch_events', body: batch }), 413);
  });

  it('refuses 101 channels with 400 and accepts 100', async () => {
    const { port } = await startServer();
    const channels = (n: number) => Array.from({ length: n }, (_, i) => `ch-${i}`);
    expect(
      (await signedRequest(port, { path: '/events', body: event({ channels: channels(100) }) })).status,
    ).toBe(200);
    expectError(
      await signedRequest(port, { path: '/events', body: event({ channels: channels(101) }) }),
      400,
    );
  });

  it('refuses a batch of 11 with 400 and accepts 10', async () => {
    const { port } = await startServer();
    const batch = (n: number) => ({
      batch: Array.from({ length: n }, (_, i) => ({ name: 'e', channel: `ch-${i}`, data: '{}' })),
    });
    expect((await signedRequest(port, { path: '/batch_events', body: batch(10) })).status).toBe(200);
    expectError(await signedRequest(port, { path: '/batch_events', body: batch(11) }), 400);
    expectError(await signedRequest(port, { path: '/batch_events', body: { batch: [] } }), 400);
    expectError(await signedRequest(port, { path: '/batch_events', body: { batch: 'no' } }), 400);
  });

  it('refuses an event name of 201 characters with 400 and accepts 200', async () => {
    const { port } = await startServer();
    expect(
      (await signedRequest(port, { path: '/events', body: event({ name: 'e'.repeat(200) }) })).status,
    ).toBe(200);
    expectError(await signedRequest(port, { path: '/events', body: event({ name: 'e'.repeat(201) }) }), 400);
  });

  it('limits channel names to 164 characters by default', async () => {
    const { port } = await startServer();
    const named = (length: number) => event({ channels: ['c'.repeat(length)] });
    expect((await signedRequest(port, { path: '/events', body: named(164) })).status).toBe(200);
    expectError(await signedRequest(port, { path: '/events', body: named(165) }), 400);
    expectError(await signedRequest(port, { path: '/events', body: named(201) }), 400);
    expectError(await signedRequest(port, { path: `/channels/${'c'.repeat(201)}` }), 400);
  });

  it('honours a larger max_channel_name_length (200, as soketi and Rust Sockudo)', async () => {
    const roomy: TestApp = { ...APP, max_channel_name_length: 200 };
    const { port } = await startServer({ apps: [roomy] });
    const named = (length: number) => event({ channels: ['c'.repeat(length)] });
    expect((await signedRequest(port, { app: roomy, path: '/events', body: named(200) })).status).toBe(200);
    expectError(await signedRequest(port, { app: roomy, path: '/events', body: named(201) }), 400);
  });

  it.each([
    ['a missing name', { data: '{}', channels: ['news'] }],
    ['missing data', { name: 'e', channels: ['news'] }],
    ['no channel', { name: 'e', data: '{}' }],
    ['an empty channel list', { name: 'e', data: '{}', channels: [] }],
    ['an invalid channel name', { name: 'e', data: '{}', channels: ['bad name'] }],
    ['a non-string channel', { name: 'e', data: '{}', channels: [7] }],
    ['an invalid socket_id', { name: 'e', data: '{}', channels: ['news'], socket_id: 'nope' }],
    ['an unknown info attribute', { name: 'e', data: '{}', channels: ['news'], info: 'everything' }],
  ])('refuses a trigger with %s with 400', async (_, body) => {
    const { port } = await startServer();
    expectError(await signedRequest(port, { path: '/events', body }), 400);
  });

  it('refuses a body that is not JSON, or not a JSON object, with 400', async () => {
    const { port } = await startServer();
    expectError(await signedRequest(port, { path: '/events', body: '{"name":"e",' }), 400);
    expectError(await signedRequest(port, { path: '/events', body: '[1,2,3]' }), 400);
    expectError(await signedRequest(port, { path: '/batch_events', body: 'not json at all' }), 400);
  });

  it('refuses a body over httpRequestLimitInMb with 413, declared or chunked', async () => {
    const { port } = await startServer({ httpRequestLimitInMb: 0.005 }); // about 5 KB
    // 8 KB of data is under the 10 KB event limit: only the request limit can refuse it.
    const body = JSON.stringify(event({ data: 'x'.repeat(8 * 1024) }));
    expectError(await signedRequest(port, { path: '/events', body }), 413);

    const { signHttpRequest } = await import('@sockudo/protocol');
    const query = signHttpRequest({
      key: APP.key,
      secret: APP.secret,
      method: 'POST',
      path: '/apps/app-1/events',
      body,
    });
    const chunked = await httpRequest(
      port,
      'POST',
      `/apps/app-1/events?${new URLSearchParams(query)}`,
      body,
      {
        'Content-Length': '',
        'Transfer-Encoding': 'chunked',
      },
    );
    expectError(chunked, 413);

    // the node still answers afterwards
    expect((await signedRequest(port, { path: '/events', body: event() })).status).toBe(200);
  });

  it('refuses info=user_count on GET /channels without the presence- filter, with 400', async () => {
    const { port } = await startServer();
    expectError(await signedRequest(port, { path: '/channels', params: { info: 'user_count' } }), 400);
    expectError(await signedRequest(port, { path: '/channels/news', params: { info: 'user_count' } }), 400);
    expectError(await signedRequest(port, { path: '/channels/news/users' }), 400);
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
