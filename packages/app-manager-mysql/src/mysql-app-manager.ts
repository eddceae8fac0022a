// Apps from the MySQL/MariaDB `applications` table Rust Sockudo uses, through a mysql2 pool. Lookups go
// by primary key or the unique `key` index; the server puts createCachedAppManager in front of this.

import {
  addableColumns,
  checkTableName,
  createSqlAppManager,
  createTableStatement,
  describeSqlTarget,
  type SqlAppManager,
  type SqlAppManagerOptions,
  type SqlExecute,
  type SqlQuery,
  withDeadline,
} from '@sockudo/app-manager-sql';
import type { Pool, PoolConnection, RowDataPacket } from 'mysql2/promise';
import { type MysqlPoolOptions, openMysqlPool } from './mysql-pool.js';
import { MYSQL_DIALECT, mysqlIndexes } from './mysql-schema.js';

/** Options of {@link createMysqlAppManager}: the pool's, the table and the health check timeout. */
export type MysqlAppManagerOptions = MysqlPoolOptions &
  Pick<SqlAppManagerOptions, 'table' | 'healthCheckTimeoutMs'>;

/** An app manager (`AppManagerV1`) over a MySQL/MariaDB table, with every optional method. */
export interface MysqlAppManager extends SqlAppManager<Pool> {
  /** The mysql2 pool, to run your own queries against the same database. */
  readonly pool: Pool;
}

/** Errors after which the connection is gone and a read is worth one more try on a fresh connection. */
const CONNECTION_LOST = new Set([
  'PROTOCOL_CONNECTION_LOST',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ER_SERVER_SHUTDOWN',
  'ER_CONNECTION_KILLED',
  'ER_QUERY_INTERRUPTED',
]);

function connectionLost(error: unknown): boolean {
  const { code, fatal } = (error ?? {}) as { code?: unknown; fatal?: unknown };
  return (
    typeof code === 'string' && (CONNECTION_LOST.has(code) || (fatal === true && code !== 'ECONNREFUSED'))
  );
}

function codeOf(error: unknown): unknown {
  return (error as { code?: unknown } | undefined)?.code;
}

/** The driver error inside the SockudoError a failed statement becomes. */
function causeCode(error: unknown): unknown {
  return (error as { cause?: { code?: unknown } }).cause?.code;
}

/**
 * Creates an app manager over Rust Sockudo's MySQL/MariaDB `applications` table. Nothing connects
 * until the first call; a database that cannot be reached makes that call (and `checkHealth()`) reject
 * with an error naming host:port and database. Connections lost later are replaced by the pool, and a
 * lookup that hits one is retried once.
 *
 * @example
 * ```ts
 * import { createServer } from '@sockudo/core';
 * import { createMysqlAppManager } from '@sockudo/app-manager-mysql';
 *
 * const appManager = createMysqlAppManager({ url: 'mysql://sockudo:secret@127.0.0.1:3306/sockudo' });
 * await appManager.migrate();
 * const server = createServer({ port: 6001, appManager });
 * await server.listen();
 * ```
 *
 * @throws ConfigError for an invalid table name, URL or port
 */
export function createMysqlAppManager(options: MysqlAppManagerOptions = {}): MysqlAppManager {
  const table = checkTableName(options.table ?? 'applications', 'database.mysql.table_name', MYSQL_DIALECT);
  const { pool, target } = openMysqlPool(options);
  const queryTimeoutMs = options.queryTimeoutMs ?? 5000;
  const deadlineMs = (options.connectTimeoutMs ?? 5000) + queryTimeoutMs;

  const queryOn =
    (connection: Pool | PoolConnection): SqlQuery =>
    async (sql, params) => {
      const [result] = await connection.execute({ sql, timeout: queryTimeoutMs }, params);
      return result as RowDataPacket[];
    };

  return createSqlAppManager({
    manager: 'MysqlAppManager',
    dialect: MYSQL_DIALECT,
    table,
    tableLabel: `\`${table}\``,
    pool,
    where: describeSqlTarget(MYSQL_DIALECT, target),
    password: target?.password,
    deadlineMs,
    healthCheckTimeoutMs: options.healthCheckTimeoutMs ?? 2000,
    query: queryOn(pool),
    async transaction(work) {
      const connection = await withDeadline(pool.getConnection(), deadlineMs);
      try {
        await connection.beginTransaction();
        await work(queryOn(connection));
        await connection.commit();
      } catch (error) {
        await connection.rollback().catch(() => {});
        throw error;
      } finally {
        connection.release();
      }
    },
    connectionLost,
    missingTable: (error) => codeOf(error) === 'ER_NO_SUCH_TABLE',
    duplicate: (error) => codeOf(error) === 'ER_DUP_ENTRY',
    storable: (value): value is string => typeof value === 'string' && value !== '',
    // `=` alone would also match other case or trailing blanks under the schema's collation.
    deleteStatement: (id) => [
      `DELETE FROM \`${table}\` WHERE id = ? AND CAST(id AS BINARY) = CAST(? AS BINARY)`,
      [id, id],
    ],
    migrate: (execute) => migrateMysql(execute, table),
    ...(target === undefined ? {} : { end: () => pool.end() }),
  });
}

/** Creates the table when missing, then adds the columns and indexes it lacks (another node may race). */
async function migrateMysql(execute: SqlExecute, table: string): Promise<void> {
  await execute('migrate (create table)', createTableStatement(MYSQL_DIALECT, table), []);
  const columns = await execute(
    'migrate (list columns)',
    'SELECT COLUMN_NAME AS name FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?',
    [table],
  );
  const present = new Set(columns.map((row) => String(row.name).toLowerCase()));
  for (const [name, definition] of addableColumns(MYSQL_DIALECT)) {
    if (present.has(name)) continue;
    try {
      await execute(
        `migrate (add column ${name})`,
        `ALTER TABLE \`${table}\` ADD COLUMN ${name} ${definition}`,
        [],
      );
    } catch (error) {
      // Another node added it first.
      if (causeCode(error) !== 'ER_DUP_FIELDNAME') throw error;
    }
  }
  const indexes = await execute(
    'migrate (list indexes)',
    'SELECT DISTINCT INDEX_NAME AS name FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?',
    [table],
  );
  const indexed = new Set(indexes.map((row) => String(row.name)));
  for (const [name, column] of mysqlIndexes(table)) {
    if (indexed.has(name)) continue;
    try {
      await execute(`migrate (create index ${name})`, `CREATE INDEX ${name} ON \`${table}\` (${column})`, []);
    } catch (error) {
      if (causeCode(error) !== 'ER_DUP_KEYNAME') throw error;
    }
  }
}
