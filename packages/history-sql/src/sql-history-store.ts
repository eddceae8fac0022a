// A HistoryStoreV1 over Rust Sockudo's history tables in any SQL database, written once: the driver
// package supplies how to run a statement and a transaction, its schema, and which errors mean what.
//
// Every write locks the channel's `_streams` row first (SELECT … FOR UPDATE), so appends, resets and
// purges of one channel run one at a time on every node, and the serial taken from `next_serial` is
// written back in the same transaction as its entry: a failed append rolls both back, leaving no gap.
// The row's retained_* columns are kept exact as entries come and go, so state() is one row.

import { randomUUID } from 'node:crypto';
import {
  assertHistoryCursorLive,
  emptyHistoryState,
  errorText,
  HistoryCursorExpiredError,
  type HistoryItem,
  type HistoryPurgeRequest,
  type HistoryReadRequest,
  type HistoryRetention,
  type HistoryStoreV1,
  type HistoryStreamState,
  InvalidHistoryRequestError,
  redact,
  SockudoError,
  sleep,
  validateHistoryPurgeRequest,
  validateHistoryReadRequest,
  validateHistoryRetention,
  withTimeout,
} from '@sockudo/core';
import type { HistoryTables } from './history-tables.js';

/** A statement parameter. */
export type HistorySqlParam = string | number | Buffer | null;
/** A row as the driver returns it: column names to values. */
export type HistorySqlRow = Record<string, unknown>;
/** Runs one statement written with `?` placeholders and resolves to its rows (none for a write). */
export type HistorySqlQuery = (sql: string, params: HistorySqlParam[]) => Promise<HistorySqlRow[]>;

/** What a SQL driver package hands {@link createSqlHistoryStore}. */
export interface SqlHistoryDriver {
  /** The store's name at the start of every message, e.g. `'PostgresHistoryStore'`. */
  store: string;
  /** Where it connects (database, host and port; never the user or password). */
  where: string;
  /** The password, removed from every message that would repeat it. */
  password?: string | undefined;
  tables: HistoryTables;
  /** Runs one statement on the pool. */
  query: HistorySqlQuery;
  /**
   * Runs `work` in a transaction on one connection: commits when it resolves, rolls back and rethrows
   * when it rejects, always releases the connection. `snapshot` asks for one consistent view of the
   * database for every statement (REPEATABLE READ, read only).
   */
  transaction<T>(work: (query: HistorySqlQuery) => Promise<T>, snapshot: boolean): Promise<T>;
  /** Whether `error` is a deadlock or serialization failure, after which the whole transaction is tried again. */
  retryable(error: unknown): boolean;
  /** An INSERT of a `_streams` row (app_id, channel, stream_id, updated_at_ms) that does nothing when it exists. */
  insertStreamIfMissing: string;
  /** Creates the tables and indexes; idempotent, and safe when several nodes run it at once. */
  migrate(query: HistorySqlQuery): Promise<void>;
  /** How an app id or channel is stored (e.g. escaped into an ASCII column). @default unchanged */
  storedName?(name: string): string;
  /** Milliseconds one call may take, connecting included. */
  deadlineMs: number;
  /** Retention for appends that bring none. @default { retentionWindowSeconds: 86400 } */
  retention?: HistoryRetention | undefined;
  /** Create the tables on first use. @default true */
  createTables?: boolean | undefined;
  /** Closes the pool (omitted for a pool the user gave). */
  end?(): Promise<void>;
}

/** A {@link HistoryStoreV1} over SQL tables, with `migrate()` for `sockudo migrate` and DBAs. */
export interface SqlHistoryStore extends HistoryStoreV1 {
  readonly tables: HistoryTables;
  /** Creates the tables and indexes when missing. */
  migrate(): Promise<void>;
}

const num = (value: unknown): number | undefined =>
  value === null || value === undefined ? undefined : Number(value);

function stateOf(row: HistorySqlRow): HistoryStreamState {
  return {
    streamId: String(row.stream_id),
    nextSerial: Number(row.next_serial),
    retainedMessages: Number(row.retained_messages),
    retainedBytes: Number(row.retained_bytes),
    oldestSerial: num(row.oldest_available_serial),
    newestSerial: num(row.newest_available_serial),
    oldestPublishedAtMs: num(row.oldest_available_published_at_ms),
    newestPublishedAtMs: num(row.newest_available_published_at_ms),
  };
}

const text = (value: unknown): string => (Buffer.isBuffer(value) ? value.toString('utf8') : String(value));
const optionalText = (value: unknown) => (value === null || value === undefined ? undefined : String(value));
const passThrough = (error: unknown) =>
  HistoryCursorExpiredError.isInstance(error) || InvalidHistoryRequestError.isInstance(error);

/** Creates the history store a SQL driver package describes. */
export function createSqlHistoryStore(driver: SqlHistoryDriver): SqlHistoryStore {
  const { streams, entries } = driver.tables;
  const defaults = driver.retention ?? { retentionWindowSeconds: 86_400 };
  validateHistoryRetention(defaults);
  const stored = driver.storedName ?? ((name: string) => name);
  const streamColumns = `stream_id, next_serial, retained_messages, retained_bytes, oldest_available_serial,
    newest_available_serial, oldest_available_published_at_ms, newest_available_published_at_ms`;
  const selectStream = `SELECT ${streamColumns} FROM ${streams} WHERE app_id = ? AND channel = ?`;
  const inStream = 'app_id = ? AND channel = ? AND stream_id = ?';
  let closed = false;
  let ready: Promise<void> | undefined;

  const failure = (what: string, error: unknown) =>
    new SockudoError(
      `${driver.store}: ${what} failed on ${driver.where}: ${redact(errorText(error), driver.password)}`,
      { cause: error },
    );

  const migrate = () =>
    withTimeout(driver.migrate(driver.query), driver.deadlineMs * 4, () => new Error('no answer'));
  const ensureTables = () => {
    if (driver.createTables === false) return Promise.resolve();
    ready ??= migrate().catch((error) => {
      ready = undefined; // the next call tries again
      throw error;
    });
    return ready;
  };

  /** Runs `what` bounded by the deadline, a transaction retried on deadlocks, failures named. */
  const call = async <T>(what: string, attempt: () => Promise<T>, transactional = true): Promise<T> => {
    if (closed) throw new SockudoError(`${driver.store}: ${what} called after close()`);
    try {
      await ensureTables();
      return await withTimeout(
        (async () => {
          for (let tries = 1; ; tries++) {
            try {
              return await attempt();
            } catch (error) {
              if (!transactional || tries >= 8 || !driver.retryable(error)) throw error;
              await sleep(Math.random() * 10 * tries);
            }
          }
        })(),
        driver.deadlineMs,
        () => new Error(`no answer within ${driver.deadlineMs} ms`),
      );
    } catch (error) {
      throw passThrough(error) ? error : failure(what, error);
    }
  };

  /** The channel's row, locked; created (with `streamId`) when missing. */
  const lockStream = async (query: HistorySqlQuery, appId: string, channel: string, streamId: string) => {
    let [row] = await query(`${selectStream} FOR UPDATE`, [appId, channel]);
    if (!row) {
      await query(driver.insertStreamIfMissing, [appId, channel, streamId, Date.now()]);
      [row] = await query(`${selectStream} FOR UPDATE`, [appId, channel]);
    }
    if (!row) throw new Error(`the ${streams} row of the channel could not be created`);
    return { row, created: String(row.stream_id) === streamId && Number(row.next_serial) === 1 };
  };

  const writeState = (query: HistorySqlQuery, appId: string, channel: string, state: HistoryStreamState) =>
    query(
      `UPDATE ${streams} SET stream_id = ?, next_serial = ?, retained_messages = ?, retained_bytes = ?,
        oldest_available_serial = ?, newest_available_serial = ?, oldest_available_published_at_ms = ?,
        newest_available_published_at_ms = ?, updated_at_ms = ? WHERE app_id = ? AND channel = ?`,
      [
        state.streamId!,
        state.nextSerial!,
        state.retainedMessages,
        state.retainedBytes,
        state.oldestSerial ?? null,
        state.newestSerial ?? null,
        state.oldestPublishedAtMs ?? null,
        state.newestPublishedAtMs ?? null,
        Date.now(),
        appId,
        channel,
      ],
    );

  /** Deletes the entries below `low` and updates `state` to match. */
  const dropBelow = async (
    query: HistorySqlQuery,
    key: HistorySqlParam[],
    state: HistoryStreamState,
    low: number,
  ) => {
    const where = `${inStream} AND serial < ?`;
    const [dropped] = await query(
      `SELECT COUNT(*) AS n, COALESCE(SUM(payload_size_bytes), 0) AS b FROM ${entries} WHERE ${where}`,
      [...key, low],
    );
    await query(`DELETE FROM ${entries} WHERE ${where}`, [...key, low]);
    const messages = Number(dropped?.n ?? 0);
    const bytes = Number(dropped?.b ?? 0);
    state.retainedMessages -= messages;
    state.retainedBytes -= bytes;
    if (state.retainedMessages > 0) {
      const [first] = await query(`SELECT published_at_ms FROM ${entries} WHERE ${inStream} AND serial = ?`, [
        ...key,
        low,
      ]);
      state.oldestSerial = low;
      state.oldestPublishedAtMs = Number(first?.published_at_ms);
    } else {
      Object.assign(state, {
        oldestSerial: undefined,
        newestSerial: undefined,
        oldestPublishedAtMs: undefined,
        newestPublishedAtMs: undefined,
      });
    }
    return { messages, bytes };
  };

  const firstSerialFrom = async (query: HistorySqlQuery, key: HistorySqlParam[], timeMs: number) => {
    const [row] = await query(
      `SELECT MIN(serial) AS s FROM ${entries} WHERE ${inStream} AND published_at_ms >= ?`,
      [...key, timeMs],
    );
    return num(row?.s);
  };

  return {
    specVersion: 1,
    tables: driver.tables,

    async migrate() {
      if (closed) throw new SockudoError(`${driver.store}: migrate called after close()`);
      try {
        await migrate();
      } catch (error) {
        throw failure('migrate', error);
      }
    },

    async append(appId, channel, message, retention) {
      if (typeof message?.payload !== 'string') {
        throw new SockudoError(`${driver.store}: append needs a message with a string payload`);
      }
      if (retention) validateHistoryRetention(retention);
      const policy = retention ?? defaults;
      const [a, c] = [stored(appId), stored(channel)];
      const payload = Buffer.from(message.payload, 'utf8');
      return call('append', () =>
        driver.transaction(async (query) => {
          const { row } = await lockStream(query, a, c, randomUUID());
          const state = stateOf(row);
          const serial = state.nextSerial!;
          const now = Date.now();
          const publishedAtMs = Math.max(now, state.newestPublishedAtMs ?? 0);
          const key = [a, c, state.streamId!];
          await query(
            `INSERT INTO ${entries} (app_id, channel, stream_id, serial, published_at_ms, message_id, event_name,
              operation_kind, payload_bytes, payload_size_bytes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
            [
              ...key,
              serial,
              publishedAtMs,
              message.messageId ?? null,
              message.eventName ?? null,
              message.operationKind ?? 'append',
              payload,
              payload.length,
            ],
          );
          state.nextSerial = serial + 1;
          state.retainedMessages += 1;
          state.retainedBytes += payload.length;
          state.oldestSerial ??= serial;
          state.oldestPublishedAtMs ??= publishedAtMs;
          state.newestSerial = serial;
          state.newestPublishedAtMs = publishedAtMs;
          // The new low end: past the window, then the count bound, then the byte bound (never the newest).
          let low = state.oldestSerial;
          const cutoff = now - policy.retentionWindowSeconds * 1000;
          if (state.oldestPublishedAtMs < cutoff) low = (await firstSerialFrom(query, key, cutoff)) ?? serial;
          const maxMessages = policy.maxMessagesPerChannel;
          if (maxMessages !== undefined && serial - low + 1 > maxMessages) low = serial - maxMessages + 1;
          const maxBytes = policy.maxBytesPerChannel;
          if (maxBytes !== undefined && low < serial && state.retainedBytes > maxBytes) {
            const [kept] = await query(
              `SELECT MIN(serial) AS s FROM (SELECT serial, SUM(payload_size_bytes) OVER (ORDER BY serial DESC) AS kept
                FROM ${entries} WHERE ${inStream} AND serial >= ?) suffix WHERE kept <= ?`,
              [...key, low, maxBytes],
            );
            low = Math.max(low, num(kept?.s) ?? serial);
          }
          if (low > state.oldestSerial) await dropBelow(query, key, state, low);
          await writeState(query, a, c, state);
          return { streamId: state.streamId!, serial, publishedAtMs };
        }, false),
      );
    },

    async readPage(request: HistoryReadRequest) {
      validateHistoryReadRequest(request);
      const [a, c] = [stored(request.appId), stored(request.channel)];
      return call('readPage', () =>
        driver.transaction(async (query) => {
          const [row] = await query(selectStream, [a, c]);
          const state = row ? stateOf(row) : emptyHistoryState();
          assertHistoryCursorLive(request, state);
          if (!row || state.retainedMessages === 0) {
            return { items: [], hasMore: false, nextCursor: undefined, state };
          }
          const clauses = [inStream];
          const params: HistorySqlParam[] = [a, c, state.streamId!];
          const add = (clause: string, value: number | undefined) => {
            if (value === undefined) return;
            clauses.push(clause);
            params.push(value);
          };
          const bounds = request.bounds ?? {};
          const oldestFirst = request.direction === 'oldest_first';
          add('serial >= ?', bounds.startSerial);
          add('serial <= ?', bounds.endSerial);
          add('published_at_ms >= ?', bounds.startTimeMs);
          add('published_at_ms <= ?', bounds.endTimeMs);
          add(oldestFirst ? 'serial > ?' : 'serial < ?', request.cursor?.serial);
          const rows = await query(
            `SELECT serial, published_at_ms, message_id, event_name, operation_kind, payload_bytes, payload_size_bytes
              FROM ${entries} WHERE ${clauses.join(' AND ')}
              ORDER BY serial ${oldestFirst ? 'ASC' : 'DESC'} LIMIT ${request.limit + 1}`,
            params,
          );
          const hasMore = rows.length > request.limit;
          const items: HistoryItem[] = rows.slice(0, request.limit).map((entry) => ({
            streamId: state.streamId!,
            serial: Number(entry.serial),
            publishedAtMs: Number(entry.published_at_ms),
            messageId: optionalText(entry.message_id),
            eventName: optionalText(entry.event_name),
            operationKind: String(entry.operation_kind),
            payload: text(entry.payload_bytes),
            payloadSizeBytes: Number(entry.payload_size_bytes),
          }));
          const last = items[items.length - 1];
          return {
            items,
            hasMore,
            nextCursor: hasMore && last ? { streamId: last.streamId, serial: last.serial } : undefined,
            state,
          };
        }, true),
      );
    },

    async state(appId, channel) {
      const [row] = await call(
        'state',
        () => driver.query(selectStream, [stored(appId), stored(channel)]),
        false,
      );
      return row ? stateOf(row) : emptyHistoryState();
    },

    async reset(appId, channel) {
      const [a, c] = [stored(appId), stored(channel)];
      const newStreamId = randomUUID();
      return call('reset', () =>
        driver.transaction(async (query) => {
          const { row, created } = await lockStream(query, a, c, newStreamId);
          const before = stateOf(row);
          await query(`DELETE FROM ${entries} WHERE app_id = ? AND channel = ?`, [a, c]);
          const state: HistoryStreamState = { ...emptyHistoryState(), streamId: newStreamId, nextSerial: 1 };
          await writeState(query, a, c, state);
          return {
            previousStreamId: created ? undefined : before.streamId,
            newStreamId,
            purgedMessages: created ? 0 : before.retainedMessages,
            purgedBytes: created ? 0 : before.retainedBytes,
            state,
          };
        }, false),
      );
    },

    async purge(appId, channel, request: HistoryPurgeRequest) {
      validateHistoryPurgeRequest(request);
      const [a, c] = [stored(appId), stored(channel)];
      return call('purge', () =>
        driver.transaction(async (query) => {
          const [row] = await query(`${selectStream} FOR UPDATE`, [a, c]);
          if (!row) return { purgedMessages: 0, purgedBytes: 0, state: emptyHistoryState() };
          const state = stateOf(row);
          if (state.retainedMessages === 0) return { purgedMessages: 0, purgedBytes: 0, state };
          const oldest = state.oldestSerial!;
          const newest = state.newestSerial!;
          const key = [a, c, state.streamId!];
          const low =
            request.mode === 'all'
              ? newest + 1
              : request.mode === 'before_serial'
                ? Math.min(request.beforeSerial, newest + 1)
                : ((await firstSerialFrom(query, key, request.beforeTimeMs)) ?? newest + 1);
          if (low <= oldest) return { purgedMessages: 0, purgedBytes: 0, state };
          const dropped = await dropBelow(query, key, state, low);
          await writeState(query, a, c, state);
          return { purgedMessages: dropped.messages, purgedBytes: dropped.bytes, state };
        }, false),
      );
    },

    async checkHealth() {
      await call('checkHealth', () => driver.query('SELECT 1', []), false);
    },

    async close() {
      if (closed) return;
      closed = true;
      await driver.end?.();
    },
  };
}
