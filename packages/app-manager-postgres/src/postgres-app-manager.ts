// Apps from the PostgreSQL `applications` table Rust Sockudo uses, through a pg pool. Lookups go by
// primary key or the unique `key` index; the server puts createCachedAppManager in front of this.

import {
  addableColumns,
  checkTableName,
  createSqlAppManager,
  createTableStatement,
  describeSqlTarget,
  type SqlAppManager,
  type SqlAppManagerOptions,
  type SqlExecute,
  withDeadline,
} from '@sockudo/app-manager-sql';
import type pg from 'pg';
import { openPostgresPool, type PostgresPoolOptions } from './postgres-pool.js';
import { POSTGRES_DIALECT, postgresIndexes, quoted } from './postgres-schema.js';

/** Options of {@link createPostgresAppManager}: the pool's, the table and the health check timeout. */
export type PostgresAppManagerOptions = PostgresPoolOptions &
  Pick<SqlAppManagerOptions, 'table' | 'healthCheckTimeoutMs'>;

/** An app manager (`AppManagerV1`) over a PostgreSQL table, with every optional method. */
export interface PostgresAppManager extends SqlAppManager<pg.Pool> {
  /** The pg pool, to run your own queries against the same database. */
  readonly pool: pg.Pool;
}

/** Server codes (and client messages) after which the connection is gone and a read is worth one retry. */
const CONNECTION_LOST_CODES = new Set(['57P01', '57P02', '08006', '08003', '08001', 'ECONNRESET', 'EPIPE']);

function connectionLost(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && CONNECTION_LOST_CODES.has(code)) return true;
  return (
    typeof message === 'string' &&
    /Connection terminated|connection.*(ended|closed)|Client has encountered a connection error/i.test(
      message,
    )
  );
}

function codeOf(error: unknown): unknown {
  return (
    (error as { code?: unknown } | undefined)?.code ?? (error as { cause?: { code?: unknown } })?.cause?.code
  );
}

/** PostgreSQL text cannot hold NUL, so no stored id or key contains one. */
function storable(value: unknown): value is string {
  return typeof value === 'string' && value !== '' && !value.includes('\u0000');
}

/**
 * Creates an app manager over Rust Sockudo's PostgreSQL `applications` table. Nothing connects until
 * the first call; a database that cannot be reached makes that call (and `checkHealth()`) reject with an
 * error naming host:port and database. Connections lost later are replaced by the pool (its `'error'`
 * events are handled here), and a lookup that hits one is retried once.
 *
 * @example
 * ```ts
 * import { createServer } from '@sockudo/core';
 * import { createPostgresAppManager } from '@sockudo/app-manager-postgres';
 *
 * const appManager = createPostgresAppManager({ url: 'postgres://sockudo:secret@127.0.0.1:5432/sockudo' });
 * await appManager.migrate();
 * const server = createServer({ port: 6001, appManager });
 * await server.listen();
 * ```
 *
 * @throws ConfigError for an invalid table name, URL or port
 */
export function createPostgresAppManager(options: PostgresAppManagerOptions = {}): PostgresAppManager {
  const table = checkTableName(
    options.table ?? 'applications',
    'database.postgres.table_name',
    POSTGRES_DIALECT,
  );
  const { pool, target } = openPostgresPool(options, 'sockudo');
  const deadlineMs = (options.connectTimeoutMs ?? 5000) + (options.queryTimeoutMs ?? 5000);

  return createSqlAppManager({
    manager: 'PostgresAppManager',
    dialect: POSTGRES_DIALECT,
    table,
    pool,
    where: describeSqlTarget(POSTGRES_DIALECT, target),
    password: target?.password,
    deadlineMs,
    healthCheckTimeoutMs: options.healthCheckTimeoutMs ?? 2000,
    query: async (sql, params) => (await pool.query(sql, params)).rows,
    async transaction(work) {
      const client = await withDeadline(pool.connect(), deadlineMs);
      // A client whose connection broke goes back destroyed, not to be handed out again.
      let broken = false;
      try {
        await client.query('BEGIN');
        await work(async (sql, params) => (await client.query(sql, params)).rows);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {
          broken = true;
        });
        broken ||= connectionLost(error);
        throw error;
      } finally {
        client.release(broken);
      }
    },
    connectionLost,
    missingTable: (error) => codeOf(error) === '42P01',
    duplicate: (error) => codeOf(error) === '23505',
    storable,
    deleteStatement: (id) => [`DELETE FROM ${quoted(table)} WHERE id = $1`, [id]],
    migrate: (execute) => migratePostgres(execute, table),
    ...(target === undefined ? {} : { end: () => pool.end() }),
  });
}

/**
 * Creates the table, its missing columns and indexes; every statement is idempotent. Two nodes running
 * `IF NOT EXISTS` at the same moment can still collide in the catalog (duplicate pg_type / relation /
 * column); the second try then sees the object exists.
 */
async function migratePostgres(execute: SqlExecute, table: string): Promise<void> {
  const ddl = async (what: string, sql: string) => {
    try {
      await execute(what, sql, []);
    } catch (error) {
      if (!['23505', '42P07', '42701', '42710'].includes(String(codeOf(error)))) throw error;
      await execute(what, sql, []);
    }
  };
  await ddl('migrate (create table)', createTableStatement(POSTGRES_DIALECT, table));
  for (const [column, definition] of addableColumns(POSTGRES_DIALECT)) {
    await ddl(
      `migrate (add column ${column})`,
      `ALTER TABLE ${quoted(table)} ADD COLUMN IF NOT EXISTS ${column} ${definition}`,
    );
  }
  for (const statement of postgresIndexes(table)) await ddl('migrate (create index)', statement);
}
