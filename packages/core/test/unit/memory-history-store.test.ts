// The in-memory history store's own bounds (the conformance suite runs over it in @sockudo/test-suite):
// retention by time with a fake clock, the count cap, forgetting channels beyond maxChannels and the
// total byte budget, and the rules every store shares (request validation, expired cursors).

import {
  assertHistoryCursorLive,
  createMemoryHistoryStore,
  emptyHistoryState,
  HistoryCursorExpiredError,
  InvalidHistoryRequestError,
  validateHistoryPurgeRequest,
  validateHistoryReadRequest,
  validateHistoryRetention,
} from '@sockudo/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

beforeEach(() => {
  vi.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') });
});
afterEach(() => {
  vi.useRealTimers();
});

const message = (payload: string) => ({ payload, eventName: 'e' });

describe('createMemoryHistoryStore', () => {
  it('drops messages once they outlive the retention window, on append and on read', async () => {
    const history = createMemoryHistoryStore({ retentionWindowSeconds: 60 });
    await history.append('a', 'c', message('1'));
    vi.advanceTimersByTime(30_000);
    await history.append('a', 'c', message('2'));
    vi.advanceTimersByTime(30_001); // the first is now 60.001 s old
    expect(await history.state('a', 'c')).toMatchObject({
      retainedMessages: 1,
      oldestSerial: 2,
      nextSerial: 3,
    });
    vi.advanceTimersByTime(30_000);
    const page = await history.readPage({ appId: 'a', channel: 'c', direction: 'oldest_first', limit: 10 });
    expect(page.items).toEqual([]);
    // The stream and its serials carry on: nothing was reset.
    expect(page.state).toMatchObject({ retainedMessages: 0, nextSerial: 3, oldestSerial: undefined });
    expect((await history.append('a', 'c', message('3'))).serial).toBe(3);
  });

  it('uses the retention an append brings, and keeps it for reads of that channel', async () => {
    const history = createMemoryHistoryStore({ retentionWindowSeconds: 3600 });
    await history.append('a', 'short', message('x'), { retentionWindowSeconds: 10 });
    await history.append('a', 'long', message('x'));
    vi.advanceTimersByTime(11_000);
    expect((await history.state('a', 'short')).retainedMessages).toBe(0);
    expect((await history.state('a', 'long')).retainedMessages).toBe(1);
  });

  it('caps the count bound an append brings at maxMessagesPerChannel', async () => {
    const history = createMemoryHistoryStore({ maxMessagesPerChannel: 5 });
    for (let i = 0; i < 20; i++) {
      await history.append('a', 'c', message(String(i)), {
        retentionWindowSeconds: 60,
        maxMessagesPerChannel: 100,
      });
    }
    expect(await history.state('a', 'c')).toMatchObject({
      retainedMessages: 5,
      oldestSerial: 16,
      newestSerial: 20,
    });
  });

  it('never lets time go backwards along a stream, even when the clock does', async () => {
    const history = createMemoryHistoryStore();
    const first = await history.append('a', 'c', message('1'));
    vi.setSystemTime(first.publishedAtMs - 5000);
    const second = await history.append('a', 'c', message('2'));
    expect(second.publishedAtMs).toBe(first.publishedAtMs);
  });

  it('forgets the channel appended to least recently beyond maxChannels', async () => {
    const history = createMemoryHistoryStore({ maxChannels: 2 });
    const one = await history.append('a', 'one', message('x'));
    await history.append('a', 'two', message('x'));
    await history.append('a', 'one', message('y')); // now the most recent
    await history.append('a', 'three', message('x'));
    expect((await history.state('a', 'two')).streamId).toBeUndefined();
    expect(await history.state('a', 'one')).toMatchObject({ streamId: one.streamId, retainedMessages: 2 });
    // A forgotten channel starts a new stream: a client holding a position there learns its history is gone.
    const again = await history.append('a', 'two', message('z'));
    expect(again.serial).toBe(1);
  });

  it('keeps the total of payload bytes within maxTotalBytes, forgetting idle channels first', async () => {
    const history = createMemoryHistoryStore({ maxTotalBytes: 1000 });
    await history.append('a', 'idle', message('x'.repeat(600)));
    await history.append('a', 'busy', message('y'.repeat(300)));
    await history.append('a', 'busy', message('y'.repeat(300)));
    expect((await history.state('a', 'idle')).streamId).toBeUndefined();
    expect((await history.state('a', 'busy')).retainedBytes).toBe(600);
    // One channel alone over the budget loses its oldest messages, never the newest.
    for (let i = 0; i < 5; i++) await history.append('a', 'busy', message('z'.repeat(400)));
    expect(await history.state('a', 'busy')).toMatchObject({
      retainedMessages: 2,
      retainedBytes: 800,
      newestSerial: 7,
    });
  });

  it('rejects calls after close()', async () => {
    const history = createMemoryHistoryStore();
    await history.close();
    await expect(history.append('a', 'c', message('x'))).rejects.toThrow(/after close/);
    await history.close();
  });

  it('refuses options that would leave it unbounded or a retention it cannot apply', () => {
    expect(() => createMemoryHistoryStore({ retentionWindowSeconds: 0 })).toThrow(InvalidHistoryRequestError);
    expect(() => createMemoryHistoryStore({ maxMessagesPerChannel: 0 })).toThrow(/maxMessagesPerChannel/);
  });
});

describe('the shared history rules', () => {
  const request = { appId: 'a', channel: 'c', direction: 'oldest_first' as const, limit: 10 };

  it('validates read requests, retention and purges', () => {
    expect(() => validateHistoryReadRequest(request)).not.toThrow();
    expect(() => validateHistoryReadRequest({ ...request, limit: 0 })).toThrow(/limit/);
    expect(() => validateHistoryReadRequest({ ...request, direction: 'up' as never })).toThrow(/direction/);
    expect(() =>
      validateHistoryReadRequest({ ...request, bounds: { startSerial: 5, endSerial: 4 } }),
    ).toThrow(/startSerial/);
    expect(() =>
      validateHistoryReadRequest({ ...request, bounds: { startTimeMs: 5, endTimeMs: 4 } }),
    ).toThrow(/startTimeMs/);
    expect(() => validateHistoryReadRequest({ ...request, cursor: { streamId: 's', serial: -1 } })).toThrow(
      /cursor/,
    );
    expect(() => validateHistoryRetention({ retentionWindowSeconds: 1, maxBytesPerChannel: 0.5 })).toThrow(
      /maxBytesPerChannel/,
    );
    expect(() => validateHistoryPurgeRequest({ mode: 'before_serial' } as never)).toThrow(/serial/);
    expect(() => validateHistoryPurgeRequest({ mode: 'some' } as never)).toThrow(InvalidHistoryRequestError);
  });

  it('calls a cursor expired only when continuing from it would skip a message', () => {
    const state = {
      ...emptyHistoryState(),
      streamId: 's',
      nextSerial: 21,
      oldestSerial: 10,
      newestSerial: 20,
    };
    const live = (direction: 'oldest_first' | 'newest_first', serial: number, streamId = 's') => {
      try {
        assertHistoryCursorLive({ ...request, direction, cursor: { streamId, serial } }, state);
        return true;
      } catch (error) {
        expect(HistoryCursorExpiredError.isInstance(error)).toBe(true);
        return false;
      }
    };
    expect(live('oldest_first', 9)).toBe(true); // 10 comes next and is there
    expect(live('oldest_first', 8)).toBe(false); // 9 is gone
    expect(live('newest_first', 11)).toBe(true); // 10 comes next
    expect(live('newest_first', 10)).toBe(false); // 9 would come next and is gone
    expect(live('newest_first', 1)).toBe(true); // nothing comes next: the walk is over
    expect(live('oldest_first', 15, 'other')).toBe(false); // the stream was reset
  });
});
