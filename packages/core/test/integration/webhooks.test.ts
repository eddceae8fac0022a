// Webhooks, received by a real node:http server: every event kind with Pusher's body and signature,
// custom headers, per-webhook `event_types` and channel `filter`, and the internal channels that send
// none. Batching, the leave delay and retries are in webhook-delivery.test.ts.

import { afterEach, describe, expect, it } from 'vitest';
import { connectPusherJs, RawClient, subscribed } from '../helpers/clients.js';
import {
  cleanupFeatures,
  connectAs,
  featureApp,
  pusherMessages,
  rawSubscribe,
  WebhookReceiver,
  waitForConnectionCount,
} from '../helpers/features.js';
import { startServer } from '../helpers/server.js';
import { waitUntil } from '../helpers/wait.js';
import { control, expectSigned, PLAIN, startWithWebhooks } from '../helpers/webhooks.js';

afterEach(cleanupFeatures);

describe('webhook events, bodies and signatures', () => {
  it('sends channel_occupied and channel_vacated, signed with X-Pusher-Signature and X-Pusher-Key', async () => {
    const { receiver, app, node, backend } = await startWithWebhooks([{}]);
    const client = await RawClient.established(node.port, app.key);
    await client.subscribe('lobby');
    const occupied = await receiver.waitForEvent('channel_occupied', 'lobby');
    client.send({ event: 'pusher:unsubscribe', data: { channel: 'lobby' } });
    const vacated = await receiver.waitForEvent('channel_vacated', 'lobby');

    expect({ ...occupied, request: undefined }).toEqual({
      name: 'channel_occupied',
      channel: 'lobby',
      request: undefined,
    });
    expect({ ...vacated, request: undefined }).toEqual({
      name: 'channel_vacated',
      channel: 'lobby',
      request: undefined,
    });
    for (const request of receiver.requests) {
      expectSigned(request, app, backend);
      expect(request.body.events).toHaveLength(1); // batching off: one event per request
    }
    expect(receiver.requests.map((r) => r.body.events[0]!.name)).toEqual([
      'channel_occupied',
      'channel_vacated',
    ]);
  });

  it('sends member_added for a user’s first socket and member_removed after the last one leaves', async () => {
    const { receiver, app, node, backend } = await startWithWebhooks([
      { event_types: ['member_added', 'member_removed'] },
    ]);
    const tab1 = await RawClient.established(node.port, app.key);
    const tab2 = await RawClient.established(node.port, app.key);
    const other = await RawClient.established(node.port, app.key);
    await rawSubscribe(tab1, 'presence-team', backend, { user_id: 'alice' });
    await rawSubscribe(tab2, 'presence-team', backend, { user_id: 'alice' });
    await receiver.waitForEvent('member_added', 'presence-team');

    tab1.close();
    await waitForConnectionCount(node.port, 2); // tab1's close fully processed
    // Bob joining is the control: alice's first tab leaving must not have produced member_removed.
    await rawSubscribe(other, 'presence-team', backend, { user_id: 'bob' });
    await receiver.until(() => receiver.find('member_added').length === 2, 'member_added for bob');
    expect(receiver.find('member_removed')).toEqual([]);

    tab2.close();
    const removed = await receiver.waitForEvent('member_removed', 'presence-team');
    const added = receiver.find('member_added');
    expect(added.map(({ request: _, ...e }) => e)).toEqual([
      { name: 'member_added', channel: 'presence-team', user_id: 'alice' },
      { name: 'member_added', channel: 'presence-team', user_id: 'bob' },
    ]);
    const { request: _, ...removedEvent } = removed;
    expect(removedEvent).toEqual({ name: 'member_removed', channel: 'presence-team', user_id: 'alice' });
    for (const request of receiver.requests) expectSigned(request, app, backend);
  });

  it('sends client_event with channel, event, data (a JSON string, as Pusher sends it), socket_id and, on presence, user_id', async () => {
    const { receiver, app, node, backend } = await startWithWebhooks([{ event_types: ['client_event'] }]);
    const sender = await RawClient.established(node.port, app.key);
    const peer = await RawClient.established(node.port, app.key);
    for (const c of [sender, peer]) {
      await rawSubscribe(c, 'private-notes', backend);
      await rawSubscribe(c, 'presence-notes', backend, { user_id: `user-${c.socketId}` });
    }
    sender.send({ event: 'client-scribble', channel: 'private-notes', data: { x: 1 } });
    const onPrivate = await receiver.waitForEvent('client_event', 'private-notes');
    sender.send({ event: 'client-scribble', channel: 'presence-notes', data: { x: 2 } });
    const onPresence = await receiver.waitForEvent('client_event', 'presence-notes');

    const { request: _a, ...privateEvent } = onPrivate;
    expect(privateEvent).toEqual({
      name: 'client_event',
      channel: 'private-notes',
      event: 'client-scribble',
      data: expect.any(String),
      socket_id: sender.socketId,
    });
    const { request: _b, ...presenceEvent } = onPresence;
    expect(presenceEvent).toEqual({
      name: 'client_event',
      channel: 'presence-notes',
      event: 'client-scribble',
      data: expect.any(String),
      socket_id: sender.socketId,
      user_id: `user-${sender.socketId}`,
    });
    expect(JSON.parse(onPrivate.data as string)).toEqual({ x: 1 });
    expect(JSON.parse(onPresence.data as string)).toEqual({ x: 2 });
    for (const request of receiver.requests) expectSigned(request, app, backend);
  });

  it('does not send client_event for a refused client event', async () => {
    const { receiver, app, node } = await startWithWebhooks([
      { event_types: ['client_event', 'channel_occupied'] },
    ]);
    const sender = await RawClient.established(node.port, app.key);
    await sender.subscribe('public-room');
    sender.send({ event: 'client-scribble', channel: 'public-room', data: {} }); // public: refused
    await sender.waitFor('pusher:error');
    await control(sender, receiver);
    expect(receiver.find('client_event')).toEqual([]);
  });

  it('sends one cache_miss for several clients missing the same cache channel at once', async () => {
    const { receiver, app, node, backend } = await startWithWebhooks([
      { event_types: ['cache_miss', 'channel_occupied'] },
    ]);
    const a = await RawClient.established(node.port, app.key);
    const b = await RawClient.established(node.port, app.key);
    await Promise.all([a.subscribe('cache-empty'), b.subscribe('cache-empty')]);
    await a.waitFor('pusher:cache_miss');
    await b.waitFor('pusher:cache_miss');
    const miss = await receiver.waitForEvent('cache_miss', 'cache-empty');
    const { request: _, ...event } = miss;
    expect(event).toEqual({ name: 'cache_miss', channel: 'cache-empty' });
    await control(a, receiver);
    expect(receiver.find('cache_miss')).toHaveLength(1);
    for (const request of receiver.requests) expectSigned(request, app, backend);
  });

  it('sends no cache_miss when the cache channel has an event', async () => {
    const { receiver, app, node, backend } = await startWithWebhooks([
      { event_types: ['cache_miss', 'channel_occupied'] },
    ]);
    await backend.trigger('cache-full', 'stored', {});
    const a = await RawClient.established(node.port, app.key);
    await a.subscribe('cache-full');
    await a.waitFor('stored');
    await control(a, receiver);
    expect(receiver.find('cache_miss')).toEqual([]);
  });

  it('sends subscription_count only to webhooks that list it in event_types, and not for presence channels', async () => {
    const counts = await WebhookReceiver.start();
    const everything = await WebhookReceiver.start();
    const app = featureApp({
      webhooks: [
        { url: counts.url, event_types: ['subscription_count', 'channel_occupied'] },
        { url: everything.url }, // no event_types: every event except subscription_count
      ],
    });
    const { port, backend } = await startServer({ apps: [app], webhooks: PLAIN });
    const b = backend();
    const one = await RawClient.established(port, app.key);
    const two = await RawClient.established(port, app.key);
    await one.subscribe('stadium');
    await two.subscribe('stadium');
    await counts.until(
      () => counts.find('subscription_count', 'stadium').length >= 2,
      'two subscription_count',
    );
    // Requests may overlap (the queue delivers concurrently), so compare in count order.
    const stadiumCounts = counts
      .find('subscription_count', 'stadium')
      .map(({ request: _, ...e }) => e)
      .sort((a, b) => Number(a.subscription_count) - Number(b.subscription_count));
    expect(stadiumCounts).toEqual([
      { name: 'subscription_count', channel: 'stadium', subscription_count: 1 },
      { name: 'subscription_count', channel: 'stadium', subscription_count: 2 },
    ]);
    for (const request of counts.requests) expectSigned(request, app, b);

    // Presence channels report members, not subscription counts.
    await rawSubscribe(one, 'presence-box', b, { user_id: 'u1' });
    await control(one, counts);
    expect(counts.find('subscription_count', 'presence-box')).toEqual([]);

    await everything.waitForEvent('channel_occupied', 'stadium');
    await control(two, everything);
    expect(everything.find('subscription_count')).toEqual([]);
  });

  it('sends the webhook’s custom headers along with the Pusher ones', async () => {
    const { receiver, app, node, backend } = await startWithWebhooks([
      { headers: { 'X-Custom-Token': 'abc123', 'X-Environment': 'test' } },
    ]);
    const client = await RawClient.established(node.port, app.key);
    await client.subscribe('with-headers');
    await receiver.waitForEvent('channel_occupied', 'with-headers');
    const [request] = receiver.requests;
    expect(request!.headers['x-custom-token']).toBe('abc123');
    expect(request!.headers['x-environment']).toBe('test');
    expectSigned(request!, app, backend);
  });

  it('does not send events a webhook did not list in event_types', async () => {
    const { receiver, app, node } = await startWithWebhooks([{ event_types: ['channel_occupied'] }]);
    const client = await RawClient.established(node.port, app.key);
    await client.subscribe('only-occupied');
    await receiver.waitForEvent('channel_occupied', 'only-occupied');
    client.send({ event: 'pusher:unsubscribe', data: { channel: 'only-occupied' } });
    await control(client, receiver); // leaveDelayMs 0: a vacated event would already be queued
    expect(receiver.events().map((e) => e.name)).toEqual(['channel_occupied', 'channel_occupied']);
  });
});

describe('webhook channel filters', () => {
  it('applies channel_prefix, channel_suffix, channel_pattern and their combination', async () => {
    const prefix = await WebhookReceiver.start();
    const suffix = await WebhookReceiver.start();
    const pattern = await WebhookReceiver.start();
    const both = await WebhookReceiver.start();
    const all = await WebhookReceiver.start();
    const app = featureApp({
      webhooks: [
        { url: prefix.url, event_types: ['channel_occupied'], filter: { channel_prefix: 'orders-' } },
        { url: suffix.url, event_types: ['channel_occupied'], filter: { channel_suffix: '-vip' } },
        { url: pattern.url, event_types: ['channel_occupied'], filter: { channel_pattern: '^room-[0-9]+$' } },
        {
          url: both.url,
          event_types: ['channel_occupied'],
          filter: { channel_prefix: 'orders-', channel_suffix: '-vip' },
        },
        { url: all.url, event_types: ['channel_occupied'] },
      ],
    });
    const { port } = await startServer({ apps: [app], webhooks: PLAIN });
    const client = await RawClient.established(port, app.key);
    const channels = [
      'orders-1',
      'lounge-vip',
      'room-42',
      'room-x',
      'orders-2-vip',
      'misc',
      'vip-orders-',
      'xroom-1',
    ];
    for (const channel of channels) await client.subscribe(channel);
    // The last channel matches every filter, so it is a control for each receiver.
    await client.subscribe('orders-9-vip');
    for (const receiver of [prefix, suffix, both, all])
      await receiver.waitForEvent('channel_occupied', 'orders-9-vip');
    await client.subscribe('room-999');
    await pattern.waitForEvent('channel_occupied', 'room-999');
    await all.waitForEvent('channel_occupied', 'room-999');

    // Sorted: unbatched requests may overlap, so their arrival order is not part of the contract.
    const names = (r: WebhookReceiver) =>
      r
        .find('channel_occupied')
        .map((e) => e.channel)
        .sort();
    expect(names(prefix)).toEqual(['orders-1', 'orders-2-vip', 'orders-9-vip']);
    expect(names(suffix)).toEqual(['lounge-vip', 'orders-2-vip', 'orders-9-vip']);
    expect(names(pattern)).toEqual(['room-42', 'room-999']);
    expect(names(both)).toEqual(['orders-2-vip', 'orders-9-vip']);
    expect(names(all)).toEqual([...channels, 'orders-9-vip', 'room-999'].sort());
  });
});

describe('internal channels', () => {
  it('sends no occupancy webhooks for the #server-to-user channel pusher-js subscribes after sign-in', async () => {
    const { receiver, app, node, backend } = await startWithWebhooks([{}]);
    const pusher = await connectAs(node.port, app, backend, { id: 'alice' });
    const messages = pusherMessages(pusher);
    pusher.signin();
    // pusher-js subscribes to #server-to-user-alice after signin_success; wait until that is answered.
    await waitUntil(
      () =>
        messages.some(
          (m) =>
            m.channel === '#server-to-user-alice' && m.event === 'pusher_internal:subscription_succeeded',
        ),
      'the #server-to-user-alice subscription to succeed',
    );
    const other = await connectPusherJs(node.port, { key: app.key, backend });
    await subscribed(other, 'control-public');
    await receiver.waitForEvent('channel_occupied', 'control-public');
    expect(receiver.events().filter((e) => e.channel.startsWith('#'))).toEqual([]);
  });
});
