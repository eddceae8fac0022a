// What every history-store test gets, and the helpers they share: appending runs of messages and
// walking a channel page by page the way the HTTP routes and recovery do.

import assert from 'node:assert/strict';
import type {
  HistoryAppendResult,
  HistoryItem,
  HistoryReadRequest,
  HistoryRetention,
  HistoryStoreV1,
} from '@sockudo/core';
import type { DriverScope } from '../driver/driver-suite.js';

/** One test's store, its scope and the suite's settings. */
export interface HistoryContext {
  store: HistoryStoreV1;
  scope: DriverScope<HistoryStoreV1>;
  /** Instances over one namespace share a backend that outlives them. */
  durable: boolean;
  /** How long a message appended with a 1 s window may take to be dropped. */
  expiryWaitMs: number;
  /** How many messages the long walks go through. */
  walkMessages: number;
}

/** A retention that drops nothing a test appends. */
export const KEEP: HistoryRetention = { retentionWindowSeconds: 3600 };

/** Appends `count` messages one after the other; payload `${tag}-${i}` unless `payload` says otherwise. */
export async function appendRun(
  store: HistoryStoreV1,
  appId: string,
  channel: string,
  count: number,
  options: { tag?: string; payload?: (i: number) => string; retention?: HistoryRetention } = {},
): Promise<HistoryAppendResult[]> {
  const results: HistoryAppendResult[] = [];
  for (let i = 0; i < count; i++) {
    const payload = options.payload ? options.payload(i) : `${options.tag ?? 'm'}-${i}`;
    results.push(await store.append(appId, channel, { payload, eventName: 'e' }, options.retention ?? KEEP));
  }
  return results;
}

/**
 * Follows `nextCursor` from the first page to the last and returns every item in order, checking the
 * page contract on the way: at most `limit` items, `hasMore` exactly when a cursor is given, and the
 * cursor being the last item's position.
 */
export async function walk(
  store: HistoryStoreV1,
  request: Omit<HistoryReadRequest, 'cursor'>,
  maxPages = 1000,
): Promise<{ items: HistoryItem[]; pages: number }> {
  const items: HistoryItem[] = [];
  let cursor: HistoryReadRequest['cursor'];
  for (let pages = 1; pages <= maxPages; pages++) {
    const page = await store.readPage({ ...request, cursor });
    assert.ok(
      page.items.length <= request.limit,
      `a page of limit ${request.limit} had ${page.items.length} items`,
    );
    items.push(...page.items);
    if (!page.hasMore) {
      assert.equal(page.nextCursor, undefined, 'the last page (hasMore false) should have no nextCursor');
      return { items, pages };
    }
    const last = page.items[page.items.length - 1];
    assert.ok(last, 'a page with hasMore should not be empty');
    assert.deepEqual(
      page.nextCursor,
      { streamId: last.streamId, serial: last.serial },
      "nextCursor should be the last item's position",
    );
    cursor = page.nextCursor;
  }
  throw new Error(`the walk over ${request.channel} did not end within ${maxPages} pages`);
}

/** The serials of `items`. */
export const serials = (items: Array<{ serial: number }>) => items.map((item) => item.serial);

/** `from..to` inclusive, counting down when `from > to`. */
export function range(from: number, to: number): number[] {
  const step = from <= to ? 1 : -1;
  return Array.from({ length: Math.abs(to - from) + 1 }, (_, i) => from + i * step);
}

/** Rejects unless `promise` rejects with a `HistoryCursorExpiredError` (by name, from any copy of core). */
export async function rejectsAsExpired(promise: Promise<unknown>, what: string): Promise<void> {
  await assert.rejects(
    promise,
    (error: unknown) => (error as { name?: unknown } | null)?.name === 'HistoryCursorExpiredError',
    `${what} should reject with HistoryCursorExpiredError`,
  );
}
