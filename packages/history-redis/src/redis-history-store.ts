// The `redis` / `redis-cluster` history store: every node that points at the same Redis (and prefix)
// appends to and reads the same per-channel streams. One Lua script per call does the whole step, so
// serials are consecutive across the cluster and a read never sees half an append.

import { randomUUID } from 'node:crypto';
import {
  assertHistoryCursorLive,
  type HistoryItem,
  type HistoryPage,
  type HistoryReadRequest,
  type HistoryRetention,
  type HistoryStoreV1,
  type HistoryStreamState,
  SockudoError,
  validateHistoryPurgeRequest,
  validateHistoryReadRequest,
  validateHistoryRetention,
} from '@sockudo/core';
import {
  closeRedisConnection,
  openRedisConnection,
  type RedisConnectionOptions,
  withDeadline,
} from '@sockudo/redis-connection';
import { type HistoryKeys, historyKeys } from './history-keys.js';
import { APPEND, PURGE, READ, RESET, STATE } from './history-scripts.js';

/** Options of {@link createRedisHistoryStore}. */
export interface RedisHistoryStoreOptions extends RedisConnectionOptions {
  /**
   * Prepended to every key (`${prefix}{${app}:${channel}}:meta`, `…:entries`). Instances with the same
   * prefix share the history; another prefix keeps a second deployment apart on the same Redis.
   * @default 'sockudo_history:'
   */
  prefix?: string;
  /**
   * Retention for appends that bring none of their own. The server passes each channel's policy
   * (`history.retention_window_seconds`, `history.max_messages_per_channel`, … per app and namespace).
   * @default { retentionWindowSeconds: 86400 } (Rust Sockudo's defaults: no count or byte bound)
   */
  retention?: HistoryRetention;
  /**
   * How long one Redis command may wait (including while Redis is unreachable) before it rejects.
   * @default 2000
   */
  commandTimeoutMs?: number;
}

type RawEntry = [id: string, fields: string[]];
type RawState = [
  string | null,
  number | null,
  number,
  number,
  number | null,
  number | null,
  number | null,
  number | null,
];

interface Scripts {
  sockudoHistoryAppend(
    meta: string,
    entries: string,
    ...args: Array<string | number>
  ): Promise<[string, number, number]>;
  sockudoHistoryRead(
    meta: string,
    entries: string,
    ...args: Array<string | number>
  ): Promise<[RawState, RawEntry[], number]>;
  sockudoHistoryState(meta: string, entries: string): Promise<RawState>;
  sockudoHistoryReset(
    meta: string,
    entries: string,
    streamId: string,
    windowSeconds: number,
  ): Promise<[string | null, number, number, RawState]>;
  sockudoHistoryPurge(
    meta: string,
    entries: string,
    mode: string,
    value: string,
  ): Promise<[number, number, RawState]>;
}

const orUndefined = <T>(value: T | null | false): T | undefined =>
  value === null || value === false ? undefined : value;

function toState(raw: RawState): HistoryStreamState {
  return {
    streamId: orUndefined(raw[0]),
    nextSerial: orUndefined(raw[1]),
    retainedMessages: raw[2],
    retainedBytes: raw[3],
    oldestSerial: orUndefined(raw[4]),
    newestSerial: orUndefined(raw[5]),
    oldestPublishedAtMs: orUndefined(raw[6]),
    newestPublishedAtMs: orUndefined(raw[7]),
  };
}

function toItem(streamId: string, [id, list]: RawEntry): HistoryItem {
  const fields: Record<string, string> = {};
  for (let i = 0; i < list.length; i += 2) fields[list[i]!] = list[i + 1]!;
  return {
    streamId,
    serial: Number(id.slice(0, id.indexOf('-'))),
    publishedAtMs: Number(fields.t),
    messageId: fields.m,
    eventName: fields.e,
    operationKind: fields.o ?? 'append',
    payload: fields.p ?? '',
    payloadSizeBytes: Number(fields.n),
  };
}

const optional = (value: number | undefined) => (value === undefined ? '' : String(value));

/**
 * Creates a {@link HistoryStoreV1} backed by Redis or Redis Cluster.
 *
 * @example
 * ```ts
 * import { createRedisHistoryStore } from '@sockudo/history-redis';
 * const history = createRedisHistoryStore({ url: 'redis://127.0.0.1:6379' });
 * const { streamId, serial } = await history.append('app-1', 'chat', { payload: '{"event":"hi"}' });
 * ```
 */
export function createRedisHistoryStore(options: RedisHistoryStoreOptions = {}): HistoryStoreV1 {
  const prefix = options.prefix ?? 'sockudo_history:';
  const defaults: HistoryRetention = options.retention ?? { retentionWindowSeconds: 86_400 };
  validateHistoryRetention(defaults);
  const timeoutMs = options.commandTimeoutMs ?? 2000;
  // Appends of a burst go out in one write instead of one each: ioredis queues the commands of one
  // event-loop turn and sends them together, still in call order (so `orderedAppends` holds).
  const connection = openRedisConnection(
    {
      ...options,
      redis: { enableAutoPipelining: true, ...options.redis },
      cluster: { enableAutoPipelining: true, ...options.cluster },
    },
    'sockudo-history',
    timeoutMs,
  );
  const { client } = connection;
  client.defineCommand('sockudoHistoryAppend', { numberOfKeys: 2, lua: APPEND });
  client.defineCommand('sockudoHistoryRead', { numberOfKeys: 2, lua: READ });
  client.defineCommand('sockudoHistoryState', { numberOfKeys: 2, lua: STATE });
  client.defineCommand('sockudoHistoryReset', { numberOfKeys: 2, lua: RESET });
  client.defineCommand('sockudoHistoryPurge', { numberOfKeys: 2, lua: PURGE });
  const scripts = client as unknown as Scripts;
  let closed = false;

  /** Runs `call` within the deadline (a little beyond ioredis's own, so its more specific error wins). */
  const run = async <T>(what: string, call: () => Promise<T>): Promise<T> => {
    if (closed) throw new SockudoError(`RedisHistoryStore: ${what} called after close()`);
    return withDeadline(call(), timeoutMs + 250, what);
  };
  const keys = (appId: string, channel: string): HistoryKeys => historyKeys(prefix, appId, channel);

  return {
    specVersion: 1,
    // One connection per channel (its slot), scripts run in the order they were sent.
    orderedAppends: true,

    async append(appId, channel, message, retention) {
      if (typeof message?.payload !== 'string') {
        throw new SockudoError('RedisHistoryStore: append needs a message with a string payload');
      }
      const policy = retention ?? defaults;
      if (retention) validateHistoryRetention(retention);
      const { meta, entries } = keys(appId, channel);
      const [streamId, serial, publishedAtMs] = await run('append', () =>
        scripts.sockudoHistoryAppend(
          meta,
          entries,
          randomUUID(),
          message.payload,
          message.operationKind ?? 'append',
          policy.retentionWindowSeconds,
          policy.maxMessagesPerChannel ?? 0,
          policy.maxBytesPerChannel ?? 0,
          message.eventName ?? '',
          message.eventName === undefined ? '0' : '1',
          message.messageId ?? '',
          message.messageId === undefined ? '0' : '1',
        ),
      );
      return { streamId, serial, publishedAtMs };
    },

    async readPage(request: HistoryReadRequest): Promise<HistoryPage> {
      validateHistoryReadRequest(request);
      const { meta, entries } = keys(request.appId, request.channel);
      const bounds = request.bounds ?? {};
      const [rawState, rawItems, more] = await run('readPage', () =>
        scripts.sockudoHistoryRead(
          meta,
          entries,
          request.direction,
          request.limit,
          optional(request.cursor?.serial),
          optional(bounds.startSerial),
          optional(bounds.endSerial),
          optional(bounds.startTimeMs),
          optional(bounds.endTimeMs),
        ),
      );
      const state = toState(rawState);
      // The state came from the same script as the items: the check sees what the read saw.
      assertHistoryCursorLive(request, state);
      const items =
        state.streamId === undefined ? [] : rawItems.map((entry) => toItem(state.streamId!, entry));
      const hasMore = more === 1;
      const last = items[items.length - 1];
      return {
        items,
        hasMore,
        nextCursor: hasMore && last ? { streamId: last.streamId, serial: last.serial } : undefined,
        state,
      };
    },

    async state(appId, channel) {
      const { meta, entries } = keys(appId, channel);
      return toState(await run('state', () => scripts.sockudoHistoryState(meta, entries)));
    },

    async reset(appId, channel) {
      const { meta, entries } = keys(appId, channel);
      const newStreamId = randomUUID();
      const [previous, purgedMessages, purgedBytes, rawState] = await run('reset', () =>
        scripts.sockudoHistoryReset(meta, entries, newStreamId, defaults.retentionWindowSeconds),
      );
      return {
        previousStreamId: orUndefined(previous),
        newStreamId,
        purgedMessages,
        purgedBytes,
        state: toState(rawState),
      };
    },

    async purge(appId, channel, request) {
      validateHistoryPurgeRequest(request);
      const { meta, entries } = keys(appId, channel);
      const value =
        request.mode === 'before_serial'
          ? String(request.beforeSerial)
          : request.mode === 'before_time_ms'
            ? String(request.beforeTimeMs)
            : '';
      const [purgedMessages, purgedBytes, rawState] = await run('purge', () =>
        scripts.sockudoHistoryPurge(meta, entries, request.mode, value),
      );
      return { purgedMessages, purgedBytes, state: toState(rawState) };
    },

    async checkHealth() {
      await run('checkHealth', () => client.ping());
    },

    async close() {
      if (closed) return;
      closed = true;
      await closeRedisConnection(connection);
    },
  };
}
