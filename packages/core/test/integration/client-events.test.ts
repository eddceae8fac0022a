// Client events (`client-*`): relayed between subscribers of private and presence channels, never
// echoed to the sender, refused with 4301 everywhere else, and limited per connection per second.

import { afterEach, describe, expect, it } from 'vitest';
import { connectPusherJs, nextEvent, RawClient, record, subscribed } from '../helpers/clients.js';
import { cleanupFeatures, featureApp, pusherErrors, rawSubscribe } from '../helpers/features.js';
import { startServer } from '../helpers/server.js';
import { waitUntil } from '../helpers/wait.js';

afterEach(cleanupFeatures);

type Backend = ReturnType<Awaited<ReturnType<typeof startServer>>['backend']>;

const enabled = () => featureApp({ enable_client_messages: true });

/** Two connected raw clients subscribed to `channel`, the node and its backend. */
async function rawPair(app = enabled(), channel = 'private-chat') {
  const node = await startServer({ apps: [app] });
  const backend = node.backend();
  const sender = await RawClient.established(node.port, app.key);
  const receiver = await RawClient.established(node.port, app.key);
  for (const client of [sender, receiver]) {
    const reply = await rawSubscribe(client, channel, backend, { user_id: `u-${client.socketId}` });
    expect(reply.event).toBe('pusher_internal:subscription_succeeded');
  }
  return { node, backend, sender, receiver, channel };
}

/**
 * A backend event triggered now must reach `client`: everything the node sent it before has arrived
 * by then. Returns the frames `client` got on `channel` named `name` up to that point.
 */
async function settle(client: RawClient, backend: Backend, channel: string, name: string) {
  const from = client.mark();
  const id = Math.random().toString(36).slice(2);
  await backend.trigger(channel, 'control', { id });
  await client.waitFor((f) => f.event === 'control' && f.payload.id === id, { channel, from });
  return client.all(name, channel);
}

describe('client events between pusher-js clients', () => {
  it('relays a client event on a private channel to the other subscriber and not back to the sender', async () => {
    const app = enabled();
    const { port, backend } = await startServer({ apps: [app] });
    const b = backend();
    const alice = await connectPusherJs(port, { key: app.key, backend: b });
    const bob = await connectPusherJs(port, { key: app.key, backend: b });
    const { channel: aliceChannel } = await subscribed(alice, 'private-chat');
    const { channel: bobChannel } = await subscribed(bob, 'private-chat');
    const echoed = record(aliceChannel, 'client-message');

    const received = nextEvent(bobChannel, 'client-message', 'client-message at bob');
    expect(aliceChannel.trigger('client-message', { text: 'hi bob' })).toBe(true);
    const { data, metadata } = await received;
    expect(data).toEqual({ text: 'hi bob' });
    expect(metadata?.user_id).toBeUndefined(); // only presence channels carry a user id

    // Not echoed: a backend event sent after bob got the client event reaches alice first.
    const control = nextEvent(aliceChannel, 'control', 'control at alice');
    await b.trigger('private-chat', 'control', {});
    await control;
    expect(echoed).toEqual([]);
  });

  it('relays on a presence channel with the sender user_id as metadata, not echoed', async () => {
    const app = enabled();
    const { port, backend } = await startServer({ apps: [app] });
    const b = backend();
    const alice = await connectPusherJs(port, {
      key: app.key,
      backend: b,
      user: { user_id: 'alice', user_info: { name: 'Alice' } },
    });
    const bob = await connectPusherJs(port, {
      key: app.key,
      backend: b,
      user: { user_id: 'bob', user_info: { name: 'Bob' } },
    });
    const { channel: aliceChannel } = await subscribed(alice, 'presence-room');
    const { channel: bobChannel } = await subscribed(bob, 'presence-room');
    const echoed = record(aliceChannel, 'client-typing');

    const received = nextEvent(bobChannel, 'client-typing', 'client-typing at bob');
    aliceChannel.trigger('client-typing', { typing: true });
    const { data, metadata } = await received;
    expect(data).toEqual({ typing: true });
    expect(metadata).toEqual({ user_id: 'alice' });

    // And the other way round, with bob's user id; alice never hears her own event.
    const back = nextEvent(aliceChannel, 'client-typing', 'client-typing at alice');
    bobChannel.trigger('client-typing', { typing: false });
    const reply = await back;
    expect(reply.metadata).toEqual({ user_id: 'bob' });
    expect(echoed).toEqual([{ typing: false }]);
  });

  it('puts user_id on the raw frame of a presence client event and does not echo it', async () => {
    const { backend, sender, receiver } = await rawPair(enabled(), 'presence-raw');
    const from = receiver.mark();
    sender.send({ event: 'client-ping', channel: 'presence-raw', data: { n: 1 } });
    const frame = await receiver.waitFor('client-ping', { channel: 'presence-raw', from });
    expect(frame.user_id).toBe(`u-${sender.socketId}`);
    expect(frame.payload).toEqual({ n: 1 });
    expect(await settle(sender, backend, 'presence-raw', 'client-ping')).toEqual([]);
  });
});

describe('client events that are refused with 4301', () => {
  it('refuses a client event on a public channel', async () => {
    const { backend, sender, receiver } = await rawPair(enabled(), 'public-chat');
    const from = sender.mark();
    sender.send({ event: 'client-message', channel: 'public-chat', data: { text: 'nope' } });
    const error = await sender.waitFor('pusher:error', { from });
    expect(error.payload.code).toBe(4301);
    expect(await settle(receiver, backend, 'public-chat', 'client-message')).toEqual([]);
    await sender.ping(); // the socket stays usable
  });

  it('refuses a client event from a socket that is not subscribed to the channel', async () => {
    const app = enabled();
    const { node, backend, receiver } = await rawPair(app, 'private-chat');
    const outsider = await RawClient.established(node.port, app.key);
    outsider.send({ event: 'client-message', channel: 'private-chat', data: { text: 'intruder' } });
    const error = await outsider.waitFor('pusher:error');
    expect(error.payload.code).toBe(4301);
    expect(await settle(receiver, backend, 'private-chat', 'client-message')).toEqual([]);
  });

  it('refuses a client event sent right after unsubscribing (messages are handled in order)', async () => {
    const { backend, sender, receiver } = await rawPair(enabled(), 'private-chat');
    // Both frames leave in one go: by protocol order the socket is no longer a subscriber.
    sender.send({ event: 'pusher:unsubscribe', data: { channel: 'private-chat' } });
    sender.send({ event: 'client-message', channel: 'private-chat', data: { text: 'gone' } });
    const leaked = await settle(receiver, backend, 'private-chat', 'client-message');
    await sender.ping(); // everything the node sent the sender has arrived
    expect(leaked).toEqual([]);
    expect(sender.all('pusher:error').map((f) => f.payload.code)).toEqual([4301]);
  });

  it('handles a socket’s messages in order: a client event sent right after subscribing is relayed', async () => {
    const app = enabled();
    const { node, backend, receiver } = await rawPair(app, 'private-chat');
    const late = await RawClient.established(node.port, app.key);
    const auth = backend.authorizeChannel(late.socketId, 'private-chat');
    // Both frames leave in one go, as when a client whispers as soon as it has joined.
    late.send({ event: 'pusher:subscribe', data: { channel: 'private-chat', auth: auth.auth } });
    late.send({ event: 'client-hello', channel: 'private-chat', data: { hi: true } });
    await late.waitFor('pusher_internal:subscription_succeeded');
    const relayed = await settle(receiver, backend, 'private-chat', 'client-hello');
    expect(late.all('pusher:error')).toEqual([]);
    expect(relayed.map((f) => f.payload)).toEqual([{ hi: true }]);
  });

  it('refuses client events when the app has not enabled them (the default)', async () => {
    const { backend, sender, receiver } = await rawPair(featureApp(), 'private-chat');
    sender.send({ event: 'client-message', channel: 'private-chat', data: { text: 'disabled' } });
    const error = await sender.waitFor('pusher:error');
    expect(error.payload.code).toBe(4301);
    expect(await settle(receiver, backend, 'private-chat', 'client-message')).toEqual([]);
  });

  it('refuses with enable_client_messages: false, reported to pusher-js as a 4301 error', async () => {
    const app = featureApp({ enable_client_messages: false });
    const { port, backend } = await startServer({ apps: [app] });
    const b = backend();
    const alice = await connectPusherJs(port, { key: app.key, backend: b });
    const bob = await connectPusherJs(port, { key: app.key, backend: b });
    const errors = pusherErrors(alice);
    const { channel: aliceChannel } = await subscribed(alice, 'private-off');
    const { channel: bobChannel } = await subscribed(bob, 'private-off');
    const leaked = record(bobChannel, 'client-message');
    aliceChannel.trigger('client-message', { text: 'x' });
    await waitUntil(() => errors.length > 0, 'pusher-js to report pusher:error');
    expect(errors[0]!.code).toBe(4301);
    const control = nextEvent(bobChannel, 'control');
    await b.trigger('private-off', 'control', {});
    await control;
    expect(leaked).toEqual([]);
    expect(alice.connection.state).toBe('connected');
  });
});

describe('client event rate limit (max_client_events_per_second)', () => {
  it('delivers up to the limit and refuses the next event in the same second with 4301', async () => {
    const app = featureApp({ enable_client_messages: true, max_client_events_per_second: 3 });
    const { backend, sender, receiver } = await rawPair(app, 'private-rate');
    const from = sender.mark();
    for (let n = 1; n <= 4; n++) sender.send({ event: 'client-n', channel: 'private-rate', data: { n } });

    const error = await sender.waitFor('pusher:error', { from });
    expect(error.payload.code).toBe(4301);
    expect(error.channel).toBe('private-rate');
    const delivered = await settle(receiver, backend, 'private-rate', 'client-n');
    expect(delivered.map((f) => f.payload.n)).toEqual([1, 2, 3]);
    await sender.ping(); // without terminate_on_limit the socket stays open
  });

  it('closes the socket with 4301 when terminate_on_limit is set', async () => {
    const app = featureApp({
      enable_client_messages: true,
      max_client_events_per_second: 3,
      terminate_on_limit: true,
    });
    const { sender, receiver, backend } = await rawPair(app, 'private-rate');
    for (let n = 1; n <= 4; n++) sender.send({ event: 'client-n', channel: 'private-rate', data: { n } });
    const closed = await sender.waitForClose();
    expect(closed.code).toBe(4301);
    expect(sender.all('pusher:error').map((f) => f.payload.code)).toEqual([4301]);
    const delivered = await settle(receiver, backend, 'private-rate', 'client-n');
    expect(delivered.map((f) => f.payload.n)).toEqual([1, 2, 3]);
  });

  it('reports the close to pusher-js as 4301 and it does not reconnect on its own', async () => {
    const app = featureApp({
      enable_client_messages: true,
      max_client_events_per_second: 3,
      terminate_on_limit: true,
    });
    const { port, backend } = await startServer({ apps: [app] });
    const alice = await connectPusherJs(port, { key: app.key, backend: backend() });
    const errors = pusherErrors(alice);
    const { channel } = await subscribed(alice, 'private-flood');
    for (let n = 1; n <= 5; n++) channel.trigger('client-flood', { n });
    await waitUntil(() => alice.connection.state !== 'connected', 'pusher-js to be disconnected');
    await waitUntil(() => errors.some((e) => e.code === 4301), 'pusher-js to report 4301');
    expect(['disconnected', 'failed']).toContain(alice.connection.state);
  });
});
