// The history suite's groups about reading: pages in both directions with cursors, bounds, what an item
// carries, cursors that can no longer continue, and payloads that must come back exactly.

import assert from 'node:assert/strict';
import type { DriverTestCase } from '../driver/driver-suite.js';
import { sleep } from '../testing/wait.js';
import {
  appendRun,
  type HistoryContext,
  KEEP,
  range,
  rejectsAsExpired,
  serials,
  walk,
} from './history-context.js';

const at = (appId: string, channel: string) => ({ appId, channel });

export const pages: DriverTestCase<HistoryContext>[] = [
  {
    name: 'oldest_first pages, followed by their cursors, return every message once, in order',
    async run({ store }) {
      await appendRun(store, 'app-1', 'walk', 53);
      const { items, pages: count } = await walk(store, {
        ...at('app-1', 'walk'),
        direction: 'oldest_first',
        limit: 10,
      });
      assert.deepEqual(serials(items), range(1, 53));
      assert.deepEqual(
        items.map((item) => item.payload),
        range(0, 52).map((i) => `m-${i}`),
      );
      assert.equal(count, 6, '53 messages in pages of 10 should take 6 pages');
    },
  },
  {
    name: 'newest_first pages, followed by their cursors, return every message once, newest first',
    async run({ store }) {
      await appendRun(store, 'app-1', 'walk', 53);
      const { items, pages: count } = await walk(store, {
        ...at('app-1', 'walk'),
        direction: 'newest_first',
        limit: 10,
      });
      assert.deepEqual(serials(items), range(53, 1));
      assert.equal(count, 6);
    },
  },
  {
    name: 'walks over a long channel, appended concurrently, in both directions: no overlap, no hole',
    timeoutMs: 180_000,
    async run({ store, scope, durable, walkMessages }) {
      const stores = [store];
      if (durable) for (let i = 0; i < 3; i++) stores.push(await scope.create());
      const bySerial = new Map<number, string>();
      for (let start = 0; start < walkMessages; start += 100) {
        const batch = range(start, Math.min(start + 100, walkMessages) - 1);
        const results = await Promise.all(
          batch.map((i) => stores[i % stores.length]!.append('app-1', 'long', { payload: `l-${i}` }, KEEP)),
        );
        for (const [index, result] of results.entries()) bySerial.set(result.serial, `l-${batch[index]}`);
      }
      for (const direction of ['oldest_first', 'newest_first'] as const) {
        const { items } = await walk(store, { ...at('app-1', 'long'), direction, limit: 100 }, walkMessages);
        const want = range(1, walkMessages);
        assert.deepEqual(serials(items), direction === 'oldest_first' ? want : want.reverse(), direction);
        for (const item of items) assert.equal(item.payload, bySerial.get(item.serial));
      }
    },
  },
  {
    name: 'a limit that covers everything gives one page without more; a limit of 1 gives one item',
    async run({ store }) {
      await appendRun(store, 'app-1', 'small', 4);
      const all = await store.readPage({ ...at('app-1', 'small'), direction: 'oldest_first', limit: 4 });
      assert.deepEqual(serials(all.items), [1, 2, 3, 4]);
      assert.equal(all.hasMore, false);
      assert.equal(all.nextCursor, undefined);
      const one = await store.readPage({ ...at('app-1', 'small'), direction: 'newest_first', limit: 1 });
      assert.deepEqual(serials(one.items), [4]);
      assert.equal(one.hasMore, true);
      assert.deepEqual(one.nextCursor, { streamId: one.items[0]!.streamId, serial: 4 });
    },
  },
  {
    name: 'serial bounds are inclusive, in both directions and across pages',
    async run({ store }) {
      await appendRun(store, 'app-1', 'bounded', 30);
      const bounds = { startSerial: 5, endSerial: 20 };
      const forwards = await walk(store, {
        ...at('app-1', 'bounded'),
        direction: 'oldest_first',
        limit: 4,
        bounds,
      });
      assert.deepEqual(serials(forwards.items), range(5, 20));
      const backwards = await walk(store, {
        ...at('app-1', 'bounded'),
        direction: 'newest_first',
        limit: 4,
        bounds,
      });
      assert.deepEqual(serials(backwards.items), range(20, 5));
      const open = await walk(store, {
        ...at('app-1', 'bounded'),
        direction: 'newest_first',
        limit: 7,
        bounds: { startSerial: 25 },
      });
      assert.deepEqual(serials(open.items), range(30, 25));
      const beyond = await store.readPage({
        ...at('app-1', 'bounded'),
        direction: 'oldest_first',
        limit: 5,
        bounds: { startSerial: 31 },
      });
      assert.deepEqual(beyond.items, []);
      assert.equal(beyond.hasMore, false);
    },
  },
  {
    name: 'time bounds are inclusive and select by publishedAtMs',
    async run({ store }) {
      for (let group = 0; group < 4; group++) {
        await appendRun(store, 'app-1', 'timed', 3, { tag: `g${group}` });
        await sleep(5); // pacing only, so that the groups get different times
      }
      const { items: all } = await walk(store, {
        ...at('app-1', 'timed'),
        direction: 'oldest_first',
        limit: 100,
      });
      const startTimeMs = all[3]!.publishedAtMs;
      const endTimeMs = all[8]!.publishedAtMs;
      const expected = all.filter(
        (item) => item.publishedAtMs >= startTimeMs && item.publishedAtMs <= endTimeMs,
      );
      assert.ok(expected.length >= 6, 'at least the six messages from the 4th to the 9th are in the window');
      for (const direction of ['oldest_first', 'newest_first'] as const) {
        const { items } = await walk(store, {
          ...at('app-1', 'timed'),
          direction,
          limit: 2,
          bounds: { startTimeMs, endTimeMs },
        });
        const want = serials(expected);
        assert.deepEqual(
          serials(items),
          direction === 'oldest_first' ? want : [...want].reverse(),
          direction,
        );
      }
    },
  },
  {
    name: 'an item carries what was appended: event, message id, operation kind and payload size',
    async run({ store }) {
      const first = await store.append(
        'app-1',
        'fields',
        { payload: '{"ünï":"💬"}', eventName: 'price', messageId: 'msg-1' },
        KEEP,
      );
      await store.append('app-1', 'fields', { payload: 'plain', operationKind: 'update' }, KEEP);
      const page = await store.readPage({ ...at('app-1', 'fields'), direction: 'oldest_first', limit: 10 });
      assert.deepEqual(page.items, [
        {
          streamId: first.streamId,
          serial: 1,
          publishedAtMs: first.publishedAtMs,
          messageId: 'msg-1',
          eventName: 'price',
          operationKind: 'append',
          payload: '{"ünï":"💬"}',
          payloadSizeBytes: Buffer.byteLength('{"ünï":"💬"}'),
        },
        {
          streamId: first.streamId,
          serial: 2,
          publishedAtMs: page.items[1]!.publishedAtMs,
          messageId: undefined,
          eventName: undefined,
          operationKind: 'update',
          payload: 'plain',
          payloadSizeBytes: 5,
        },
      ]);
      assert.deepEqual(
        page.state,
        await store.state('app-1', 'fields'),
        "a page's state should be the channel's state",
      );
    },
  },
  {
    name: 'a cursor from before a reset is refused with HistoryCursorExpiredError',
    async run({ store }) {
      await appendRun(store, 'app-1', 'reset-cursor', 10);
      const first = await store.readPage({
        ...at('app-1', 'reset-cursor'),
        direction: 'newest_first',
        limit: 3,
      });
      await store.reset('app-1', 'reset-cursor');
      await appendRun(store, 'app-1', 'reset-cursor', 10);
      await rejectsAsExpired(
        store.readPage({
          ...at('app-1', 'reset-cursor'),
          direction: 'newest_first',
          limit: 3,
          cursor: first.nextCursor,
        }),
        'a cursor of the stream before the reset',
      );
    },
  },
  {
    name: 'a cursor whose next message was purged is refused; one whose next message remains goes on',
    async run({ store }) {
      await appendRun(store, 'app-1', 'purged-cursor', 20);
      const request = { ...at('app-1', 'purged-cursor'), direction: 'oldest_first' as const, limit: 5 };
      const first = await store.readPage(request);
      assert.equal(first.nextCursor?.serial, 5);
      await store.purge('app-1', 'purged-cursor', { mode: 'before_serial', beforeSerial: 6 });
      const second = await store.readPage({ ...request, cursor: first.nextCursor });
      assert.deepEqual(serials(second.items), range(6, 10), 'serial 6 is still there: the walk goes on');
      await store.purge('app-1', 'purged-cursor', { mode: 'before_serial', beforeSerial: 13 });
      await rejectsAsExpired(
        store.readPage({ ...request, cursor: second.nextCursor }),
        'a cursor at 10 after 11 and 12 were purged',
      );
    },
  },
];

/** What a naive store mangles: quotes, newlines, a NUL, non-ASCII across the planes, JSON text. */
const AWKWARD = `{"event":"news","data":"line 1\\nline 2"}\n"quoted" ünïcødé 鍵 💬 \u0000 \r\n end`;

export const payloads: DriverTestCase<HistoryContext>[] = [
  {
    name: 'payloads come back exactly: Unicode, newlines, NUL, JSON text, the empty string',
    async run({ store }) {
      const sent = [AWKWARD, '', ' ', '\u0000', '"', '\\', '🇺🇦👩‍👩‍👧', 'x'.repeat(1000)];
      for (const payload of sent) await store.append('app-1', 'awkward', { payload, eventName: 'ünï' }, KEEP);
      const { items } = await walk(store, { ...at('app-1', 'awkward'), direction: 'oldest_first', limit: 3 });
      assert.deepEqual(
        items.map((item) => item.payload),
        sent,
      );
      assert.deepEqual(
        items.map((item) => item.payloadSizeBytes),
        sent.map((payload) => Buffer.byteLength(payload)),
      );
      assert.equal(items[0]!.eventName, 'ünï');
    },
  },
  {
    name: 'large payloads (512 KB) come back exactly',
    async run({ store }) {
      const large = `${'ü'.repeat(128 * 1024)}${'x'.repeat(256 * 1024)}💬`;
      await store.append('app-1', 'large', { payload: large }, KEEP);
      await store.append('app-1', 'large', { payload: `${large}!` }, KEEP);
      const { items } = await walk(store, { ...at('app-1', 'large'), direction: 'newest_first', limit: 1 });
      assert.equal(items.length, 2);
      assert.ok(items[0]!.payload === `${large}!`, 'the second large payload should come back unchanged');
      assert.ok(items[1]!.payload === large, 'the first large payload should come back unchanged');
      assert.equal(items[1]!.payloadSizeBytes, Buffer.byteLength(large));
    },
  },
];
