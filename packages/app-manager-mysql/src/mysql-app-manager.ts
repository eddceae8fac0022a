// Apps from the MySQL/MariaDB `applications` table Rust Sockudo uses, through a mysql2 pool. Lookups go
// by primary key or the unique `key` index; the server puts createCachedAppManager in front of this.

import {
  addableColumns,
  appColumns,
  appFromRow,
  applicationStatements,
  checkTableName,
  createSqlCalls,
  createTableStatement,
  describeSqlTarget,
  resolveSqlTarget,
  type SqlAppManager,
  type SqlAppManagerOptions,
  type SqlParam,
  type SqlTarget,
  withDeadline,
} from '@sockudo/app-manager-sql';
import { type App, policyRecord, SockudoError, storedPolicy } from '@sockudo/core';
import mysql, {
  type Pool,
  type PoolConnection,
  type PoolOptions,
  type ResultSetHeader,
  type RowDataPacket,
} from 'mysql2/promise';
import { MYSQL_DIALECT, mysqlIndexes } from './mysql-schema.js';

/** Options of {@link createMysqlAppManager}. Explicit fields override the parts of `url`. */
export interface MysqlAppManagerOptions extends SqlAppManagerOptions {
  /** `mysql://user:password@host:port/database` (also `mariadb://`). */
  url?: string;
  /** @default 3306 */
  port?: number;
  /** The MySQL user. @default 'root' */
  user?: string;
  /** Alias of `user`, as Rust Sockudo's `database.mysql.username`. */
  username?: string;
  /** Pool size. `min` idle connections are kept open; at most `max` are opened. @default { min: 0, max: 10 } */
  pool?: { min?: number; max?: number };
  /** Milliseconds one query may run before it fails (and its connection is dropped). @default 5000 */
  queryTimeoutMs?: number;
  /** TLS options handed to mysql2 as they are. */
  ssl?: PoolOptions['ssl'];
  /**
   * A ready `mysql2/promise` pool to use instead of opening one; the other connection options are then
   * ignored, and `close()` leaves the pool open (it is yours).
   */
  client?: Pool;
}

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

function poolOptions(target: SqlTarget, options: MysqlAppManagerOptions): PoolOptions {
  const max = options.pool?.max ?? 10;
  const min = Math.min(options.pool?.min ?? 0, max);
  return {
    host: target.host,
    port: target.port,
    user: target.user,
    password: target.password,
    database: target.database,
    connectionLimit: max,
    // mysql2 opens connections on demand; `maxIdle` is how many it keeps when idle, the closest to a minimum.
    maxIdle: min,
    idleTimeout: 60_000,
    connectTimeout: options.connectTimeoutMs ?? 5000,
    enableKeepAlive: true,
    waitForConnections: true,
    charset: 'utf8mb4_unicode_ci',
    supportBigNumbers: true,
    ...(options.ssl === undefined ? {} : { ssl: options.ssl }),
  };
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
  const owned = options.client === undefined;
  const target = owned
    ? resolveSqlTarget(options, {
        configKey: 'database.mysql',
        schemes: ['mysql:', 'mariadb:'],
        defaultPort: 3306,
        defaultUser: 'root',
      })
    : undefined;
  const pool = options.client ?? mysql.createPool(poolOptions(target!, options));
  const queryTimeoutMs = options.queryTimeoutMs ?? 5000;
  const deadlineMs = (options.connectTimeoutMs ?? 5000) + queryTimeoutMs;
  const healthCheckTimeoutMs = options.healthCheckTimeoutMs ?? 2000;
  const statements = applicationStatements(MYSQL_DIALECT, table);
  const calls = createSqlCalls({
    manager: 'MysqlAppManager',
    where: describeSqlTarget(MYSQL_DIALECT, target),
    password: target?.password,
    deadlineMs,
    connectionLost,
    missingTable: (error) => codeOf(error) === 'ER_NO_SUCH_TABLE',
  });
  let closing: Promise<void> | undefined;

  // A connection that dies while idle emits 'error'; mysql2 drops it from the pool. The extra listener
  // makes sure such an error can never become an uncaught exception.
  if (owned) pool.on('connection', (connection) => connection.on('error', () => {}));

  /** Runs one parameterised statement; reads are retried once on a connection the server dropped. */
  function execute<T extends RowDataPacket[] | ResultSetHeader>(
    what: string,
    sql: string,
    params: SqlParam[],
    callOptions?: { retry?: boolean; timeoutMs?: number },
  ): Promise<T> {
    return calls.run(
      what,
      async () => {
        const [result] = await pool.execute({ sql, timeout: queryTimeoutMs }, params);
        return result as T;
      },
      callOptions,
    );
  }

  /** The row whose `column` is exactly `value`: the schema's collation ignores case and trailing blanks. */
  async function findExact(column: 'id' | 'key', value: string): Promise<App | undefined> {
    if (typeof value !== 'string' || value === '') return undefined;
    const rows = await execute<RowDataPacket[]>(
      `find app by ${column}`,
      statements.selectBy(column),
      [value],
      {
        retry: true,
      },
    );
    const row = rows.find((candidate) => candidate[column] === value);
    return row ? appFromRow(table, row) : undefined;
  }

  async function inTransaction<T>(
    what: string,
    work: (connection: PoolConnection) => Promise<T>,
  ): Promise<T> {
    calls.ensureOpen(what);
    let connection: PoolConnection;
    try {
      connection = await withDeadline(pool.getConnection(), deadlineMs);
    } catch (error) {
      throw calls.failure(what, error);
    }
    try {
      await connection.beginTransaction();
      const result = await work(connection);
      await connection.commit();
      return result;
    } catch (error) {
      await connection.rollback().catch(() => {});
      throw SockudoError.isInstance(error) ? error : calls.failure(what, error);
    } finally {
      connection.release();
    }
  }

  let migrating: Promise<void> | undefined;
  async function migrate(): Promise<void> {
    await execute('migrate (create table)', createTableStatement(MYSQL_DIALECT, table), []);
    const columns = await execute<RowDataPacket[]>(
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
    const indexes = await execute<RowDataPacket[]>(
      'migrate (list indexes)',
      'SELECT DISTINCT INDEX_NAME AS name FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?',
      [table],
    );
    const indexed = new Set(indexes.map((row) => String(row.name)));
    for (const [name, column] of mysqlIndexes(table)) {
      if (indexed.has(name)) continue;
      try {
        await execute(
          `migrate (create index ${name})`,
          `CREATE INDEX ${name} ON \`${table}\` (${column})`,
          [],
        );
      } catch (error) {
        if (causeCode(error) !== 'ER_DUP_KEYNAME') throw error;
      }
    }
  }

  return {
    specVersion: 1,
    pool,
    table,

    findById: (id) => findExact('id', id),
    findByKey: (key) => findExact('key', key),

    async getApps() {
      const rows = await execute<RowDataPacket[]>('list apps', statements.selectAll, [], { retry: true });
      return rows.map((row) => appFromRow(table, row));
    },

    async createApp(app) {
      const columns = appColumns(app, policyRecord(app));
      try {
        await execute(
          `create app ${JSON.stringify(app.id)}`,
          statements.insert(columns),
          columns.map(([, value]) => value),
        );
      } catch (error) {
        if (causeCode(error) === 'ER_DUP_ENTRY') {
          throw new SockudoError(
            `MysqlAppManager: cannot create app ${JSON.stringify(app.id)}: an app with this id or key already exists in \`${table}\``,
            { cause: error },
          );
        }
        throw error;
      }
    },

    async updateApp(app) {
      const what = `update app ${JSON.stringify(app.id)}`;
      await inTransaction(what, async (connection) => {
        const [rows] = await connection.execute<RowDataPacket[]>(
          { sql: statements.selectForUpdate, timeout: queryTimeoutMs },
          [app.id],
        );
        const row = rows.find((candidate) => candidate.id === app.id);
        if (!row) throw new SockudoError(`MysqlAppManager: ${what}: no app with this id in \`${table}\``);
        const columns = appColumns(app, policyRecord(app, storedPolicy(row))).filter(
          ([name]) => name !== 'id',
        );
        try {
          await connection.execute({ sql: statements.update(columns), timeout: queryTimeoutMs }, [
            ...columns.map(([, value]) => value),
            app.id,
          ]);
        } catch (error) {
          if (codeOf(error) === 'ER_DUP_ENTRY') {
            throw new SockudoError(
              `MysqlAppManager: ${what}: another app already has the key ${JSON.stringify(app.key)}`,
              { cause: error },
            );
          }
          throw error;
        }
      });
    },

    async deleteApp(id) {
      if (typeof id !== 'string' || id === '') return;
      // `=` alone would also match other case or trailing blanks under the schema's collation.
      await execute(
        `delete app ${JSON.stringify(id)}`,
        `DELETE FROM \`${table}\` WHERE id = ? AND CAST(id AS BINARY) = CAST(? AS BINARY)`,
        [id, id],
      );
    },

    async checkHealth() {
      await execute('health check (SELECT 1)', 'SELECT 1', [], {
        retry: true,
        timeoutMs: healthCheckTimeoutMs,
      });
    },

    migrate() {
      migrating ??= migrate().finally(() => {
        migrating = undefined;
      });
      return migrating;
    },

    close() {
      calls.markClosed();
      closing ??= owned ? pool.end().catch(() => {}) : Promise.resolve();
      return closing;
    },
  };
}
