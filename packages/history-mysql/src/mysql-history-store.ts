// Channel history in MySQL/MariaDB, in Rust Sockudo's `<prefix>_streams` and `<prefix>_entries` tables,
// through a mysql2 pool. The shared store in @sockudo/history-sql does the work; this file connects.

import { type MysqlPoolOptions, openMysqlPool } from '@sockudo/app-manager-mysql';
import type { HistoryRetention } from '@sockudo/core';
import {
  createSqlHistoryStore,
  type HistorySqlParam,
  type HistorySqlQuery,
  type HistorySqlRow,
  historyTables,
  mysqlHistoryIndexes,
  mysqlHistorySchema,
  type SqlHistoryStore,
} from '@sockudo/history-sql';
import type { Pool, PoolConnection } from 'mysql2/promise';

/** Options of {@link createMysqlHistoryStore}. Explicit fields override the parts of `url`. */
export interface MysqlHistoryStoreOptions extends MysqlPoolOptions {
  /**
   * The tables are `<tablePrefix>_streams` and `<tablePrefix>_entries` (Rust Sockudo's
   * `history.mysql.table_prefix`).
   * @default 'sockudo_history'
   */
  tablePrefix?: string;
  /** Retention for appends that bring none. @default { retentionWindowSeconds: 86400 } */
  retention?: HistoryRetention;
  /** Create the tables on first use (otherwise run `migrate()`). @default true */
  createTables?: boolean;
}

/** A MySQL history store: `HistoryStoreV1` plus `migrate()` and the pool. */
export interface MysqlHistoryStore extends SqlHistoryStore {
  readonly pool: Pool;
}

const codeOf = (error: unknown) => String((error as { code?: unknown } | null)?.code ?? '');

/**
 * App ids and channels live in ASCII columns (as in Rust Sockudo's schema). Pusher channel names are
 * ASCII and never contain `%`, so they are stored as they are; anything else (`%`, non-ASCII) is
 * percent-escaped as UTF-8, so every name round-trips and two names never meet.
 */
export function storedMysqlName(name: string): string {
  return name.replace(/%|[\u0080-\u{10FFFF}]/gu, (character) => encodeURIComponent(character));
}

/**
 * Creates a channel-history store over MySQL or MariaDB. Nothing connects until the first call, which
 * also creates the tables when they are missing (`createTables`); an unreachable database makes calls
 * reject with an error naming host:port and database, never the password.
 *
 * @example
 * ```ts
 * import { createMysqlHistoryStore } from '@sockudo/history-mysql';
 * const history = createMysqlHistoryStore({ url: 'mysql://sockudo:secret@127.0.0.1:3306/sockudo' });
 * await history.append('app-1', 'chat', { payload: '{"event":"hi"}' });
 * ```
 *
 * @throws ConfigError for an invalid table prefix, URL or port
 */
export function createMysqlHistoryStore(options: MysqlHistoryStoreOptions = {}): MysqlHistoryStore {
  const tables = historyTables(options.tablePrefix ?? 'sockudo_history', 'history.mysql.table_prefix');
  const { pool, target } = openMysqlPool(options);
  const queryTimeoutMs = options.queryTimeoutMs ?? 5000;

  const run =
    (on: Pool | PoolConnection): HistorySqlQuery =>
    async (sql: string, params: HistorySqlParam[]) => {
      const [result] = await on.query({ sql, timeout: queryTimeoutMs }, params);
      return Array.isArray(result) ? (result as HistorySqlRow[]) : [];
    };

  const store = createSqlHistoryStore({
    store: 'MysqlHistoryStore',
    where: target
      ? `MySQL database "${target.database}" at ${target.host}:${target.port}`
      : 'MySQL (the given pool)',
    password: target?.password,
    tables,
    query: run(pool),
    async transaction(work, snapshot) {
      const connection = await pool.getConnection();
      try {
        if (snapshot) {
          await connection.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ');
          await connection.query('START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY');
        } else {
          await connection.beginTransaction();
        }
        const result = await work(run(connection));
        await connection.commit();
        return result;
      } catch (error) {
        await connection.rollback().catch(() => {});
        throw error;
      } finally {
        connection.release();
      }
    },
    retryable: (error) => ['ER_LOCK_DEADLOCK', 'ER_LOCK_WAIT_TIMEOUT'].includes(codeOf(error)),
    insertStreamIfMissing: `INSERT IGNORE INTO ${tables.streams} (app_id, channel, stream_id, next_serial, updated_at_ms)
      VALUES (?, ?, ?, 1, ?)`,
    async migrate(query) {
      for (const statement of mysqlHistorySchema(tables)) await query(statement, []);
      for (const statement of mysqlHistoryIndexes(tables)) {
        try {
          await query(statement, []);
        } catch (error) {
          if (codeOf(error) !== 'ER_DUP_KEYNAME') throw error; // created before, or by another node just now
        }
      }
    },
    storedName: storedMysqlName,
    deadlineMs: (options.connectTimeoutMs ?? 5000) + queryTimeoutMs,
    retention: options.retention,
    createTables: options.createTables,
    ...(target === undefined ? {} : { end: () => pool.end() }),
  });
  return Object.assign(store, { pool });
}
