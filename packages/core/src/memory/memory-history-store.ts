// The in-process history store: one node's channel history, kept in memory and bounded by the retention
// window, a per-channel count, the number of channels and a total byte budget. Nothing survives the
// process, and other nodes never see it: for a single node, tests, and as the reference the suite checks.

import { randomUUID } from 'node:crypto';
import type {
  HistoryAppendResult,
  HistoryItem,
  HistoryMessage,
  HistoryPage,
  HistoryPurgeRequest,
  HistoryReadRequest,
  HistoryRetention,
  HistoryStoreV1,
  HistoryStreamState,
} from '../spec/v1/index.js';
import { SockudoError } from '../util/errors.js';
import {
  assertHistoryCursorLive,
  emptyHistoryState,
  utf8Length,
  validateHistoryPurgeRequest,
  validateHistoryReadRequest,
  validateHistoryRetention,
} from './history-rules.js';

/** Options of {@link createMemoryHistoryStore}. */
export interface MemoryHistoryStoreOptions {
  /**
   * Retention window for appends that bring no retention of their own.
   * @default 86400 (Rust Sockudo's `history.retention_window_seconds`)
   */
  retentionWindowSeconds?: number;
  /**
   * Most messages kept per channel: the default for appends without a count bound, and a cap on the
   * bound an append brings, so a channel can never grow without limit.
   * @default 1000
   */
  maxMessagesPerChannel?: number;
  /** Default byte bound per channel for appends without one. @default undefined (none) */
  maxBytesPerChannel?: number;
  /** Most channels with history; the channel appended to least recently is forgotten first. @default 10000 */
  maxChannels?: number;
  /**
   * Most payload bytes over all channels. Beyond it the channels appended to least recently are
   * forgotten (their next append starts a new stream), then the oldest messages of the current one.
   * @default 67108864 (64 MiB)
   */
  maxTotalBytes?: number;
}

interface Stored {
  serial: number;
  publishedAtMs: number;
  messageId: string | undefined;
  eventName: string | undefined;
  operationKind: string;
  payload: string;
  size: number;
}

/** One channel's stream; `entries[head..]` are the retained messages, consecutive serials. */
interface Channel {
  streamId: string;
  nextSerial: number;
  entries: Stored[];
  head: number;
  bytes: number;
  lastPublishedAtMs: number;
  /** The retention of the last append, applied again on reads. */
  retention: Required<Pick<HistoryRetention, 'retentionWindowSeconds'>> & HistoryRetention;
}

const count = (channel: Channel) => channel.entries.length - channel.head;
const oldest = (channel: Channel) => channel.entries[channel.head];
const at = (channel: Channel, serial: number) =>
  channel.entries[channel.head + serial - oldest(channel)!.serial]!;

/**
 * Creates an in-memory {@link HistoryStoreV1}.
 *
 * @example
 * ```ts
 * import { createMemoryHistoryStore } from '@sockudo/core';
 * const history = createMemoryHistoryStore({ retentionWindowSeconds: 3600, maxMessagesPerChannel: 500 });
 * const { streamId, serial } = await history.append('app-1', 'chat', { payload: '{"event":"hi"}' });
 * ```
 */
export function createMemoryHistoryStore(options: MemoryHistoryStoreOptions = {}): HistoryStoreV1 {
  const defaults: HistoryRetention = {
    retentionWindowSeconds: options.retentionWindowSeconds ?? 86_400,
    maxMessagesPerChannel: options.maxMessagesPerChannel ?? 1000,
    maxBytesPerChannel: options.maxBytesPerChannel,
  };
  validateHistoryRetention(defaults);
  const messageCap = defaults.maxMessagesPerChannel!;
  const maxChannels = options.maxChannels ?? 10_000;
  const maxTotalBytes = options.maxTotalBytes ?? 64 * 1024 * 1024;
  // Insertion order is recency of appends: the first entry is the channel to forget first.
  const channels = new Map<string, Channel>();
  let totalBytes = 0;
  let closed = false;

  const keyOf = (appId: string, channel: string) => `${appId}\u0000${channel}`;
  const ensureOpen = (what: string) => {
    if (closed) throw new SockudoError(`MemoryHistoryStore: ${what} called after close()`);
  };

  const dropOldest = (channel: Channel) => {
    const entry = channel.entries[channel.head]!;
    channel.entries[channel.head] = undefined as unknown as Stored;
    channel.head++;
    channel.bytes -= entry.size;
    totalBytes -= entry.size;
    // Reclaim the array's dead front now and then instead of shifting on every drop.
    if (channel.head > 1024 && channel.head * 2 > channel.entries.length) {
      channel.entries = channel.entries.slice(channel.head);
      channel.head = 0;
    }
    return entry;
  };

  const dropExpired = (channel: Channel, now: number) => {
    const cutoff = now - channel.retention.retentionWindowSeconds * 1000;
    while (count(channel) > 0 && oldest(channel)!.publishedAtMs < cutoff) dropOldest(channel);
  };

  const trim = (channel: Channel, now: number) => {
    dropExpired(channel, now);
    const { maxMessagesPerChannel: maxMessages, maxBytesPerChannel: maxBytes } = channel.retention;
    while (maxMessages !== undefined && count(channel) > maxMessages) dropOldest(channel);
    while (maxBytes !== undefined && count(channel) > 1 && channel.bytes > maxBytes) dropOldest(channel);
  };

  const forget = (key: string) => {
    const channel = channels.get(key);
    if (!channel) return;
    totalBytes -= channel.bytes;
    channels.delete(key);
  };

  const stateOf = (channel: Channel): HistoryStreamState => {
    const first = oldest(channel);
    const last = count(channel) > 0 ? channel.entries[channel.entries.length - 1] : undefined;
    return {
      streamId: channel.streamId,
      nextSerial: channel.nextSerial,
      retainedMessages: count(channel),
      retainedBytes: channel.bytes,
      oldestSerial: first?.serial,
      newestSerial: last?.serial,
      oldestPublishedAtMs: first?.publishedAtMs,
      newestPublishedAtMs: last?.publishedAtMs,
    };
  };

  const newChannel = (key: string): Channel => {
    if (channels.size >= maxChannels) forget(channels.keys().next().value as string);
    const channel: Channel = {
      streamId: randomUUID(),
      nextSerial: 1,
      entries: [],
      head: 0,
      bytes: 0,
      lastPublishedAtMs: 0,
      retention: { ...defaults },
    };
    channels.set(key, channel);
    return channel;
  };

  /** The channel at `key`, with what has outlived its retention dropped; `undefined` without a stream. */
  const current = (key: string) => {
    const channel = channels.get(key);
    if (channel) dropExpired(channel, Date.now());
    return channel;
  };

  /** The first serial published at or after `timeMs` (binary search: times never decrease). */
  const firstAtOrAfter = (channel: Channel, timeMs: number) => {
    let low = channel.head;
    let high = channel.entries.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (channel.entries[middle]!.publishedAtMs < timeMs) low = middle + 1;
      else high = middle;
    }
    return oldest(channel)!.serial + (low - channel.head);
  };

  const toItem = (streamId: string, entry: Stored): HistoryItem => ({
    streamId,
    serial: entry.serial,
    publishedAtMs: entry.publishedAtMs,
    messageId: entry.messageId,
    eventName: entry.eventName,
    operationKind: entry.operationKind,
    payload: entry.payload,
    payloadSizeBytes: entry.size,
  });

  return {
    specVersion: 1,
    // Each append is done before it returns.
    orderedAppends: true,

    async append(appId, channelName, message: HistoryMessage, retention?: HistoryRetention) {
      ensureOpen('append');
      if (typeof message?.payload !== 'string') {
        throw new SockudoError('MemoryHistoryStore: append needs a message with a string payload');
      }
      if (retention) validateHistoryRetention(retention);
      const key = keyOf(appId, channelName);
      let channel = channels.get(key);
      if (channel) {
        channels.delete(key); // re-inserted below: Map order tracks recency of appends
        channels.set(key, channel);
      } else {
        channel = newChannel(key);
      }
      const now = Date.now();
      const publishedAtMs = Math.max(now, channel.lastPublishedAtMs);
      const size = utf8Length(message.payload);
      const serial = channel.nextSerial++;
      channel.entries.push({
        serial,
        publishedAtMs,
        messageId: message.messageId,
        eventName: message.eventName,
        operationKind: message.operationKind ?? 'append',
        payload: message.payload,
        size,
      });
      channel.lastPublishedAtMs = publishedAtMs;
      channel.bytes += size;
      totalBytes += size;
      const given = retention ?? defaults;
      channel.retention = {
        retentionWindowSeconds: given.retentionWindowSeconds,
        maxMessagesPerChannel: Math.min(given.maxMessagesPerChannel ?? messageCap, messageCap),
        maxBytesPerChannel: given.maxBytesPerChannel ?? defaults.maxBytesPerChannel,
      };
      trim(channel, now);
      for (const [otherKey] of channels) {
        if (totalBytes <= maxTotalBytes) break;
        if (otherKey !== key) forget(otherKey);
      }
      while (totalBytes > maxTotalBytes && count(channel) > 1) dropOldest(channel);
      const result: HistoryAppendResult = { streamId: channel.streamId, serial, publishedAtMs };
      return result;
    },

    async readPage(request: HistoryReadRequest): Promise<HistoryPage> {
      ensureOpen('readPage');
      validateHistoryReadRequest(request);
      const channel = current(keyOf(request.appId, request.channel));
      const state = channel ? stateOf(channel) : emptyHistoryState();
      assertHistoryCursorLive(request, state);
      if (!channel || count(channel) === 0) {
        return { items: [], hasMore: false, nextCursor: undefined, state };
      }
      const bounds = request.bounds ?? {};
      let low = state.oldestSerial!;
      let high = state.newestSerial!;
      if (bounds.startSerial !== undefined) low = Math.max(low, bounds.startSerial);
      if (bounds.endSerial !== undefined) high = Math.min(high, bounds.endSerial);
      if (bounds.startTimeMs !== undefined) low = Math.max(low, firstAtOrAfter(channel, bounds.startTimeMs));
      if (bounds.endTimeMs !== undefined) {
        high = Math.min(high, firstAtOrAfter(channel, bounds.endTimeMs + 1) - 1);
      }
      if (request.cursor) {
        if (request.direction === 'oldest_first') low = Math.max(low, request.cursor.serial + 1);
        else high = Math.min(high, request.cursor.serial - 1);
      }
      const matching = Math.max(0, high - low + 1);
      const taken = Math.min(matching, request.limit);
      const items: HistoryItem[] = [];
      for (let i = 0; i < taken; i++) {
        const serial = request.direction === 'oldest_first' ? low + i : high - i;
        items.push(toItem(channel.streamId, at(channel, serial)));
      }
      const hasMore = matching > request.limit;
      const last = items[items.length - 1];
      return {
        items,
        hasMore,
        nextCursor: hasMore && last ? { streamId: last.streamId, serial: last.serial } : undefined,
        state,
      };
    },

    async state(appId, channelName) {
      ensureOpen('state');
      const channel = current(keyOf(appId, channelName));
      return channel ? stateOf(channel) : emptyHistoryState();
    },

    async reset(appId, channelName) {
      ensureOpen('reset');
      const key = keyOf(appId, channelName);
      const channel = current(key);
      const previousStreamId = channel?.streamId;
      const purgedMessages = channel ? count(channel) : 0;
      const purgedBytes = channel?.bytes ?? 0;
      forget(key);
      const fresh = newChannel(key);
      if (channel) fresh.retention = channel.retention;
      return {
        previousStreamId,
        newStreamId: fresh.streamId,
        purgedMessages,
        purgedBytes,
        state: stateOf(fresh),
      };
    },

    async purge(appId, channelName, request: HistoryPurgeRequest) {
      ensureOpen('purge');
      validateHistoryPurgeRequest(request);
      const channel = current(keyOf(appId, channelName));
      if (!channel) return { purgedMessages: 0, purgedBytes: 0, state: emptyHistoryState() };
      let purgedMessages = 0;
      let purgedBytes = 0;
      const doomed = (entry: Stored) =>
        request.mode === 'all' ||
        (request.mode === 'before_serial' && entry.serial < request.beforeSerial) ||
        (request.mode === 'before_time_ms' && entry.publishedAtMs < request.beforeTimeMs);
      // Serials and times both grow along the stream, so what a purge drops is always a prefix.
      while (count(channel) > 0 && doomed(oldest(channel)!)) {
        purgedBytes += dropOldest(channel).size;
        purgedMessages++;
      }
      return { purgedMessages, purgedBytes, state: stateOf(channel) };
    },

    async checkHealth() {
      ensureOpen('checkHealth');
    },

    async close() {
      closed = true;
      channels.clear();
      totalBytes = 0;
    },
  };
}
