// Laravel Echo (v2) against the node, the way a Laravel front end uses it: public, private and presence
// channels, event-name namespacing, whispers and `toOthers()`-style exclusion.

import { afterEach, describe, expect, it } from 'vitest';
import { cleanup } from '../helpers/cleanup.js';
import { connectPusherJs, echoOver, echoReverb, waitForState } from '../helpers/clients.js';
import { APP, createBackend, startServer, type TestApp } from '../helpers/server.js';
import { waitUntil, withTimeout } from '../helpers/wait.js';

afterEach(cleanup);

/** Resolves with the first value passed to the callback that `register` installs. */
function firstCall<T>(register: (callback: (value: T) => void) => void, what: string): Promise<T> {
  return withTimeout(new Promise<T>((resolve) => register(resolve)), what);
}

/** Echo subscribes lazily; this resolves once the channel's subscription succeeded. */
function subscribedEcho(
  channel: { subscribed(cb: () => void): unknown; error(cb: (e: unknown) => void): unknown },
  name: string,
) {
  return withTimeout(
    new Promise<void>((resolve, reject) => {
      channel.subscribed(() => resolve());
      channel.error((error) => reject(new Error(`${name}: ${JSON.stringify(error)}`)));
    }),
    `Echo to subscribe to ${name}`,
  );
}

describe('Laravel Echo', () => {
  it('receives a backend event on a public channel with listen(".name")', async () => {
    const { port, backend } = await startServer();
    const echo = echoOver(await connectPusherJs(port));
    const channel = echo.channel('orders');
    const received = firstCall<unknown>((cb) => channel.listen('.order.shipped', cb), '.order.shipped');
    await subscribedEcho(channel, 'orders');

    await backend().trigger('orders', 'order.shipped', { id: 1, total: 9.5 });
    expect(await received).toEqual({ id: 1, total: 9.5 });
  });

  it('prefixes an event name without a dot with the App.Events namespace', async () => {
    const { port, backend } = await startServer();
    const echo = echoOver(await connectPusherJs(port));
    const channel = echo.channel('orders');
    const received = firstCall<unknown>((cb) => channel.listen('OrderShipped', cb), 'OrderShipped');
    await subscribedEcho(channel, 'orders');

    await backend().trigger('orders', 'App\\Events\\OrderShipped', { id: 2 });
    expect(await received).toEqual({ id: 2 });
  });

  it('authorises and receives on a private channel', async () => {
    const { port, backend } = await startServer();
    const echo = echoOver(await connectPusherJs(port, { backend: backend() }));
    const channel = echo.private('user.7');
    const received = firstCall<unknown>((cb) => channel.listen('.balance.updated', cb), '.balance.updated');
    await subscribedEcho(channel, 'private-user.7');

    await backend().trigger('private-user.7', 'balance.updated', { balance: 100 });
    expect(await received).toEqual({ balance: 100 });
  });

  it("reports a refused private channel through Echo's error() callback", async () => {
    const { port } = await startServer();
    const forger = createBackend(port, { ...APP, secret: 'wrong' });
    const echo = echoOver(
      await connectPusherJs(port, { authorize: (socketId, name) => forger.authorizeChannel(socketId, name) }),
    );
    const channel = echo.private('user.7');
    const error = await firstCall<any>((cb) => channel.error(cb), 'the error callback');
    expect(error).toMatchObject({ status: 401 });
  });

  it('leaves out the sender when the backend passes its socketId (broadcast()->toOthers())', async () => {
    const { port, backend } = await startServer();
    const sender = echoOver(await connectPusherJs(port));
    const other = echoOver(await connectPusherJs(port));
    const senderEvents: unknown[] = [];
    const senderChannel = sender.channel('feed').listen('.posted', (e: unknown) => senderEvents.push(e));
    const otherChannel = other.channel('feed');
    const received = firstCall<unknown>((cb) => otherChannel.listen('.posted', cb), 'the other client');
    await subscribedEcho(senderChannel, 'feed');
    await subscribedEcho(otherChannel, 'feed');

    await backend().trigger('feed', 'posted', { text: 'hi' }, { socket_id: sender.socketId() });
    expect(await received).toEqual({ text: 'hi' });
    const marker = firstCall<unknown>((cb) => senderChannel.listen('.marker', cb), 'the marker');
    await backend().trigger('feed', 'marker', {});
    await marker;
    expect(senderEvents).toEqual([]);
  });

  it('tracks presence with join().here().joining().leaving() across two clients', async () => {
    const { port, backend } = await startServer();
    const alice = echoReverb(port, {
      backend: backend(),
      user: { user_id: '1', user_info: { id: 1, name: 'Alice' } },
    });
    const aliceRoom = alice.join('chat.1');
    const aliceHere = firstCall<any[]>((cb) => aliceRoom.here(cb), "alice's here()");
    const joining = firstCall<any>((cb) => aliceRoom.joining(cb), "alice's joining()");
    const leaving = firstCall<any>((cb) => aliceRoom.leaving(cb), "alice's leaving()");
    expect(await aliceHere).toEqual([{ id: 1, name: 'Alice' }]);

    const bob = echoReverb(port, {
      backend: backend(),
      user: { user_id: '2', user_info: { id: 2, name: 'Bob' } },
    });
    const bobHere = firstCall<any[]>((cb) => bob.join('chat.1').here(cb), "bob's here()");
    const seenByBob = (await bobHere).sort((x, y) => x.id - y.id);
    expect(seenByBob).toEqual([
      { id: 1, name: 'Alice' },
      { id: 2, name: 'Bob' },
    ]);
    expect(await joining).toEqual({ id: 2, name: 'Bob' });

    bob.leave('chat.1');
    expect(await leaving).toEqual({ id: 2, name: 'Bob' });
  });

  it('reports leaving() when a member disconnects entirely', async () => {
    const { port, backend } = await startServer();
    const alice = echoReverb(port, {
      backend: backend(),
      user: { user_id: '1', user_info: { name: 'Alice' } },
    });
    const room = alice.join('room');
    await firstCall((cb) => room.here(cb), 'here()');
    const bob = echoReverb(port, { backend: backend(), user: { user_id: '2', user_info: { name: 'Bob' } } });
    const joined = firstCall<any>((cb) => room.joining(cb), 'joining()');
    bob.join('room');
    expect(await joined).toEqual({ name: 'Bob' });

    const left = firstCall<any>((cb) => room.leaving(cb), 'leaving()');
    bob.disconnect();
    expect(await left).toEqual({ name: 'Bob' });
  });

  it('delivers whispers (client events) to other members but not back to the whisperer', async () => {
    const chatty: TestApp = { ...APP, enable_client_messages: true };
    const { port, backend } = await startServer({ apps: [chatty] });
    const alice = echoReverb(port, { backend: backend(), user: { user_id: 'a' } });
    const bob = echoReverb(port, { backend: backend(), user: { user_id: 'b' } });
    const aliceRoom = alice.join('typing');
    const bobRoom = bob.join('typing');
    await firstCall((cb) => aliceRoom.here(cb), "alice's here()");
    await firstCall((cb) => bobRoom.here(cb), "bob's here()");
    const aliceHeard: unknown[] = [];
    aliceRoom.listenForWhisper('typing', (e: unknown) => aliceHeard.push(e));
    const bobHeard = firstCall<unknown>((cb) => bobRoom.listenForWhisper('typing', cb), "bob's whisper");

    aliceRoom.whisper('typing', { name: 'Alice' });
    expect(await bobHeard).toEqual({ name: 'Alice' });
    const marker = firstCall<unknown>((cb) => aliceRoom.listen('.marker', cb), 'the marker');
    await backend().trigger('presence-typing', 'marker', {});
    await marker;
    expect(aliceHeard).toEqual([]);
  });

  it('reports the connection status', async () => {
    const { port } = await startServer();
    const echo = echoReverb(port);
    await waitUntil(() => echo.connectionStatus() === 'connected', 'Echo to report "connected"');
    expect(echo.socketId()).toMatch(/^\d+\.\d+$/);
    echo.disconnect();
    await waitForState((echo.connector as any).pusher, 'disconnected');
    expect(echo.connectionStatus()).toBe('disconnected');
  });
});
