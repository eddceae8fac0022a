// Client events (`client-*`) between subscribers: who receives them, who does not, and every reason
// the node refuses one (code 4301).

import { afterEach, describe, expect, it } from 'vitest';
import { cleanup } from '../helpers/cleanup.js';
import { connectPusherJs, nextEvent, RawClient, record, subscribed } from '../helpers/clients.js';
import { APP, startServer, type TestApp } from '../helpers/server.js';

afterEach(cleanup);

const CHATTY: TestApp = { ...APP, enable_client_messages: true };

type Backend = ReturnType<Awaited<ReturnType<typeof startServer>>['backend']>;

async function rawSubscriber(
  port: number,
  backend: Backend,
  channel: string,
  userId = 'u',
): Promise<RawClient> {
  const client = await RawClient.established(port);
  const presence = channel.startsWith('presence-') ? { user_id: userId } : undefined;
  const signed =
    channel.startsWith('private-') || channel.startsWith('presence-')
      ? backend.authorizeChannel(client.socketId, channel, presence)
      : undefined;
  const ack = await client.subscribe(channel, signed);
  expect(ack.event).toBe('pusher_internal:subscription_succeeded');
  return client;
}

/** Sends a backend marker and waits for it, so everything sent to `client` before it has arrived. */
async function flush(client: RawClient, backend: Backend, channel: string): Promise<void> {
  const from = client.mark();
  const id = Math.random().toString(36).slice(2);
  await backend.trigger(channel, 'marker', { id });
  await client.waitFor((f) => f.event === 'marker' && f.payload.id === id, { from });
}

describe('client events', () => {
  it('delivers a client event on a private channel to the other subscriber and not back to the sender', async () => {
    const { port, backend } = await startServer({ apps: [CHATTY] });
    const alice = await connectPusherJs(port, { backend: backend() });
    const bob = await connectPusherJs(port, { backend: backend() });
    const { channel: aliceChat } = await subscribed(alice, 'private-chat');
    const { channel: bobChat } = await subscribed(bob, 'private-chat');
    const echoed = record(aliceChat, 'client-typing');
    const heard = nextEvent(bobChat, 'client-typing');

    expect(aliceChat.trigger('client-typing', { who: 'alice', text: 'héllo' })).toBe(true);
    const { data, metadata } = await heard;
    expect(data).toEqual({ who: 'alice', text: 'héllo' });
    expect(metadata?.user_id).toBeUndefined(); // user_id only on presence channels

    const marker = nextEvent(aliceChat, 'marker');
    await backend().trigger('private-chat', 'marker', {});
    await marker;
    expect(echoed).toEqual([]);
  });

  it('adds the sender user_id on a presence channel', async () => {
    const { port, backend } = await startServer({ apps: [CHATTY] });
    const alice = await connectPusherJs(port, { backend: backend(), user: { user_id: 'alice' } });
    const bob = await connectPusherJs(port, { backend: backend(), user: { user_id: 'bob' } });
    const { channel: aliceRoom } = await subscribed(alice, 'presence-room');
    const { channel: bobRoom } = await subscribed(bob, 'presence-room');
    const raw = await rawSubscriber(port, backend(), 'presence-room', 'carol');

    const heard = nextEvent(bobRoom, 'client-wave');
    aliceRoom.trigger('client-wave', { hi: true });
    const { data, metadata } = await heard;
    expect(data).toEqual({ hi: true });
    expect(metadata.user_id).toBe('alice');

    const frame = await raw.waitFor('client-wave');
    expect(frame.user_id).toBe('alice');
    expect(frame.channel).toBe('presence-room');
    expect(frame.payload).toEqual({ hi: true });
  });

  it('forwards a raw client event exactly as the sender wrote its data', async () => {
    const { port, backend } = await startServer({ apps: [CHATTY] });
    const sender = await rawSubscriber(port, backend(), 'private-chat');
    const receiver = await rawSubscriber(port, backend(), 'private-chat');
    sender.send({ event: 'client-obj', channel: 'private-chat', data: { a: [1, 2] } });
    sender.send({ event: 'client-str', channel: 'private-chat', data: 'plain' });
    expect((await receiver.waitFor('client-obj')).payload).toEqual({ a: [1, 2] });
    expect((await receiver.waitFor('client-str')).payload).toBe('plain');
    await flush(sender, backend(), 'private-chat');
    expect(sender.all((f) => f.event.startsWith('client-'))).toEqual([]);
    expect(sender.all('pusher:error')).toEqual([]);
  });

  it('refuses client events with 4301 when the app has not enabled them', async () => {
    const { port, backend } = await startServer(); // enable_client_messages defaults to false
    const sender = await rawSubscriber(port, backend(), 'private-chat');
    const receiver = await rawSubscriber(port, backend(), 'private-chat');
    const from = sender.mark();
    sender.send({ event: 'client-typing', channel: 'private-chat', data: {} });
    expect((await sender.waitFor('pusher:error', { from })).payload.code).toBe(4301);

    await flush(receiver, backend(), 'private-chat');
    expect(receiver.all('client-typing')).toEqual([]);
  });

  it('refuses client events on a public channel with 4301', async () => {
    const { port, backend } = await startServer({ apps: [CHATTY] });
    const sender = await rawSubscriber(port, backend(), 'lobby');
    const receiver = await rawSubscriber(port, backend(), 'lobby');
    const from = sender.mark();
    sender.send({ event: 'client-typing', channel: 'lobby', data: {} });
    expect((await sender.waitFor('pusher:error', { from })).payload.code).toBe(4301);

    await flush(receiver, backend(), 'lobby');
    expect(receiver.all('client-typing')).toEqual([]);
  });

  it('refuses client events on a channel the sender has not subscribed to with 4301', async () => {
    const { port, backend } = await startServer({ apps: [CHATTY] });
    const outsider = await RawClient.established(port);
    const receiver = await rawSubscriber(port, backend(), 'private-chat');
    const from = outsider.mark();
    outsider.send({ event: 'client-typing', channel: 'private-chat', data: { spoofed: true } });
    expect((await outsider.waitFor('pusher:error', { from })).payload.code).toBe(4301);

    await flush(receiver, backend(), 'private-chat');
    expect(receiver.all('client-typing')).toEqual([]);
  });

  it('refuses client events after a failed (unauthorised) subscription with 4301', async () => {
    const { port, backend } = await startServer({ apps: [CHATTY] });
    const intruder = await RawClient.established(port);
    const reply = await intruder.subscribe('private-chat', { auth: `${APP.key}:${'0'.repeat(64)}` });
    expect(reply.event).toBe('pusher:subscription_error');
    const receiver = await rawSubscriber(port, backend(), 'private-chat');
    const from = intruder.mark();
    intruder.send({ event: 'client-typing', channel: 'private-chat', data: {} });
    expect((await intruder.waitFor('pusher:error', { from })).payload.code).toBe(4301);
    await flush(receiver, backend(), 'private-chat');
    expect(receiver.all('client-typing')).toEqual([]);
  });

  it('refuses client event data over 10 KB with 4301', async () => {
    const { port, backend } = await startServer({ apps: [CHATTY] });
    const sender = await rawSubscriber(port, backend(), 'private-chat');
    const receiver = await rawSubscriber(port, backend(), 'private-chat');
    const from = sender.mark();
    sender.send({ event: 'client-big', channel: 'private-chat', data: { blob: 'x'.repeat(11 * 1024) } });
    expect((await sender.waitFor('pusher:error', { from })).payload.code).toBe(4301);
    await flush(receiver, backend(), 'private-chat');
    expect(receiver.all('client-big')).toEqual([]);
  });

  it('rejects the 11th client event within a second with 4301 and delivers the first 10', async () => {
    const { port, backend } = await startServer({ apps: [CHATTY] });
    const sender = await rawSubscriber(port, backend(), 'private-chat');
    const receiver = await rawSubscriber(port, backend(), 'private-chat');
    const from = sender.mark();
    for (let i = 1; i <= 11; i++)
      sender.send({ event: 'client-burst', channel: 'private-chat', data: { i } });

    const error = await sender.waitFor('pusher:error', { from });
    expect(error.payload.code).toBe(4301);
    await flush(receiver, backend(), 'private-chat');
    await flush(sender, backend(), 'private-chat');
    expect(receiver.all('client-burst').map((f) => f.payload.i)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(sender.all('pusher:error')).toHaveLength(1);
    expect(sender.ws.readyState).toBe(sender.ws.OPEN); // rejected, not disconnected
  });

  it('closes the socket with 4301 over the limit when terminate_on_limit is set', async () => {
    const strict: TestApp = { ...CHATTY, max_client_events_per_second: 2, terminate_on_limit: true };
    const { port, backend } = await startServer({ apps: [strict] });
    const sender = await rawSubscriber(port, backend(), 'private-chat');
    const receiver = await rawSubscriber(port, backend(), 'private-chat');
    for (let i = 1; i <= 3; i++) sender.send({ event: 'client-burst', channel: 'private-chat', data: { i } });
    expect((await sender.waitForClose()).code).toBe(4301);
    await flush(receiver, backend(), 'private-chat');
    expect(receiver.all('client-burst').map((f) => f.payload.i)).toEqual([1, 2]);
  });
});
