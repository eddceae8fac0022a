// The InterestTracker against a recording TransportV2: batching, linger, acknowledgement, failures.

import { describe, expect, it } from 'vitest';
import { InterestTracker } from '../../src/adapter/interest.js';
import type { TransportV2 } from '../../src/spec/v2/index.js';

function recordingTransport(options: { fail?: boolean; ackAfterMs?: number } = {}) {
  const calls: Array<['subscribe' | 'unsubscribe', string[]]> = [];
  const transport = {
    specVersion: 2,
    async subscribe(keys: readonly string[]) {
      calls.push(['subscribe', [...keys]]);
      if (options.ackAfterMs) await new Promise((resolve) => setTimeout(resolve, options.ackAfterMs));
      if (options.fail) throw new Error('broker away');
    },
    async unsubscribe(keys: readonly string[]) {
      calls.push(['unsubscribe', [...keys]]);
    },
  } as unknown as TransportV2;
  return { transport, calls };
}

function tracker(
  transport: TransportV2,
  overrides: Partial<ConstructorParameters<typeof InterestTracker>[1]> = {},
) {
  const errors: string[] = [];
  const sizes: number[] = [];
  const interest = new InterestTracker(transport, {
    lingerMs: 50,
    batchMs: 0,
    subscribeTimeoutMs: 1000,
    onError: (what, keys) => errors.push(`${what}:${keys}`),
    onSize: (size) => sizes.push(size),
    ...overrides,
  });
  return { interest, errors, sizes };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('InterestTracker', () => {
  it('turns the wants of one turn into one subscribe, and resolves only after the acknowledgement', async () => {
    const { transport, calls } = recordingTransport({ ackAfterMs: 30 });
    const { interest } = tracker(transport);
    let resolved = 0;
    const wants = ['a', 'b', 'c', 'a'].map((key) => interest.want(key).then(() => resolved++));
    await sleep(10);
    expect(resolved).toBe(0);
    await Promise.all(wants);
    expect(calls).toEqual([['subscribe', ['a', 'b', 'c']]]);
    expect(interest.size).toBe(3);
  });

  it('unsubscribes released keys together after the linger; a want in time keeps the key', async () => {
    const { transport, calls } = recordingTransport();
    const { interest, sizes } = tracker(transport);
    await Promise.all(['a', 'b', 'c'].map((key) => interest.want(key)));
    interest.release('a');
    interest.release('b');
    interest.release('c');
    await interest.want('b');
    await sleep(80);
    expect(calls).toEqual([
      ['subscribe', ['a', 'b', 'c']],
      ['unsubscribe', ['a', 'c']],
    ]);
    expect(interest.has('b')).toBe(true);
    expect(sizes.at(-1)).toBe(1);
  });

  it('a failed subscribe is reported and still lets the joiners through; the key stays held', async () => {
    const { transport } = recordingTransport({ fail: true });
    const { interest, errors } = tracker(transport);
    await interest.want('a');
    expect(errors).toEqual(['subscribe:1']);
    expect(interest.has('a')).toBe(true);
  });

  it('gives up waiting for an acknowledgement after the timeout', async () => {
    const { transport } = recordingTransport({ ackAfterMs: 10_000 });
    const { interest, errors } = tracker(transport, { subscribeTimeoutMs: 30 });
    const started = Date.now();
    await interest.want('a');
    expect(Date.now() - started).toBeLessThan(5000);
    expect(errors).toEqual(['subscribe:1']);
  });

  it('batches over batchMs when set', async () => {
    const { transport, calls } = recordingTransport();
    const { interest } = tracker(transport, { batchMs: 30 });
    const first = interest.want('a');
    await sleep(5);
    const second = interest.want('b');
    await Promise.all([first, second]);
    expect(calls).toEqual([['subscribe', ['a', 'b']]]);
  });
});
