// The history suite's groups about dropping messages: retention by count, bytes and age, reset and purge.

import assert from 'node:assert/strict';
import type { DriverTestCase } from '../driver/driver-suite.js';
import { sleep, waitFor } from '../testing/wait.js';
import { appendRun, type HistoryContext, KEEP, range, serials, walk } from './history-context.js';

const oldestFirst = (channel: string, limit = 100) => ({
  appId: 'app-1',
  channel,
  direction: 'oldest_first' as const,
  limit,
});

export const retention: DriverTestCase<HistoryContext>[] = [
  {
    name: 'maxMessagesPerChannel keeps the newest messages',
    async run({ store }) {
      await appendRun(store, 'app-1', 'counted', 10, {
        retention: { retentionWindowSeconds: 3600, maxMessagesPerChannel: 3 },
      });
      const state = await store.state('app-1', 'counted');
      assert.deepEqual(
        [state.retainedMessages, state.oldestSerial, state.newestSerial, state.nextSerial],
        [3, 8, 10, 11],
      );
      assert.equal(state.retainedBytes, 3 * Buffer.byteLength('m-9'));
      const { items } = await walk(store, oldestFirst('counted', 2));
      assert.deepEqual(
        items.map((item) => [item.serial, item.payload]),
        [
          [8, 'm-7'],
          [9, 'm-8'],
          [10, 'm-9'],
        ],
      );
    },
  },
  {
    name: 'maxBytesPerChannel keeps the newest messages within the bytes, and always the newest one',
    async run({ store }) {
      const bounded = { retentionWindowSeconds: 3600, maxBytesPerChannel: 250 };
      await appendRun(store, 'app-1', 'sized', 5, { payload: () => 'b'.repeat(100), retention: bounded });
      let state = await store.state('app-1', 'sized');
      assert.deepEqual([state.retainedMessages, state.retainedBytes, state.oldestSerial], [2, 200, 4]);
      await store.append('app-1', 'sized', { payload: 'B'.repeat(1000) }, bounded);
      state = await store.state('app-1', 'sized');
      assert.deepEqual([state.retainedMessages, state.retainedBytes, state.oldestSerial], [1, 1000, 6]);
    },
  },
  {
    name: 'messages older than the retention window are dropped by the next append; others stay',
    async run({ store, expiryWaitMs }) {
      const short = { retentionWindowSeconds: 1 };
      await store.append('app-1', 'aging', { payload: 'old' }, short);
      await store.append('app-1', 'kept', { payload: 'kept' }, KEEP);
      assert.equal(
        (await store.state('app-1', 'aging')).retainedMessages,
        1,
        'readable right after the append',
      );
      // Each poll appends a probe; once the first message is past its 1 s window the append drops it.
      await waitFor(
        async () => {
          await sleep(200);
          await store.append('app-1', 'aging', { payload: 'probe' }, short);
          return ((await store.state('app-1', 'aging')).oldestSerial ?? 0) > 1;
        },
        'a message appended with a 1 s retention window was still retained',
        { timeoutMs: expiryWaitMs, intervalMs: 0 },
      );
      const state = await store.state('app-1', 'aging');
      const { items } = await walk(store, oldestFirst('aging'));
      assert.ok(!items.some((item) => item.payload === 'old'), 'the expired message should not be read back');
      assert.deepEqual(
        serials(items),
        range(state.oldestSerial!, state.newestSerial!),
        'what is left is consecutive',
      );
      const kept = await walk(store, oldestFirst('kept'));
      assert.deepEqual(
        kept.items.map((item) => item.payload),
        ['kept'],
      );
    },
  },
];

export const reset: DriverTestCase<HistoryContext>[] = [
  {
    name: 'reset drops every message and starts a new stream from serial 1',
    async run({ store }) {
      const before = await appendRun(store, 'app-1', 'resettable', 5);
      const result = await store.reset('app-1', 'resettable');
      assert.equal(result.previousStreamId, before[0]!.streamId);
      assert.notEqual(result.newStreamId, before[0]!.streamId);
      assert.equal(result.purgedMessages, 5);
      assert.equal(result.purgedBytes, 5 * Buffer.byteLength('m-0'));
      assert.deepEqual(result.state, {
        streamId: result.newStreamId,
        nextSerial: 1,
        retainedMessages: 0,
        retainedBytes: 0,
        oldestSerial: undefined,
        newestSerial: undefined,
        oldestPublishedAtMs: undefined,
        newestPublishedAtMs: undefined,
      });
      assert.deepEqual(await store.state('app-1', 'resettable'), result.state);
      const next = await store.append('app-1', 'resettable', { payload: 'after' }, KEEP);
      assert.deepEqual([next.streamId, next.serial], [result.newStreamId, 1]);
      const { items } = await walk(store, oldestFirst('resettable'));
      assert.deepEqual(
        items.map((item) => item.payload),
        ['after'],
      );
    },
  },
  {
    name: 'reset of a channel without a stream gives it one',
    async run({ store }) {
      const result = await store.reset('app-1', 'fresh');
      assert.equal(result.previousStreamId, undefined);
      assert.equal(typeof result.newStreamId, 'string');
      assert.deepEqual([result.purgedMessages, result.purgedBytes], [0, 0]);
      assert.equal((await store.state('app-1', 'fresh')).streamId, result.newStreamId);
      const next = await store.append('app-1', 'fresh', { payload: 'first' }, KEEP);
      assert.deepEqual([next.streamId, next.serial], [result.newStreamId, 1]);
    },
  },
];

export const purge: DriverTestCase<HistoryContext>[] = [
  {
    name: 'purge before_serial drops the older messages and keeps the stream and the next serial',
    async run({ store }) {
      const before = await appendRun(store, 'app-1', 'purged', 10);
      const result = await store.purge('app-1', 'purged', { mode: 'before_serial', beforeSerial: 4 });
      assert.deepEqual([result.purgedMessages, result.purgedBytes], [3, 3 * Buffer.byteLength('m-0')]);
      assert.deepEqual(
        [
          result.state.streamId,
          result.state.oldestSerial,
          result.state.newestSerial,
          result.state.nextSerial,
        ],
        [before[0]!.streamId, 4, 10, 11],
      );
      assert.equal(result.state.retainedMessages, 7);
      assert.deepEqual(await store.state('app-1', 'purged'), result.state);
      const next = await store.append('app-1', 'purged', { payload: 'next' }, KEEP);
      assert.deepEqual([next.streamId, next.serial], [before[0]!.streamId, 11]);
      const { items } = await walk(store, oldestFirst('purged', 4));
      assert.deepEqual(serials(items), range(4, 11));
    },
  },
  {
    name: 'purge before_time_ms drops the messages published before that time',
    async run({ store }) {
      await appendRun(store, 'app-1', 'purged-time', 3, { tag: 'early' });
      await sleep(5); // pacing only, so that the two groups get different times
      await appendRun(store, 'app-1', 'purged-time', 3, { tag: 'late' });
      const { items: all } = await walk(store, oldestFirst('purged-time'));
      const beforeTimeMs = all[3]!.publishedAtMs;
      const doomed = all.filter((item) => item.publishedAtMs < beforeTimeMs);
      const result = await store.purge('app-1', 'purged-time', { mode: 'before_time_ms', beforeTimeMs });
      assert.equal(result.purgedMessages, doomed.length);
      const { items } = await walk(store, oldestFirst('purged-time'));
      assert.deepEqual(serials(items), serials(all.filter((item) => item.publishedAtMs >= beforeTimeMs)));
      assert.equal(result.state.nextSerial, 7);
    },
  },
  {
    name: 'purge all empties the channel and keeps the stream and the next serial',
    async run({ store }) {
      const before = await appendRun(store, 'app-1', 'emptied', 4);
      const result = await store.purge('app-1', 'emptied', { mode: 'all' });
      assert.deepEqual([result.purgedMessages, result.purgedBytes], [4, 4 * Buffer.byteLength('m-0')]);
      assert.deepEqual(result.state, {
        streamId: before[0]!.streamId,
        nextSerial: 5,
        retainedMessages: 0,
        retainedBytes: 0,
        oldestSerial: undefined,
        newestSerial: undefined,
        oldestPublishedAtMs: undefined,
        newestPublishedAtMs: undefined,
      });
      const next = await store.append('app-1', 'emptied', { payload: 'again' }, KEEP);
      assert.deepEqual([next.streamId, next.serial], [before[0]!.streamId, 5]);
    },
  },
  {
    name: 'purge of a channel without a stream leaves it without one',
    async run({ store }) {
      const result = await store.purge('app-1', 'nothing', { mode: 'all' });
      assert.deepEqual([result.purgedMessages, result.purgedBytes, result.state.streamId], [0, 0, undefined]);
      assert.equal((await store.state('app-1', 'nothing')).streamId, undefined);
    },
  },
];
