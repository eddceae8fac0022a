// Channel history in PostgreSQL, in Rust Sockudo's `<prefix>_streams` and `<prefix>_entries` tables,
// through a pg pool. The shared store in @sockudo/history-sql does the work; this file connects.

import { openPostgresPool, type PostgresPoolOptions } from '@sockudo/app-manager-postgres';
import type { HistoryRetention } from '@sockudo/core';
import {
  createSqlHistoryStore,
  type HistorySqlParam,
  type HistorySqlQuery,
  historyTables,
  postgresHistorySchema,
  type SqlHistoryStore,
} from '@sockudo/history-sql';
import type pg from 'pg';

/** Options of {@link createPostgresHistoryStore}. Explicit fields override the parts of `url`. */
export interface PostgresHistoryStoreOptions extends PostgresPoolOptions {
  /**
   * The tables are `<tablePrefix>_streams` and `<tablePrefix>_entries` (Rust Sockudo's
   * `history.postgres.table_prefix`).
   * @default 'sockudo_history'
   */
  tablePrefix?: string;
  /** Retention for appends that bring none. @default { retentionWindowSeconds: 86400 } */
  retention?: HistoryRetention;
  /** Create the tables on first use (otherwise run `migrate()`). @default true */
  createTables?: boolean;
}

/** A PostgreSQL history store: `HistoryStoreV1` plus `migrate()` and the pool. */
export interface PostgresHistoryStore extends SqlHistoryStore {
  readonly pool: pg.Pool;
}

const codeOf = (error: unknown) => String((error as { code?: unknown } | null)?.code ?? '');

/** `?` placeholders as PostgreSQL's `$1, $2, …` (the shared statements hold no literal `?`). */
function numbered(sql: string): string {
  let index = 0;
  return sql.replace(/\?/g, () => `$${++index}`);
}

/**
 * Creates a channel-history store over PostgreSQL. Nothing connects until the first call, which also
 * creates the tables when they are missing (`createTables`); an unreachable database makes calls reject
 * with an error naming host:port and database, never the password.
 *
 * @example
 * ```ts
 * import { createPostgresHistoryStore } from '@sockudo/history-postgres';
 * const history = createPostgresHistoryStore({ url: 'postgres://sockudo:secret@127.0.0.1:5432/sockudo' });
 * await history.append('app-1', 'chat', { payload: '{"event":"hi"}' });
 * ```
 *
 * @throws ConfigError for an invalid table prefix, URL or port
 */
export function createPostgresHistoryStore(options: PostgresHistoryStoreOptions = {}): PostgresHistoryStore {
  const tables = historyTables(options.tablePrefix ?? 'sockudo_history', 'history.postgres.table_prefix');
  const { pool, target } = openPostgresPool(options, 'sockudo-history');
  const run =
    (on: pg.Pool | pg.PoolClient): HistorySqlQuery =>
    async (sql: string, params: HistorySqlParam[]) =>
      (await on.query(numbered(sql), params)).rows;

  const store = createSqlHistoryStore({
    store: 'PostgresHistoryStore',
    where: target
      ? `PostgreSQL database "${target.database}" at ${target.host}:${target.port}`
      : 'PostgreSQL (the given pool)',
    password: target?.password,
    tables,
    query: run(pool),
    async transaction(work, snapshot) {
      const client = await pool.connect();
      let broken = false;
      try {
        await client.query(snapshot ? 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY' : 'BEGIN');
        const result = await work(run(client));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {
          broken = true;
        });
        throw error;
      } finally {
        client.release(broken);
      }
    },
    // Serialization failure, deadlock.
    retryable: (error) => ['40001', '40P01'].includes(codeOf(error)),
    insertStreamIfMissing: `INSERT INTO ${tables.streams} (app_id, channel, stream_id, next_serial, updated_at_ms)
      VALUES (?, ?, ?, 1, ?) ON CONFLICT (app_id, channel) DO NOTHING`,
    async migrate(query) {
      for (const statement of postgresHistorySchema(tables)) {
        try {
          await query(statement, []);
        } catch (error) {
          // Two nodes creating at the same moment collide in the catalog; the second try sees it exists.
          if (!['23505', '42P07', '42710'].includes(codeOf(error))) throw error;
          await query(statement, []);
        }
      }
    },
    deadlineMs: (options.connectTimeoutMs ?? 5000) + (options.queryTimeoutMs ?? 5000),
    retention: options.retention,
    createTables: options.createTables,
    ...(target === undefined ? {} : { end: () => pool.end() }),
  });
  return Object.assign(store, { pool });
}
