// The bound on unconfirmed and waiting publishes, against a fake confirm channel the test answers for.

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type ConfirmPublisher, PublishWindow } from '../../src/publish-window.js';

/** A channel that records what is written and lets the test confirm, nack or fill its buffer. */
function fakeChannel() {
  const written: Array<{ routingKey: string; type?: string; confirm(error?: Error): void }> = [];
  const drains: Array<() => void> = [];
  let full = false;
  const channel: ConfirmPublisher = {
    publish(_exchange, routingKey, _content, options, callback) {
      written.push({ routingKey, type: options.type, confirm: (error) => callback(error ?? null) });
      return !full;
    },
    on(_event, listener) {
      drains.push(listener);
    },
  };
  return {
    channel,
    written,
    fill: () => {
      full = true;
    },
    drain: () => {
      full = false;
      for (const listener of drains) listener();
    },
  };
}

const message = (routingKey: string) => ({ exchange: 'x', routingKey, content: Buffer.from(routingKey) });
/** Follows how `promise` settles (handled at once, so a rejection is never unhandled). */
function track(promise: Promise<void>): { readonly state: string } {
  const tracked = { state: 'pending' };
  promise.then(
    () => {
      tracked.state = 'resolved';
    },
    (error: Error) => {
      tracked.state = `rejected: ${error.message}`;
    },
  );
  return tracked;
}
const settled = () => vi.advanceTimersByTimeAsync(0);

describe('PublishWindow', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('writes up to maxInFlight, queues up to maxWaiting in order, refuses the rest at once', async () => {
    const fake = fakeChannel();
    const window = new PublishWindow(fake.channel, { maxInFlight: 2, maxWaiting: 2, timeoutMs: 1000 });
    const publishes = ['a', 'b', 'c', 'd', 'e'].map((key) => track(window.publish(message(key))));
    await settled();
    expect(fake.written.map((w) => w.routingKey)).toEqual(['a', 'b']);
    expect([window.unconfirmed, window.queued]).toEqual([2, 2]);
    expect(publishes[4]!.state).toMatch(/2 publishes are unconfirmed and 2 are waiting/);

    fake.written[1]!.confirm(); // out of order: b frees a slot, c goes out
    await settled();
    expect(publishes[1]!.state).toBe('resolved');
    expect(fake.written.map((w) => w.routingKey)).toEqual(['a', 'b', 'c']);
    fake.written[0]!.confirm(new Error('nack'));
    await settled();
    expect(publishes[0]!.state).toMatch(/the broker did not take it: nack/);
    expect(fake.written.map((w) => w.routingKey)).toEqual(['a', 'b', 'c', 'd']);
    fake.written[2]!.confirm();
    fake.written[3]!.confirm();
    await settled();
    expect([publishes[2]!.state, publishes[3]!.state]).toEqual(['resolved', 'resolved']);
    expect([window.unconfirmed, window.queued]).toEqual([0, 0]);
  });

  it('stops writing while the channel buffer is full and resumes on drain', () => {
    const fake = fakeChannel();
    const window = new PublishWindow(fake.channel, { maxInFlight: 100, maxWaiting: 100, timeoutMs: 1000 });
    fake.fill();
    track(window.publish(message('first'))); // written, but publish() said the buffer is full
    track(window.publish(message('second')));
    expect(fake.written.map((w) => w.routingKey)).toEqual(['first']);
    expect(window.queued).toBe(1);
    fake.drain();
    expect(fake.written.map((w) => w.routingKey)).toEqual(['first', 'second']);
  });

  it('rejects what the broker does not confirm in time but keeps its slot until the broker answers', async () => {
    const fake = fakeChannel();
    const window = new PublishWindow(fake.channel, { maxInFlight: 1, maxWaiting: 5, timeoutMs: 1000 });
    const written = track(window.publish(message('a')));
    await vi.advanceTimersByTimeAsync(500);
    const waiting = track(window.publish(message('b')));
    await vi.advanceTimersByTimeAsync(501);
    expect(written.state).toMatch(/did not confirm it within 1000 ms/);
    expect(waiting.state).toBe('pending');
    expect(window.unconfirmed).toBe(1); // still on the wire
    await vi.advanceTimersByTimeAsync(500);
    expect(waiting.state).toMatch(/no room within 1000 ms \(1 publishes unconfirmed\)/);
    fake.written[0]!.confirm(); // a late confirmation frees the slot and settles nobody twice
    expect(window.unconfirmed).toBe(0);
    const next = track(window.publish(message('c')));
    expect(fake.written.map((w) => w.routingKey)).toEqual(['a', 'c']);
    fake.written[1]!.confirm();
    await settled();
    expect(next.state).toBe('resolved');
  });

  it('fails everything written or waiting, and every later publish, once failed', async () => {
    const fake = fakeChannel();
    const window = new PublishWindow(fake.channel, { maxInFlight: 1, maxWaiting: 1, timeoutMs: 1000 });
    const publishes = [track(window.publish(message('a'))), track(window.publish(message('b')))];
    window.fail(new Error('connection lost'));
    const later = track(window.publish(message('c')));
    await settled();
    expect([...publishes, later].map((p) => p.state)).toEqual([
      'rejected: connection lost',
      'rejected: connection lost',
      'rejected: connection lost',
    ]);
    fake.written[0]!.confirm(new Error('channel closed')); // amqplib's own late callback is harmless
    expect(vi.getTimerCount()).toBe(0);
  });

  it('turns a throwing channel into a rejection and frees the slot', async () => {
    const window = new PublishWindow(
      {
        publish() {
          throw new Error('Channel closed');
        },
        on() {},
      },
      { maxInFlight: 1, maxWaiting: 0, timeoutMs: 1000 },
    );
    const publish = track(window.publish(message('a')));
    await settled();
    expect(publish.state).toBe('rejected: Channel closed');
    expect(window.unconfirmed).toBe(0);
  });
});
