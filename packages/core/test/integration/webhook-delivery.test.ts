// When webhooks leave: batching per app (batchDurationMs, batchSize), the leave delay that swallows a
// quick leave-and-rejoin, and retries with backoff (5xx and timeouts retried, 400 not).

import { afterEach, describe, expect, it } from 'vitest';
import { RawClient } from '../helpers/clients.js';
import {
  cleanupFeatures,
  featureApp,
  rawSubscribe,
  WebhookReceiver,
  waitForConnectionCount,
} from '../helpers/features.js';
import { startServer } from '../helpers/server.js';
import { sleep } from '../helpers/wait.js';
import { control, expectSigned, startWithWebhooks } from '../helpers/webhooks.js';

afterEach(cleanupFeatures);

describe('webhook batching', () => {
  it('puts events that happen within batchDurationMs into one request', async () => {
    const { receiver, app, node, backend } = await startWithWebhooks(
      [{ event_types: ['channel_occupied'] }],
      {
        batching: true,
        batchDurationMs: 300,
        leaveDelayMs: 0,
      },
    );
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
    const { receiver, app, node } = await startWithWebhooks([{ event_types: ['channel_occupied'] }], {
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
    const { receiver, app, node } = await startWithWebhooks([{ event_types: ['channel_occupied'] }]);
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
    const { receiver, app, node, backend } = await startWithWebhooks([{}], {
      batching: false,
      leaveDelayMs: 400,
    });
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
    const { receiver, app, node, backend } = await startWithWebhooks(
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
    const { receiver, app, node, backend } = await startWithWebhooks([{}], {
      batching: false,
      leaveDelayMs: 200,
    });
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
    const { receiver, app, node } = await startWithWebhooks(
      [{ event_types: ['channel_occupied', 'channel_vacated'] }],
      {
        batching: false,
        leaveDelayMs: 400,
      },
    );
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
    const { receiver, app, node, backend } = await startWithWebhooks(
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
    const { receiver, app, node, backend } = await startWithWebhooks(
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
    const { receiver, app, node } = await startWithWebhooks(
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
