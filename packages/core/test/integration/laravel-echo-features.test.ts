// Laravel Echo v2 over pusher-js against the node: whispers (client events) on private and presence
// channels, presence here/joining/leaving, namespaced broadcast events, notifications, toOthers
// (socket_id exclusion), encrypted private channels and subscription errors.

import type PusherJs from 'pusher-js';
import { afterEach, describe, expect, it } from 'vitest';
import { echoReverb } from '../helpers/clients.js';
import { cleanupFeatures, featureApp, pusherErrors } from '../helpers/features.js';
import { signedRequest } from '../helpers/http.js';
import { startServer } from '../helpers/server.js';
import { waitUntil, withTimeout } from '../helpers/wait.js';

afterEach(cleanupFeatures);

/** Resolves on the first call of the returned callback, with its arguments. */
function once<T extends unknown[] = unknown[]>(
  what: string,
): { callback: (...args: T) => void; called: Promise<T> } {
  let resolve!: (args: T) => void;
  const called = withTimeout(new Promise<T>((r) => (resolve = r)), what);
  return { callback: (...args: T) => resolve(args), called };
}

async function node(settings: Record<string, unknown> = { enable_client_messages: true }) {
  const app = featureApp(settings);
  const server = await startServer({ apps: [app] });
  return { app, port: server.port, backend: server.backend() };
}

/** An Echo client for `app` whose presence identity is `user`. */
function echoFor(
  port: number,
  app: ReturnType<typeof featureApp>,
  backend: Awaited<ReturnType<typeof node>>['backend'],
  user?: { user_id: string; user_info?: Record<string, unknown> },
) {
  return echoReverb(port, { app, backend, ...(user ? { user } : {}) });
}

/** Waits until Echo's underlying pusher-js client is connected. */
async function connected(echo: ReturnType<typeof echoReverb>): Promise<void> {
  await waitUntil(() => echo.connectionStatus() === 'connected', 'Echo to connect');
}

describe('whisper / listenForWhisper', () => {
  it('delivers a whisper on a private channel to the other client and not back to the sender', async () => {
    const { app, port, backend } = await node();
    const alice = echoFor(port, app, backend);
    const bob = echoFor(port, app, backend);
    const aliceSub = once('alice subscribed');
    const bobSub = once('bob subscribed');
    const aliceHeard: unknown[] = [];
    const aliceChannel = alice
      .private('chat.1')
      .subscribed(aliceSub.callback)
      .listenForWhisper('typing', (d: unknown) => aliceHeard.push(d));
    const bobTyping = once<[unknown]>('bob to hear the whisper');
    bob.private('chat.1').subscribed(bobSub.callback).listenForWhisper('typing', bobTyping.callback);
    await Promise.all([aliceSub.called, bobSub.called]);

    aliceChannel.whisper('typing', { name: 'Alice' });
    const [data] = await bobTyping.called;
    expect(data).toEqual({ name: 'Alice' });

    // Control: a broadcast sent now reaches alice after anything echoed would have.
    const control = once('alice to get the control event');
    aliceChannel.listen('.control', control.callback);
    await backend.trigger('private-chat.1', 'control', {});
    await control.called;
    expect(aliceHeard).toEqual([]);
  });

  it('carries the whisperer’s user_id on a presence channel', async () => {
    const { app, port, backend } = await node();
    const alice = echoFor(port, app, backend, { user_id: 'alice', user_info: { name: 'Alice' } });
    const bob = echoFor(port, app, backend, { user_id: 'bob', user_info: { name: 'Bob' } });
    const aliceHere = once('alice here');
    const bobHere = once('bob here');
    const aliceRoom = alice.join('room.7').here(aliceHere.callback);
    const heard = once<[unknown, { user_id?: string }]>('bob to hear the whisper');
    bob.join('room.7').here(bobHere.callback).listenForWhisper('wave', heard.callback);
    await Promise.all([aliceHere.called, bobHere.called]);
    aliceRoom.whisper('wave', { hello: true });
    const [data, metadata] = await heard.called;
    expect(data).toEqual({ hello: true });
    expect(metadata).toEqual({ user_id: 'alice' });
  });

  it('reports the refusal when the app has client events disabled, and the whisper is not delivered', async () => {
    const { app, port, backend } = await node({ enable_client_messages: false });
    const alice = echoFor(port, app, backend);
    const bob = echoFor(port, app, backend);
    const aliceSub = once('alice subscribed');
    const bobSub = once('bob subscribed');
    const channel = alice.private('quiet').subscribed(aliceSub.callback);
    const heard: unknown[] = [];
    const bobChannel = bob
      .private('quiet')
      .subscribed(bobSub.callback)
      .listenForWhisper('typing', (d: unknown) => heard.push(d));
    await Promise.all([aliceSub.called, bobSub.called]);
    const errors = pusherErrors((alice.connector as unknown as { pusher: PusherJs }).pusher);
    channel.whisper('typing', { name: 'Alice' });
    await waitUntil(() => errors.length > 0, 'a pusher:error for the whisper');
    expect(errors[0]!.code).toBe(4301);
    const control = once('bob to get the control event');
    bobChannel.listen('.control', control.callback);
    await backend.trigger('private-quiet', 'control', {});
    await control.called;
    expect(heard).toEqual([]);
  });
});

describe('presence here / joining / leaving', () => {
  it('lists members in here(), then reports joining and leaving users once', async () => {
    const { app, port, backend } = await node();
    const alice = echoFor(port, app, backend, { user_id: 'alice', user_info: { name: 'Alice' } });
    const aliceHere = once<[unknown[]]>('alice here');
    const joined: unknown[] = [];
    const left: unknown[] = [];
    alice
      .join('lobby')
      .here(aliceHere.callback)
      .joining((user: unknown) => joined.push(user))
      .leaving((user: unknown) => left.push(user));
    expect((await aliceHere.called)[0]).toEqual([{ name: 'Alice' }]);

    const bob = echoFor(port, app, backend, { user_id: 'bob', user_info: { name: 'Bob' } });
    const bobHere = once<[unknown[]]>('bob here');
    bob.join('lobby').here(bobHere.callback);
    const members = (await bobHere.called)[0] as Array<{ name: string }>;
    expect(members.map((m) => m.name).sort()).toEqual(['Alice', 'Bob']);
    await waitUntil(() => joined.length === 1, 'alice to see bob joining');
    expect(joined).toEqual([{ name: 'Bob' }]);

    // A second tab of bob: no second "joining"; closing one tab: no "leaving".
    const bobTab2 = echoFor(port, app, backend, { user_id: 'bob', user_info: { name: 'Bob' } });
    const tab2Here = once('bob tab 2 here');
    bobTab2.join('lobby').here(tab2Here.callback);
    await tab2Here.called;
    bobTab2.leave('lobby');
    await waitUntil(async () => {
      const res = await signedRequest(port, {
        app,
        path: '/channels/presence-lobby',
        params: { info: 'subscription_count' },
      });
      return res.json?.subscription_count === 2;
    }, 'the server to process bob tab 2 leaving');
    // Control: carol joins after that; a "leaving" for bob would have reached alice first.
    const carol = echoFor(port, app, backend, { user_id: 'carol', user_info: { name: 'Carol' } });
    carol.join('lobby');
    await waitUntil(() => joined.length === 2, 'alice to see carol joining');
    expect(joined).toEqual([{ name: 'Bob' }, { name: 'Carol' }]);
    expect(left).toEqual([]);

    bob.leave('lobby');
    await waitUntil(() => left.length === 1, 'alice to see bob leaving');
    expect(left).toEqual([{ name: 'Bob' }]);
  });
});

describe('broadcast events', () => {
  it('listens to namespaced Laravel events and to dot-prefixed custom names', async () => {
    const { app, port, backend } = await node();
    const echo = echoFor(port, app, backend);
    await connected(echo);
    const sub = once('subscribed');
    const shipped = once<[unknown]>('OrderShipped');
    const custom = once<[unknown]>('.status.updated');
    echo
      .private('orders.42')
      .subscribed(sub.callback)
      .listen('OrderShipped', shipped.callback)
      .listen('.status.updated', custom.callback);
    await sub.called;
    await backend.trigger('private-orders.42', 'App\\Events\\OrderShipped', { order: { id: 42 } });
    await backend.trigger('private-orders.42', 'status.updated', { status: 'shipped' });
    expect((await shipped.called)[0]).toEqual({ order: { id: 42 } });
    expect((await custom.called)[0]).toEqual({ status: 'shipped' });
  });

  it('receives notifications on the user’s private channel', async () => {
    const { app, port, backend } = await node();
    const echo = echoFor(port, app, backend);
    const sub = once('subscribed');
    const note = once<[unknown]>('notification');
    echo.private('App.Models.User.1').subscribed(sub.callback).notification(note.callback);
    await sub.called;
    await backend.trigger(
      'private-App.Models.User.1',
      'Illuminate\\Notifications\\Events\\BroadcastNotificationCreated',
      { id: 'n1', type: 'App\\Notifications\\InvoicePaid', amount: 10 },
    );
    expect((await note.called)[0]).toMatchObject({ id: 'n1', amount: 10 });
  });

  it('honours toOthers(): a trigger with the sender’s socket id skips that Echo client only', async () => {
    const { app, port, backend } = await node();
    const sender = echoFor(port, app, backend);
    const other = echoFor(port, app, backend);
    const senderSub = once('sender subscribed');
    const otherSub = once('other subscribed');
    const senderGot: unknown[] = [];
    sender
      .channel('feed')
      .subscribed(senderSub.callback)
      .listen('.post', (d: unknown) => senderGot.push(d));
    const otherGot = once<[unknown]>('other to get the post');
    other.channel('feed').subscribed(otherSub.callback).listen('.post', otherGot.callback);
    await Promise.all([senderSub.called, otherSub.called]);

    const socketId = sender.socketId();
    expect(socketId).toMatch(/^\d+\.\d+$/);
    await backend.trigger('feed', 'post', { text: 'hello' }, { socket_id: socketId });
    expect((await otherGot.called)[0]).toEqual({ text: 'hello' });
    const control = once('sender to get the control event');
    sender.channel('feed').listen('.control', control.callback);
    await backend.trigger('feed', 'control', {});
    await control.called;
    expect(senderGot).toEqual([]);
  });

  it('decrypts events on an encrypted private channel', async () => {
    const { app, port, backend } = await node();
    const echo = echoFor(port, app, backend);
    const sub = once('subscribed');
    const got = once<[unknown]>('secret');
    echo.encryptedPrivate('vault').subscribed(sub.callback).listen('.secret', got.callback);
    await sub.called;
    await backend.trigger('private-encrypted-vault', 'secret', { pin: '0000' });
    expect((await got.called)[0]).toEqual({ pin: '0000' });
  });

  it('calls error() when the channel authorization is refused', async () => {
    const { app, port, backend } = await node();
    const echo = echoReverb(port, {
      app,
      backend,
      authorize: () => ({ auth: `${app.key}:${'0'.repeat(64)}` }), // a wrong signature
    });
    const failed = once<[unknown]>('error() callback');
    const subscribedCalls: unknown[] = [];
    echo
      .private('forbidden')
      .subscribed(() => subscribedCalls.push(1))
      .error(failed.callback);
    const [error] = await failed.called;
    expect(error).toBeTruthy();
    expect(subscribedCalls).toEqual([]);
  });
});
