// The history suite's groups about streams and serials: the basics, serials per channel and app,
// concurrent appends, a reset racing appends, durability across instances, namespaces and close().

import assert from 'node:assert/strict';
import type { HistoryAppendResult, HistoryStoreV1 } from '@sockudo/core';
import type { DriverTestCase } from '../driver/driver-suite.js';
import { appendRun, type HistoryContext, KEEP, range, serials, walk } from './history-context.js';

const METHODS = ['append', 'readPage', 'state', 'reset', 'purge', 'checkHealth', 'close'] as const;

export const basics: DriverTestCase<HistoryContext>[] = [
  {
    name: 'specVersion is 1 and every method is a function',
    async run({ store }) {
      assert.equal(store.specVersion, 1);
      for (const method of METHODS)
        assert.equal(typeof store[method], 'function', `${method} should be a function`);
    },
  },
  {
    name: 'checkHealth resolves while the backend answers',
    async run({ store }) {
      await store.checkHealth();
    },
  },
  {
    name: 'a channel never appended to has no stream and an empty page',
    async run({ store }) {
      const state = await store.state('app-1', 'never-written');
      assert.deepEqual(state, {
        streamId: undefined,
        nextSerial: undefined,
        retainedMessages: 0,
        retainedBytes: 0,
        oldestSerial: undefined,
        newestSerial: undefined,
        oldestPublishedAtMs: undefined,
        newestPublishedAtMs: undefined,
      });
      for (const direction of ['newest_first', 'oldest_first'] as const) {
        const page = await store.readPage({ appId: 'app-1', channel: 'never-written', direction, limit: 10 });
        assert.deepEqual(page.items, []);
        assert.equal(page.hasMore, false);
        assert.equal(page.nextCursor, undefined);
        assert.equal(page.state.streamId, undefined);
      }
      // Reading did not create a stream.
      assert.equal((await store.state('app-1', 'never-written')).streamId, undefined);
    },
  },
];

export const serialGroup: DriverTestCase<HistoryContext>[] = [
  {
    name: 'serials run 1, 2, 3 … in one stream, and state() follows',
    async run({ store }) {
      const results = await appendRun(store, 'app-1', 'chat', 5);
      assert.deepEqual(serials(results), [1, 2, 3, 4, 5]);
      const streamId = results[0]!.streamId;
      assert.equal(typeof streamId, 'string');
      assert.ok(streamId.length > 0, 'the stream id should not be empty');
      for (const result of results)
        assert.equal(result.streamId, streamId, 'every append should be in one stream');
      for (let i = 1; i < results.length; i++) {
        assert.ok(
          results[i]!.publishedAtMs >= results[i - 1]!.publishedAtMs,
          'publishedAtMs should never decrease along a stream',
        );
      }
      const state = await store.state('app-1', 'chat');
      assert.deepEqual(state, {
        streamId,
        nextSerial: 6,
        retainedMessages: 5,
        retainedBytes: results.reduce((sum, _, i) => sum + Buffer.byteLength(`m-${i}`), 0),
        oldestSerial: 1,
        newestSerial: 5,
        oldestPublishedAtMs: results[0]!.publishedAtMs,
        newestPublishedAtMs: results[4]!.publishedAtMs,
      });
    },
  },
  {
    name: 'channels, and the same channel in another app, have streams and serials of their own',
    async run({ store }) {
      const targets = [
        ['app-1', 'chat-a'],
        ['app-1', 'chat-b'],
        ['app-2', 'chat-a'],
      ] as const;
      const results: HistoryAppendResult[][] = targets.map(() => []);
      for (let round = 0; round < 3; round++) {
        for (const [index, [appId, channel]] of targets.entries()) {
          results[index]!.push(
            await store.append(appId, channel, { payload: `${appId}/${channel}/${round}` }, KEEP),
          );
        }
      }
      for (const run of results) assert.deepEqual(serials(run), [1, 2, 3]);
      const streamIds = new Set(results.map((run) => run[0]!.streamId));
      assert.equal(streamIds.size, 3, 'each (app, channel) should have its own stream id');
      for (const [index, [appId, channel]] of targets.entries()) {
        const { items } = await walk(store, { appId, channel, direction: 'oldest_first', limit: 10 });
        assert.deepEqual(
          items.map((item) => item.payload),
          [0, 1, 2].map((round) => `${appId}/${channel}/${round}`),
        );
        assert.equal((await store.state(appId, channel)).streamId, results[index]![0]!.streamId);
      }
    },
  },
  {
    name: 'app and channel names with awkward characters stay apart',
    async run({ store }) {
      const names: Array<[string, string]> = [
        ['app-1', 'presence-{room}'],
        ['app-1', 'presence-{room'],
        ['app-1', 'private-a:b'],
        ['app-1', 'private-a'],
        ['app-1', 'ünïcødé-💬'],
        ['app-1', 'x*?[chars]'],
        ['app-{1}', 'presence-{room}'],
        ['app-1:private-a', 'b'],
      ];
      for (const [appId, channel] of names)
        await store.append(appId, channel, { payload: `${appId}|${channel}` }, KEEP);
      for (const [appId, channel] of names) {
        const page = await store.readPage({ appId, channel, direction: 'oldest_first', limit: 10 });
        assert.deepEqual(
          page.items.map((item) => [item.serial, item.payload]),
          [[1, `${appId}|${channel}`]],
          `history of ${JSON.stringify([appId, channel])}`,
        );
      }
    },
  },
  {
    name: 'concurrent appends get distinct, consecutive serials with no gap',
    async run({ store, scope, durable }) {
      // Durable stores: several instances over one backend, as the nodes of a cluster are.
      const stores: HistoryStoreV1[] = [store];
      if (durable) for (let i = 0; i < 3; i++) stores.push(await scope.create());
      const count = 200;
      const results = await Promise.all(
        range(0, count - 1).map((i) =>
          stores[i % stores.length]!.append('app-1', 'race', { payload: `p-${i}` }, KEEP).then((result) => ({
            ...result,
            payload: `p-${i}`,
          })),
        ),
      );
      assert.deepEqual(
        [...serials(results)].sort((a, b) => a - b),
        range(1, count),
        'the serials of 200 concurrent appends should be exactly 1..200',
      );
      assert.equal(
        new Set(results.map((result) => result.streamId)).size,
        1,
        'every append should be in one stream',
      );
      const bySerial = new Map(results.map((result) => [result.serial, result.payload]));
      const { items } = await walk(stores[stores.length - 1]!, {
        appId: 'app-1',
        channel: 'race',
        direction: 'oldest_first',
        limit: 64,
      });
      assert.deepEqual(serials(items), range(1, count));
      for (const item of items) {
        assert.equal(
          item.payload,
          bySerial.get(item.serial),
          `the message stored under serial ${item.serial}`,
        );
      }
    },
  },
  {
    name: 'a store that declares orderedAppends gives appends called without waiting serials in call order',
    async run({ store }) {
      if (store.orderedAppends !== true) return; // the promise is optional; nothing to hold it to
      const results = await Promise.all(
        range(0, 99).map((i) => store.append('app-1', 'ordered', { payload: `p-${i}` }, KEEP)),
      );
      assert.deepEqual(serials(results), range(1, 100), 'serial i + 1 for the i-th append called');
    },
  },
  {
    name: 'a reset racing appends: each append lands wholly in the old stream or in the new one',
    async run({ store }) {
      const before = await store.append('app-1', 'reset-race', { payload: 'before' }, KEEP);
      const appends = range(0, 59).map((i) =>
        store.append('app-1', 'reset-race', { payload: `r-${i}` }, KEEP).then((result) => ({ ...result, i })),
      );
      const reset = store.reset('app-1', 'reset-race');
      const later = range(60, 119).map((i) =>
        store.append('app-1', 'reset-race', { payload: `r-${i}` }, KEEP).then((result) => ({ ...result, i })),
      );
      const [results, resetResult] = await Promise.all([Promise.all([...appends, ...later]), reset]);
      assert.equal(resetResult.previousStreamId, before.streamId);
      assert.notEqual(resetResult.newStreamId, before.streamId);
      const inNew = results.filter((result) => result.streamId === resetResult.newStreamId);
      const inOld = results.filter((result) => result.streamId === before.streamId);
      assert.equal(
        inNew.length + inOld.length,
        results.length,
        'every append should be in the old or the new stream',
      );
      assert.deepEqual(
        [...serials(inNew)].sort((a, b) => a - b),
        range(1, inNew.length),
        'appends after the reset should be serials 1.. of the new stream',
      );
      const { items } = await walk(store, {
        appId: 'app-1',
        channel: 'reset-race',
        direction: 'oldest_first',
        limit: 50,
      });
      const expected = [...inNew].sort((a, b) => a.serial - b.serial).map((result) => `r-${result.i}`);
      assert.deepEqual(
        items.map((item) => item.payload),
        expected,
        'the channel should hold exactly the appends of the new stream',
      );
      for (const item of items) assert.equal(item.streamId, resetResult.newStreamId);
    },
  },
];

export const durability: DriverTestCase<HistoryContext>[] = [
  {
    name: 'a new instance over the same backend continues the stream with the next serial',
    async run({ store, scope }) {
      const first = await appendRun(store, 'app-1', 'durable', 3);
      await scope.close(store);
      const again = await scope.create();
      const state = await again.state('app-1', 'durable');
      assert.equal(state.streamId, first[0]!.streamId, 'the stream id should survive the restart');
      assert.equal(state.nextSerial, 4);
      const next = await again.append('app-1', 'durable', { payload: 'm-3' }, KEEP);
      assert.deepEqual([next.streamId, next.serial], [first[0]!.streamId, 4]);
      const { items } = await walk(again, {
        appId: 'app-1',
        channel: 'durable',
        direction: 'oldest_first',
        limit: 10,
      });
      assert.deepEqual(
        items.map((item) => item.payload),
        ['m-0', 'm-1', 'm-2', 'm-3'],
      );
    },
  },
];

export const namespaces: DriverTestCase<HistoryContext>[] = [
  {
    name: 'stores of different namespaces never see each other’s channels',
    async run({ store, scope }) {
      const other = await scope.create(scope.another());
      const mine = await store.append('app-1', 'shared-name', { payload: 'mine' }, KEEP);
      assert.equal((await other.state('app-1', 'shared-name')).streamId, undefined);
      const theirs = await other.append('app-1', 'shared-name', { payload: 'theirs' }, KEEP);
      assert.equal(theirs.serial, 1);
      assert.notEqual(theirs.streamId, mine.streamId);
      await other.reset('app-1', 'shared-name');
      const page = await store.readPage({
        appId: 'app-1',
        channel: 'shared-name',
        direction: 'oldest_first',
        limit: 5,
      });
      assert.deepEqual(
        page.items.map((item) => item.payload),
        ['mine'],
      );
    },
  },
];

export const lifecycle: DriverTestCase<HistoryContext>[] = [
  {
    name: 'close() resolves, and resolves again when called twice',
    async run({ store, scope }) {
      await store.append('app-1', 'closing', { payload: 'x' }, KEEP);
      await scope.close(store);
      await store.close();
    },
  },
];
