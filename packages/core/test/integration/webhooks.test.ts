// Webhooks, received by a real node:http server: every event kind with Pusher's body and signature,
// custom headers, per-webhook `event_types` and channel `filter`, batching, the leave delay that
// swallows quick leave-and-rejoin, and retries with backoff (5xx retried, 400 not).

import type Pusher from 'pusher';
import { afterEach, describe, expect, it } from 'vitest';
import { connectPusherJs, RawClient, subscribed } from '../helpers/clients.js';
import {
  cleanupFeatures,
  connectAs,
  featureApp,
  pusherMessages,
  type ReceivedWebhook,
  rawSubscribe,
  WebhookReceiver,
  waitForConnectionCount,
  webhookSignature,
} from '../helpers/features.js';
import { startServer, type TestApp } from '../helpers/server.js';
import { sleep, waitUntil } from '../helpers/wait.js';

afterEach(cleanupFeatures);

/** Immediate, unbatched delivery: one event per request, leave events not held. */
const PLAIN = { batching: false, leaveDelayMs: 0, initialBackoffMs: 50 } as const;

/** Checks everything Pusher promises about one webhook request for `app`. */
function expectSigned(request: ReceivedWebhook, app: TestApp, backend: Pusher): void {
  expect(request.headers['content-type']).toBe('application/json');
  expect(request.headers['x-pusher-key']).toBe(app.key);
  expect(request.headers['x-pusher-signature']).toBe(webhookSignature(app.secret, request.rawBody));
  const webhook = backend.webhook({
    headers: request.headers as Record<string, string>,
    rawBody: request.rawBody,
  });
  expect(webhook.isValid()).toBe(true);
  // The check itself can fail: a changed body or another app's secret does not verify.
  expect(
    backend
      .webhook({ headers: request.headers as Record<string, string>, rawBody: `${request.rawBody} ` })
      .isValid(),
  ).toBe(false);
  expect(webhookSignature(`${app.secret}x`, request.rawBody)).not.toBe(request.headers['x-pusher-signature']);
  expect(Object.keys(request.body).sort()).toEqual(['events', 'time_ms']);
  expect(Number.isInteger(request.body.time_ms)).toBe(true);
  expect(Math.abs(request.body.time_ms - Date.now())).toBeLessThan(60_000);
  expect(Array.isArray(request.body.events)).toBe(true);
}

async function setup(
  hooks: Array<Record<string, unknown>> | ((url: string) => Array<Record<string, unknown>>),
  webhooks: Record<string, unknown> = PLAIN,
  respond?: (index: number) => number,
) {
  const receiver = await WebhookReceiver.start(respond);
  const app = featureApp({
    enable_client_messages: true,
    webhooks:
      typeof hooks === 'function' ? hooks(receiver.url) : hooks.map((h) => ({ url: receiver.url, ...h })),
  });
  const node = await startServer({ apps: [app], webhooks });
  return { receiver, app, node, backend: node.backend() };
}

let controlCounter = 0;
/** Subscribes `client` to a fresh public channel and waits for its channel_occupied at `receiver`. */
async function control(client: RawClient, receiver: WebhookReceiver, prefix = 'control'): Promise<void> {
  controlCounter += 1;
  const channel = `${prefix}-${controlCounter}`;
  await client.subscribe(channel);
  await receiver.waitForEvent('channel_occupied', channel);
}

describe('webhook events, bodies and signatures', () => {
  it('sends channel_occupied and channel_vacated, signed with X-Pusher-Signature and X-Pusher-Key', async () => {
    const { receiver, app, node, backend } = await setup([{}]);
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
    const { receiver, app, node, backend } = await setup([
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
    const { receiver, app, node, backend } = await setup([{ event_types: ['client_event'] }]);
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
    const { receiver, app, node } = await setup([{ event_types: ['client_event', 'channel_occupied'] }]);
    const sender = await RawClient.established(node.port, app.key);
    await sender.subscribe('public-room');
    sender.send({ event: 'client-scribble', channel: 'public-room', data: {} }); // public: refused
    await sender.waitFor('pusher:error');
    await control(sender, receiver);
    expect(receiver.find('client_event')).toEqual([]);
  });

  it('sends one cache_miss for several clients missing the same cache channel at once', async () => {
    const { receiver, app, node, backend } = await setup([
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
    const { receiver, app, node, backend } = await setup([
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
    const { receiver, app, node, backend } = await setup([
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
    const { receiver, app, node } = await setup([{ event_types: ['channel_occupied'] }]);
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

describe('webhook batching', () => {
  it('puts events that happen within batchDurationMs into one request', async () => {
    const { receiver, app, node, backend } = await setup([{ event_types: ['channel_occupied'] }], {
      batching: true,
      batchDurationMs: 300,
      leaveDelayMs: 0,
    });
    const client = await RawClient.established(node.port, app.key);
    // Sent back to back: all three joins fall well within the 300 ms window.
    for (const channel of ['b-1', 'b-2', 'b-3'])
      client.send({ event: 'pusher:subscribe', data: { channel } });
    await receiver.until(() => receiver.find('channel_occupied').length >= 3, 'three channel_occupied');
    expect(receiver.requests).toHaveLength(1);
    expect(receiver.requests[0]!.body.events.map((e) => e.channel)).toEqual(['b-1', 'b-2', 'b-3']);
    expectSigned(receiver.requests[0]!, app, backend);
  });

  it('splits a batch at batchSize', async () => {
    const { receiver, app, node } = await setup([{ event_types: ['channel_occupied'] }], {
      batching: true,
      batchDurationMs: 300,
      batchSize: 2,
      leaveDelayMs: 0,
    });
    const client = await RawClient.established(node.port, app.key);
    for (const channel of ['s-1', 's-2', 's-3'])
      client.send({ event: 'pusher:subscribe', data: { channel } });
    await receiver.until(() => receiver.find('channel_occupied').length >= 3, 'three channel_occupied');
    const bodies = receiver.requests.map((r) => r.body.events.map((e) => e.channel));
    expect(bodies.sort((a, b) => b.length - a.length)).toEqual([['s-1', 's-2'], ['s-3']]);
  });

  it('sends one event per request with batching off', async () => {
    const { receiver, app, node } = await setup([{ event_types: ['channel_occupied'] }]);
    const client = await RawClient.established(node.port, app.key);
    for (const channel of ['u-1', 'u-2', 'u-3'])
      client.send({ event: 'pusher:subscribe', data: { channel } });
    await receiver.until(() => receiver.find('channel_occupied').length >= 3, 'three channel_occupied');
    const bodies = receiver.requests.map((r) => r.body.events.map((e) => e.channel));
    expect(bodies.sort((a, b) => a[0]!.localeCompare(b[0]!))).toEqual([['u-1'], ['u-2'], ['u-3']]);
  });

  it('batches per app: each request holds one app’s events, signed with that app’s secret', async () => {
    const receiver = await WebhookReceiver.start();
    const first = featureApp({ webhooks: [{ url: receiver.url, event_types: ['channel_occupied'] }] });
    const second = featureApp({ webhooks: [{ url: receiver.url, event_types: ['channel_occupied'] }] });
    const { port, backend } = await startServer({
      apps: [first, second],
      webhooks: { batching: true, batchDurationMs: 300, leaveDelayMs: 0 },
    });
    const a = await RawClient.established(port, first.key);
    const b = await RawClient.established(port, second.key);
    a.send({ event: 'pusher:subscribe', data: { channel: 'first-1' } });
    b.send({ event: 'pusher:subscribe', data: { channel: 'second-1' } });
    a.send({ event: 'pusher:subscribe', data: { channel: 'first-2' } });
    b.send({ event: 'pusher:subscribe', data: { channel: 'second-2' } });
    await receiver.until(() => receiver.find('channel_occupied').length >= 4, 'four channel_occupied');
    expect(receiver.requests).toHaveLength(2);
    for (const request of receiver.requests) {
      const app = request.headers['x-pusher-key'] === first.key ? first : second;
      expectSigned(request, app, backend(app));
      const prefix = app === first ? 'first-' : 'second-';
      expect(request.body.events.map((e) => e.channel)).toEqual([`${prefix}1`, `${prefix}2`]);
    }
  });
});

describe('leave delay (leaveDelayMs)', () => {
  it('sends no member_removed/channel_vacated (and no second member_added) for a quick leave and rejoin', async () => {
    const { receiver, app, node, backend } = await setup([{}], { batching: false, leaveDelayMs: 400 });
    const first = await RawClient.established(node.port, app.key);
    await rawSubscribe(first, 'presence-flaky', backend, { user_id: 'alice' });
    await receiver.waitForEvent('member_added', 'presence-flaky');
    await receiver.waitForEvent('channel_occupied', 'presence-flaky');

    // A page reload: the socket drops and a new one joins as the same user right away.
    first.close();
    const second = await RawClient.established(node.port, app.key);
    await rawSubscribe(second, 'presence-flaky', backend, { user_id: 'alice' });

    await sleep(700); // past the delay: a held leave would have been queued by now
    await control(second, receiver);
    const names = receiver.events().map((e) => `${e.name}:${e.channel}`);
    expect(names.filter((n) => n.endsWith(':presence-flaky')).sort()).toEqual([
      'channel_occupied:presence-flaky',
      'member_added:presence-flaky',
    ]);
  });

  it('also swallows a quick leave and rejoin for a webhook that lists only channel_occupied and member_added', async () => {
    const { receiver, app, node, backend } = await setup(
      [{ event_types: ['channel_occupied', 'member_added'] }],
      { batching: false, leaveDelayMs: 400 },
    );
    const first = await RawClient.established(node.port, app.key);
    await rawSubscribe(first, 'presence-reload', backend, { user_id: 'alice' });
    await receiver.waitForEvent('member_added', 'presence-reload');
    await receiver.waitForEvent('channel_occupied', 'presence-reload');

    first.close();
    await waitForConnectionCount(node.port, 0); // the leave has been processed
    const second = await RawClient.established(node.port, app.key);
    await rawSubscribe(second, 'presence-reload', backend, { user_id: 'alice' });
    await sleep(700);
    await control(second, receiver);
    // The webhook never heard that alice left, so it must not hear that she joined again.
    expect(receiver.find('member_added', 'presence-reload')).toHaveLength(1);
    expect(receiver.find('channel_occupied', 'presence-reload')).toHaveLength(1);
  });

  it('does send them after the delay when the member does not come back', async () => {
    const { receiver, app, node, backend } = await setup([{}], { batching: false, leaveDelayMs: 200 });
    const client = await RawClient.established(node.port, app.key);
    await rawSubscribe(client, 'presence-gone', backend, { user_id: 'alice' });
    await receiver.waitForEvent('member_added', 'presence-gone');
    client.close();
    const removed = await receiver.waitForEvent('member_removed', 'presence-gone');
    const vacated = await receiver.waitForEvent('channel_vacated', 'presence-gone');
    expect(removed.user_id).toBe('alice');
    expect(vacated.channel).toBe('presence-gone');
  });

  it('holds channel_vacated for a public channel and cancels it when someone subscribes again', async () => {
    const { receiver, app, node } = await setup([{ event_types: ['channel_occupied', 'channel_vacated'] }], {
      batching: false,
      leaveDelayMs: 400,
    });
    const client = await RawClient.established(node.port, app.key);
    await client.subscribe('blink');
    await receiver.waitForEvent('channel_occupied', 'blink');
    client.send({ event: 'pusher:unsubscribe', data: { channel: 'blink' } });
    await client.subscribe('blink');
    await sleep(700);
    await control(client, receiver);
    expect(
      receiver
        .events()
        .filter((e) => e.channel === 'blink')
        .map((e) => e.name),
    ).toEqual(['channel_occupied']);
  });
});

describe('webhook retries', () => {
  it('retries a 503 with backoff and delivers the same signed body exactly once more after two failures', async () => {
    const { receiver, app, node, backend } = await setup(
      [{ event_types: ['channel_occupied'] }],
      { batching: false, leaveDelayMs: 0, initialBackoffMs: 50, maxBackoffMs: 200 },
      (index) => (index < 2 ? 503 : 200),
    );
    const client = await RawClient.established(node.port, app.key);
    await client.subscribe('flaky-receiver');
    const requests = await receiver.waitForRequests(3);
    expect(requests.map((r) => r.status)).toEqual([503, 503, 200]);
    expect(new Set(requests.map((r) => r.rawBody)).size).toBe(1);
    for (const request of requests) expectSigned(request, app, backend);

    // Control: the next event is the 4th request, so the delivered one was not sent again.
    await client.subscribe('after-retries');
    const all = await receiver.waitForRequests(4);
    await sleep(300); // longer than any backoff used here
    expect(receiver.requests).toHaveLength(4);
    expect(all[3]!.body.events.map((e) => e.channel)).toEqual(['after-retries']);
    expect(receiver.find('channel_occupied', 'flaky-receiver')).toHaveLength(3);
  });

  it('retries a request the receiver never answers once requestTimeoutMs has passed', async () => {
    const { receiver, app, node, backend } = await setup(
      [{ event_types: ['channel_occupied'] }],
      { batching: false, leaveDelayMs: 0, initialBackoffMs: 50, requestTimeoutMs: 300 },
      (index) => (index === 0 ? 0 : 200),
    );
    const client = await RawClient.established(node.port, app.key);
    await client.subscribe('slow-receiver');
    const requests = await receiver.waitForRequests(2);
    expect(requests[1]!.rawBody).toBe(requests[0]!.rawBody);
    expectSigned(requests[1]!, app, backend);
  });

  it('gives up retrying once maxElapsedTimeMs has passed', async () => {
    const receiver = await WebhookReceiver.start((_, body) =>
      body.events.some((e) => e.channel === 'doomed') ? 503 : 200,
    );
    const app = featureApp({ webhooks: [{ url: receiver.url, event_types: ['channel_occupied'] }] });
    const { port } = await startServer({
      apps: [app],
      webhooks: {
        batching: false,
        leaveDelayMs: 0,
        initialBackoffMs: 50,
        maxBackoffMs: 100,
        maxElapsedTimeMs: 300,
      },
    });
    const client = await RawClient.established(port, app.key);
    await client.subscribe('doomed');
    await receiver.until(
      () => receiver.find('channel_occupied', 'doomed').length >= 2,
      'a retry of the doomed event',
    );
    await sleep(800); // well past maxElapsedTimeMs
    const attempts = receiver.find('channel_occupied', 'doomed').length;
    await sleep(500); // with backoff capped at 100 ms, a retrier that never gives up would add ~5 attempts
    expect(receiver.find('channel_occupied', 'doomed')).toHaveLength(attempts);
    expect(attempts).toBeLessThanOrEqual(6);
    // The queue still works for other events.
    await client.subscribe('fine');
    await receiver.waitForEvent('channel_occupied', 'fine');
  });

  it('keeps delivering other webhooks while one receiver leaves a request hanging', async () => {
    const stuck = await WebhookReceiver.start(() => 0); // accepts the request and never answers
    const healthy = await WebhookReceiver.start();
    const slowApp = featureApp({ webhooks: [{ url: stuck.url, event_types: ['channel_occupied'] }] });
    const fastApp = featureApp({ webhooks: [{ url: healthy.url, event_types: ['channel_occupied'] }] });
    const { port } = await startServer({
      apps: [slowApp, fastApp],
      webhooks: { batching: false, leaveDelayMs: 0, requestTimeoutMs: 60_000 },
    });
    const slowClient = await RawClient.established(port, slowApp.key);
    await slowClient.subscribe('slow-1');
    await stuck.waitForRequests(1); // that request is now open and stays open

    const fastClient = await RawClient.established(port, fastApp.key);
    await fastClient.subscribe('fast-1');
    // Must arrive while the other app's request is still hanging (head-of-line blocking otherwise).
    await healthy.waitForEvent('channel_occupied', 'fast-1');
    expect(stuck.requests).toHaveLength(1);
  });

  it('does not retry a 400', async () => {
    const { receiver, app, node } = await setup(
      [{ event_types: ['channel_occupied'] }],
      { batching: false, leaveDelayMs: 0, initialBackoffMs: 50 },
      (index) => (index === 0 ? 400 : 200),
    );
    const client = await RawClient.established(node.port, app.key);
    await client.subscribe('bad-request');
    await receiver.waitForRequests(1);
    await sleep(400); // a retry after 50 ms backoff would have arrived by now
    await client.subscribe('next');
    await receiver.waitForEvent('channel_occupied', 'next');
    expect(receiver.requests.map((r) => [r.status, r.body.events[0]!.channel])).toEqual([
      [400, 'bad-request'],
      [200, 'next'],
    ]);
  });
});

describe('internal channels', () => {
  it('sends no occupancy webhooks for the #server-to-user channel pusher-js subscribes after sign-in', async () => {
    const { receiver, app, node, backend } = await setup([{}]);
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
