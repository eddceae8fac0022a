// Subscribing to public, private, presence and encrypted channels with pusher-js and raw sockets, and
// what reaches whom when the backend triggers.

import { afterEach, describe, expect, it } from 'vitest';
import { cleanup } from '../helpers/cleanup.js';
import { connectPusherJs, nextEvent, RawClient, record, subscribed } from '../helpers/clients.js';
import { APP, createBackend, startServer, type TestApp } from '../helpers/server.js';
import { waitUntil } from '../helpers/wait.js';

afterEach(cleanup);

/** Reads a channel's figures over the HTTP API through the SDK. */
async function channelInfo(backend: ReturnType<typeof createBackend>, channel: string, info: string) {
  const response = await backend.get({ path: `/channels/${channel}`, params: { info } });
  return response.json() as Promise<{ occupied: boolean; user_count?: number; subscription_count?: number }>;
}

async function userIds(backend: ReturnType<typeof createBackend>, channel: string): Promise<string[]> {
  const response = await backend.get({ path: `/channels/${channel}/users` });
  const body = (await response.json()) as { users: Array<{ id: string }> };
  return body.users.map((u) => u.id).sort();
}

describe('public channels', () => {
  it('delivers a triggered event with the exact data to a pusher-js subscriber', async () => {
    const { port, backend } = await startServer();
    const pusher = await connectPusherJs(port);
    const { channel } = await subscribed(pusher, 'news');

    const payload = { text: 'héllo wörld ✓', n: 42, nested: { list: [1, 'two', null] }, empty: '' };
    const got = nextEvent(channel, 'story');
    await backend().trigger('news', 'story', payload);
    const { data } = await got;
    expect(data).toEqual(payload);

    const plain = nextEvent(channel, 'plain');
    await backend().trigger('news', 'plain', 'just a string');
    expect((await plain).data).toBe('just a string');
  });

  it('sends channel events as {event, channel, data:"<json string>"} without user_id', async () => {
    const { port, backend } = await startServer();
    const client = await RawClient.established(port);
    const ack = await client.subscribe('news');
    expect(ack.event).toBe('pusher_internal:subscription_succeeded');
    expect(client.all('pusher:error')).toEqual([]);

    await backend().trigger('news', 'story', { a: 1 });
    const frame = await client.waitFor('story', { channel: 'news' });
    expect(JSON.parse(frame.raw)).toEqual({ event: 'story', channel: 'news', data: '{"a":1}' });
  });

  it('stops delivering after unsubscribe and delivers again after resubscribing', async () => {
    const { port, backend } = await startServer();
    const client = await RawClient.established(port);
    await client.subscribe('news');
    await client.subscribe('control');
    client.send({ event: 'pusher:unsubscribe', data: { channel: 'news' } });
    await waitUntil(
      async () => (await channelInfo(backend(), 'news', 'subscription_count')).occupied === false,
      'news to be vacated',
    );

    await backend().trigger('news', 'after-unsubscribe', {});
    await backend().trigger('control', 'marker', {});
    await client.waitFor('marker', { channel: 'control' });
    expect(client.all('after-unsubscribe')).toEqual([]);

    await client.subscribe('news');
    await backend().trigger('news', 'after-resubscribe', { ok: true });
    expect((await client.waitFor('after-resubscribe')).payload).toEqual({ ok: true });
  });

  it('answers a duplicate subscribe with a non-fatal pusher:error and delivers events once', async () => {
    const { port, backend } = await startServer();
    const client = await RawClient.established(port);
    await client.subscribe('news');
    const from = client.mark();
    client.send({ event: 'pusher:subscribe', data: { channel: 'news' } });
    const error = await client.waitFor('pusher:error', { from });
    expect(error.payload.code).toBeNull();
    expect(error.payload.message).toContain('news');

    await backend().trigger('news', 'once', {});
    await backend().trigger('news', 'marker', {});
    await client.waitFor('marker');
    expect(client.all('once')).toHaveLength(1);
    expect(client.all('pusher_internal:subscription_succeeded', 'news')).toHaveLength(1);
    expect((await channelInfo(backend(), 'news', 'subscription_count')).subscription_count).toBe(1);
  });

  it('accepts a 164-character channel name and refuses 165 characters with 4300', async () => {
    const { port } = await startServer();
    const client = await RawClient.established(port);
    const ok = await client.subscribe(`c${'x'.repeat(163)}`);
    expect(ok.event).toBe('pusher_internal:subscription_succeeded');

    const long = `c${'x'.repeat(164)}`;
    const from = client.mark();
    const refused = await client.subscribe(long);
    expect(refused.event).toBe('pusher:subscription_error');
    const error = await client.waitFor('pusher:error', { from });
    expect(error.payload.code).toBe(4300);
  });

  it('does not let a client subscribe to a #server-to-user- channel', async () => {
    const { port, backend } = await startServer();
    const client = await RawClient.established(port);
    const reply = await client.subscribe('#server-to-user-victim');
    expect(reply.event).toBe('pusher:subscription_error');
    await client.subscribe('control');

    await backend().sendToUser('victim', 'secret', { for: 'victim only' }); // SDK: trigger on #server-to-user-victim
    await backend().trigger('control', 'marker', {});
    await client.waitFor('marker');
    expect(client.all('secret')).toEqual([]);
  });
});

describe('private channels', () => {
  it('accepts a subscription signed by the pusher SDK and delivers events', async () => {
    const { port, backend } = await startServer();
    const pusher = await connectPusherJs(port, { backend: backend() });
    const { channel } = await subscribed(pusher, 'private-orders');
    const got = nextEvent(channel, 'order-placed');
    await backend().trigger('private-orders', 'order-placed', { id: 7 });
    expect((await got).data).toEqual({ id: 7 });
  });

  it('refuses a bad signature from pusher-js: subscription_error, pusher:error 4009, and no events', async () => {
    const { port, backend } = await startServer();
    const forger = createBackend(port, { ...APP, secret: 'not-the-secret' });
    const pusher = await connectPusherJs(port, {
      authorize: (socketId, channelName) => forger.authorizeChannel(socketId, channelName),
    });
    const errors: any[] = [];
    pusher.connection.bind('error', (e: unknown) => errors.push(e));

    const channel = pusher.subscribe('private-orders');
    const leaked = record(channel, 'order-placed');
    const subscriptionError = await nextEvent(channel, 'pusher:subscription_error');
    expect(subscriptionError.data).toMatchObject({ status: 401 });
    await waitUntil(() => errors.find((e) => e?.data?.code === 4009), 'pusher:error 4009 on the connection');
    expect(channel.subscribed).toBe(false);

    const { channel: control } = await subscribed(pusher, 'control');
    await backend().trigger('private-orders', 'order-placed', { id: 'leak?' });
    const marker = nextEvent(control, 'marker');
    await backend().trigger('control', 'marker', {});
    await marker;
    expect(leaked).toEqual([]);
    expect(pusher.connection.state).toBe('connected'); // a refused subscription does not drop the socket
  });

  it('refuses a raw subscribe without auth and never delivers that channel', async () => {
    const { port, backend } = await startServer();
    const client = await RawClient.established(port);
    const from = client.mark();
    const reply = await client.subscribe('private-orders');
    expect(reply.event).toBe('pusher:subscription_error');
    expect(reply.payload).toMatchObject({ status: 401 });
    const error = await client.waitFor('pusher:error', { from });
    expect(error.payload.code).toBe(4009);
    expect(error.channel).toBe('private-orders');

    await client.subscribe('control');
    await backend().trigger('private-orders', 'order-placed', { id: 'leak?' });
    await backend().trigger('control', 'marker', {});
    await client.waitFor('marker');
    expect(client.all('order-placed')).toEqual([]);
    expect((await channelInfo(backend(), 'private-orders', 'subscription_count')).occupied).toBe(false);
  });

  it.each([
    ['signed for another socket', (sdk: any) => sdk.authorizeChannel('1234.5678', 'private-orders').auth],
    [
      'signed for another channel',
      (sdk: any, socketId: string) => sdk.authorizeChannel(socketId, 'private-other').auth,
    ],
    [
      'naming another app key',
      (sdk: any, socketId: string) =>
        `other-key:${sdk.authorizeChannel(socketId, 'private-orders').auth.split(':')[1]}`,
    ],
    ['with an empty signature', () => `${APP.key}:`],
    ['that is not a string', () => 12345],
  ])('refuses an auth %s with 4009', async (_, makeAuth) => {
    const { port, backend } = await startServer();
    const client = await RawClient.established(port);
    const from = client.mark();
    client.send({
      event: 'pusher:subscribe',
      data: { channel: 'private-orders', auth: makeAuth(backend(), client.socketId) },
    });
    const error = await client.waitFor('pusher:error', { from });
    expect(error.payload.code).toBe(4009);
    expect(client.all('pusher_internal:subscription_succeeded')).toEqual([]);
  });
});

describe('presence channels', () => {
  it('sends the member list (ids, hash, count) to a joining socket', async () => {
    const { port, backend } = await startServer();
    const alice = await connectPusherJs(port, {
      backend: backend(),
      user: { user_id: 'alice', user_info: { name: 'Alice' } },
    });
    await subscribed(alice, 'presence-room');

    const bob = await RawClient.established(port);
    const signed = backend().authorizeChannel(bob.socketId, 'presence-room', {
      user_id: 'bob',
      user_info: { name: 'Bob', role: 'admin' },
    });
    const ack = await bob.subscribe('presence-room', signed);
    expect(ack.event).toBe('pusher_internal:subscription_succeeded');
    const { presence } = ack.payload;
    expect([...presence.ids].sort()).toEqual(['alice', 'bob']);
    expect(presence.count).toBe(2);
    expect(presence.hash).toEqual({ alice: { name: 'Alice' }, bob: { name: 'Bob', role: 'admin' } });
  });

  it('exposes members, me and member_added/member_removed through pusher-js', async () => {
    const { port, backend } = await startServer();
    const alice = await connectPusherJs(port, {
      backend: backend(),
      user: { user_id: 'alice', user_info: { n: 1 } },
    });
    const { channel, data: members } = await subscribed(alice, 'presence-room');
    expect(members.count).toBe(1);
    expect(members.me).toEqual({ id: 'alice', info: { n: 1 } });

    const added = nextEvent(channel, 'pusher:member_added');
    const bob = await connectPusherJs(port, {
      backend: backend(),
      user: { user_id: 'bob', user_info: { n: 2 } },
    });
    await subscribed(bob, 'presence-room');
    expect((await added).data).toEqual({ id: 'bob', info: { n: 2 } });
    expect(members.count).toBe(2);

    const removed = nextEvent(channel, 'pusher:member_removed');
    bob.disconnect();
    expect((await removed).data).toEqual({ id: 'bob', info: { n: 2 } });
    expect(members.count).toBe(1);
  });

  it('turns a numeric user_id into a string', async () => {
    const { port, backend } = await startServer();
    const client = await RawClient.established(port);
    const signed = backend().authorizeChannel(client.socketId, 'presence-room', {
      user_id: 10 as unknown as string,
    });
    const ack = await client.subscribe('presence-room', signed);
    expect(ack.payload.presence).toEqual({ ids: ['10'], hash: { '10': {} }, count: 1 });
    expect(await userIds(backend(), 'presence-room')).toEqual(['10']);
  });

  it('announces a user with two sockets once, and removes them only when the last socket leaves', async () => {
    const { port, backend } = await startServer();
    const watcher = await RawClient.established(port);
    await watcher.subscribe(
      'presence-room',
      backend().authorizeChannel(watcher.socketId, 'presence-room', { user_id: 'watcher' }),
    );
    await watcher.subscribe('control');

    const join = async (userId: string) => {
      const tab = await RawClient.established(port);
      const signed = backend().authorizeChannel(tab.socketId, 'presence-room', {
        user_id: userId,
        user_info: { tab: true },
      });
      const ack = await tab.subscribe('presence-room', signed);
      expect(ack.event).toBe('pusher_internal:subscription_succeeded');
      return tab;
    };
    const tab1 = await join('alice');
    const tab2 = await join('alice');
    await join('bob'); // a later, different user: its member_added orders after any duplicate for alice
    await watcher.waitFor((f) => f.event === 'pusher_internal:member_added' && f.payload.user_id === 'bob');
    const added = watcher.all('pusher_internal:member_added').map((f) => f.payload);
    expect(added).toEqual([
      { user_id: 'alice', user_info: { tab: true } },
      { user_id: 'bob', user_info: { tab: true } },
    ]);

    const counts = await channelInfo(backend(), 'presence-room', 'user_count,subscription_count');
    expect(counts).toEqual({ occupied: true, user_count: 3, subscription_count: 4 });
    expect(await userIds(backend(), 'presence-room')).toEqual(['alice', 'bob', 'watcher']);

    tab1.close();
    await waitUntil(
      async () =>
        (await channelInfo(backend(), 'presence-room', 'subscription_count')).subscription_count === 3,
      'the first tab to leave',
    );
    await backend().trigger('control', 'marker', {});
    await watcher.waitFor('marker');
    expect(watcher.all('pusher_internal:member_removed')).toEqual([]);
    expect(await userIds(backend(), 'presence-room')).toEqual(['alice', 'bob', 'watcher']);

    tab2.close();
    const removed = await watcher.waitFor('pusher_internal:member_removed');
    expect(removed.payload).toEqual({ user_id: 'alice' });
    expect(await userIds(backend(), 'presence-room')).toEqual(['bob', 'watcher']);
    expect((await channelInfo(backend(), 'presence-room', 'user_count')).user_count).toBe(2);
  });

  it('sends member_removed when a member unsubscribes without disconnecting', async () => {
    const { port, backend } = await startServer();
    const watcher = await RawClient.established(port);
    await watcher.subscribe(
      'presence-room',
      backend().authorizeChannel(watcher.socketId, 'presence-room', { user_id: 'w' }),
    );
    const leaver = await RawClient.established(port);
    await leaver.subscribe(
      'presence-room',
      backend().authorizeChannel(leaver.socketId, 'presence-room', { user_id: 'l' }),
    );
    await watcher.waitFor('pusher_internal:member_added');
    leaver.send({ event: 'pusher:unsubscribe', data: { channel: 'presence-room' } });
    expect((await watcher.waitFor('pusher_internal:member_removed')).payload).toEqual({ user_id: 'l' });
    expect(leaver.ws.readyState).toBe(leaver.ws.OPEN);
  });

  it('refuses a third distinct user when max_presence_members_per_channel is 2, but not a second tab', async () => {
    const small: TestApp = { ...APP, max_presence_members_per_channel: 2 };
    const { port, backend } = await startServer({ apps: [small] });
    const joinAs = async (userId: string) => {
      const client = await RawClient.established(port);
      const from = client.mark();
      const reply = await client.subscribe(
        'presence-room',
        backend().authorizeChannel(client.socketId, 'presence-room', { user_id: userId }),
      );
      return { client, reply, from };
    };
    expect((await joinAs('a')).reply.event).toBe('pusher_internal:subscription_succeeded');
    expect((await joinAs('b')).reply.event).toBe('pusher_internal:subscription_succeeded');

    const third = await joinAs('c');
    expect(third.reply.event).toBe('pusher:subscription_error');
    const error = await third.client.waitFor('pusher:error', { from: third.from });
    expect(error.payload.code).toBe(4100);

    expect((await joinAs('a')).reply.event).toBe('pusher_internal:subscription_succeeded');
    expect(await userIds(backend(), 'presence-room')).toEqual(['a', 'b']);
  });

  it('refuses user_info larger than max_presence_member_size_in_kb and accepts a smaller one', async () => {
    const { port, backend } = await startServer(); // default: 1 KB
    const client = await RawClient.established(port);
    const from = client.mark();
    const big = backend().authorizeChannel(client.socketId, 'presence-room', {
      user_id: 'big',
      user_info: { blob: 'x'.repeat(1100) },
    });
    const reply = await client.subscribe('presence-room', big);
    expect(reply.event).toBe('pusher:subscription_error');
    const error = await client.waitFor('pusher:error', { from });
    expect(typeof error.payload.code).toBe('number');
    expect(error.payload.message).toMatch(/KB|large|size/i);
    expect(await userIds(backend(), 'presence-room')).toEqual([]);

    const small = backend().authorizeChannel(client.socketId, 'presence-room', {
      user_id: 'small',
      user_info: { blob: 'x'.repeat(900) },
    });
    expect((await client.subscribe('presence-room', small)).event).toBe(
      'pusher_internal:subscription_succeeded',
    );
  });

  it('honours a larger max_presence_member_size_in_kb', async () => {
    const roomy: TestApp = { ...APP, max_presence_member_size_in_kb: 4 };
    const { port, backend } = await startServer({ apps: [roomy] });
    const client = await RawClient.established(port);
    const signed = backend().authorizeChannel(client.socketId, 'presence-room', {
      user_id: 'u',
      user_info: { blob: 'x'.repeat(3000) },
    });
    expect((await client.subscribe('presence-room', signed)).event).toBe(
      'pusher_internal:subscription_succeeded',
    );
  });

  it('refuses a presence subscribe without channel_data, or with channel_data that was not signed', async () => {
    const { port, backend } = await startServer();
    const client = await RawClient.established(port);
    const signed = backend().authorizeChannel(client.socketId, 'presence-room', { user_id: 'u' });

    let from = client.mark();
    client.send({ event: 'pusher:subscribe', data: { channel: 'presence-room', auth: signed.auth } });
    expect((await client.waitFor('pusher:error', { from })).payload.code).toBe(4009);

    from = client.mark();
    client.send({
      event: 'pusher:subscribe',
      data: {
        channel: 'presence-room',
        auth: signed.auth,
        channel_data: JSON.stringify({ user_id: 'admin' }),
      },
    });
    expect((await client.waitFor('pusher:error', { from })).payload.code).toBe(4009);
    expect(client.all('pusher_internal:subscription_succeeded')).toEqual([]);
  });
});

describe('presence channel_data validation', () => {
  it.each([
    ['without user_id', { user_info: { name: 'x' } }],
    ['with an empty user_id', { user_id: '' }],
    ['with a user_id over 128 characters', { user_id: 'u'.repeat(129) }],
    ['with an object user_id', { user_id: { id: 1 } }],
  ])('refuses correctly signed channel_data %s', async (_, data) => {
    const { port, backend } = await startServer();
    const client = await RawClient.established(port);
    const channelData = JSON.stringify(data);
    // Signed by hand: the SDK itself would refuse some of these before signing.
    const { signChannelAuth } = await import('@sockudo/protocol');
    const auth = signChannelAuth(APP.key, APP.secret, client.socketId, 'presence-room', channelData);
    const from = client.mark();
    const reply = await client.subscribe('presence-room', { auth, channel_data: channelData });
    expect(reply.event).toBe('pusher:subscription_error');
    expect(typeof (await client.waitFor('pusher:error', { from })).payload.code).toBe('number');
    expect(await userIds(backend(), 'presence-room')).toEqual([]);
  });

  it('accepts a user_id of exactly 128 characters', async () => {
    const { port, backend } = await startServer();
    const client = await RawClient.established(port);
    const id = 'u'.repeat(128);
    const signed = backend().authorizeChannel(client.socketId, 'presence-room', { user_id: id });
    expect((await client.subscribe('presence-room', signed)).event).toBe(
      'pusher_internal:subscription_succeeded',
    );
    expect(await userIds(backend(), 'presence-room')).toEqual([id]);
  });
});

describe('encrypted channels', () => {
  it('lets pusher-js decrypt what the SDK encrypted', async () => {
    const { port, backend } = await startServer();
    const pusher = await connectPusherJs(port, { backend: backend() });
    const { channel } = await subscribed(pusher, 'private-encrypted-vault');
    const got = nextEvent(channel, 'secret');
    const payload = { pin: '1234', note: 'ünïcode ✓' };
    await backend().trigger('private-encrypted-vault', 'secret', payload);
    expect((await got).data).toEqual(payload);
  });

  it('relays only ciphertext and a nonce: the plaintext never crosses the server', async () => {
    const { port, backend } = await startServer();
    const client = await RawClient.established(port);
    const signed = backend().authorizeChannel(client.socketId, 'private-encrypted-vault');
    expect(signed.shared_secret).toEqual(expect.any(String));
    // The server must not need the shared secret: subscribe with auth only.
    const ack = await client.subscribe('private-encrypted-vault', { auth: signed.auth });
    expect(ack.event).toBe('pusher_internal:subscription_succeeded');

    await backend().trigger('private-encrypted-vault', 'secret', { pin: 'PLAINTEXT-1234' });
    const frame = await client.waitFor('secret');
    expect(frame.payload).toEqual({ ciphertext: expect.any(String), nonce: expect.any(String) });
    expect(Buffer.from(frame.payload.nonce, 'base64')).toHaveLength(24);
    expect(frame.raw).not.toContain('PLAINTEXT');
  });

  it('refuses an encrypted channel subscription without a valid signature', async () => {
    const { port } = await startServer();
    const client = await RawClient.established(port);
    const from = client.mark();
    expect((await client.subscribe('private-encrypted-vault', { auth: `${APP.key}:deadbeef` })).event).toBe(
      'pusher:subscription_error',
    );
    expect((await client.waitFor('pusher:error', { from })).payload.code).toBe(4009);
  });
});
