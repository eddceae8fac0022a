// Apps from the MySQL/MariaDB `applications` table Rust Sockudo uses, through a mysql2 pool. Lookups go
// by primary key or the unique `key` index; the server puts createCachedAppManager in front of this.

import {
  type App,
  type AppManagerV1,
  appFromRecord,
  ConfigError,
  flatColumns,
  policyRecord,
  SockudoError,
  storedPolicy,
} from '@sockudo/core';
import mysql, {
  type Pool,
  type PoolConnection,
  type PoolOptions,
  type ResultSetHeader,
  type RowDataPacket,
} from 'mysql2/promise';

/** A statement parameter: every value this package binds is one of these. */
type Param = string | number | boolean | null;

import { errorText, redact } from './error-text.js';
import { checkTableName, MYSQL_ADDABLE_COLUMNS, mysqlCreateTable, mysqlIndexes } from './mysql-schema.js';

/** Options of {@link createMysqlAppManager}. Explicit fields override the parts of `url`. */
export interface MysqlAppManagerOptions {
  /** `mysql://user:password@host:port/database` (also `mariadb://`). */
  url?: string;
  /** @default 'localhost' */
  host?: string;
  /** @default 3306 */
  port?: number;
  /** The MySQL user. @default 'root' */
  user?: string;
  /** Alias of `user`, as Rust Sockudo's `database.mysql.username`. */
  username?: string;
  /** @default '' */
  password?: string;
  /** @default 'sockudo' */
  database?: string;
  /** The applications table: letters, digits and `_` only. @default 'applications' */
  table?: string;
  /** Pool size. `min` idle connections are kept open; at most `max` are opened. @default { min: 0, max: 10 } */
  pool?: { min?: number; max?: number };
  /** Milliseconds to open one connection. @default 5000 */
  connectTimeoutMs?: number;
  /** Milliseconds one query may run before it fails (and its connection is dropped). @default 5000 */
  queryTimeoutMs?: number;
  /** Milliseconds `checkHealth()` waits for `SELECT 1`. @default 2000 */
  healthCheckTimeoutMs?: number;
  /** TLS options handed to mysql2 as they are. */
  ssl?: PoolOptions['ssl'];
  /**
   * A ready `mysql2/promise` pool to use instead of opening one; the other connection options are then
   * ignored, and `close()` leaves the pool open (it is yours).
   */
  client?: Pool;
}

/** An {@link AppManagerV1} over a MySQL/MariaDB table, with every optional method. */
export interface MysqlAppManager extends AppManagerV1 {
  /** The mysql2 pool, to run your own queries against the same database. */
  readonly pool: Pool;
  /** The applications table name. */
  readonly table: string;
  getApps(): Promise<App[]>;
  /** Inserts `app`; rejects when its id or key already exists. */
  createApp(app: App): Promise<void>;
  /** Rewrites the app with `app.id`, keeping stored policy settings this port does not model; rejects when there is none. */
  updateApp(app: App): Promise<void>;
  /** Deletes the app with exactly this id; resolves when there is none. */
  deleteApp(id: string): Promise<void>;
  checkHealth(): Promise<void>;
  /** Creates the table and its indexes when missing, and adds columns an older Rust Sockudo schema lacks. */
  migrate(): Promise<void>;
  close(): Promise<void>;
}

interface Target {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
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

function resolveTarget(options: MysqlAppManagerOptions): Target {
  const target: Target = { host: 'localhost', port: 3306, user: 'root', password: '', database: 'sockudo' };
  if (options.url !== undefined) {
    let url: URL;
    try {
      url = new URL(options.url);
    } catch {
      throw new ConfigError(
        'database.mysql.url: not a valid URL (expected mysql://user:password@host:port/database)',
        {
          key: 'database.mysql.url',
        },
      );
    }
    if (url.protocol !== 'mysql:' && url.protocol !== 'mariadb:') {
      throw new ConfigError(`database.mysql.url: expected a mysql:// URL, got ${url.protocol}//`, {
        key: 'database.mysql.url',
      });
    }
    if (url.hostname) target.host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    if (url.port) target.port = Number(url.port);
    if (url.username) target.user = decodeURIComponent(url.username);
    if (url.password) target.password = decodeURIComponent(url.password);
    const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
    if (database) target.database = database;
  }
  if (options.host !== undefined) target.host = options.host;
  if (options.port !== undefined) target.port = Number(options.port);
  const user = options.user ?? options.username;
  if (user !== undefined) target.user = user;
  if (options.password !== undefined) target.password = options.password;
  if (options.database !== undefined) target.database = options.database;
  if (!Number.isInteger(target.port) || target.port <= 0 || target.port > 65535) {
    throw new ConfigError(`database.mysql.port: expected a TCP port, got ${JSON.stringify(options.port)}`, {
      key: 'database.mysql.port',
    });
  }
  return target;
}

function poolOptions(target: Target, options: MysqlAppManagerOptions): PoolOptions {
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
  const table = checkTableName(options.table ?? 'applications', 'database.mysql.table_name');
  const owned = options.client === undefined;
  const target = owned ? resolveTarget(options) : undefined;
  const where = target
    ? `MySQL database "${target.database}" at ${target.host}:${target.port}`
    : 'MySQL (the given pool)';
  const pool = options.client ?? mysql.createPool(poolOptions(target!, options));
  const queryTimeoutMs = options.queryTimeoutMs ?? 5000;
  const deadlineMs = (options.connectTimeoutMs ?? 5000) + queryTimeoutMs;
  const healthCheckTimeoutMs = options.healthCheckTimeoutMs ?? 2000;
  let closing: Promise<void> | undefined;

  // A connection that dies while idle emits 'error'; mysql2 drops it from the pool. The extra listener
  // makes sure such an error can never become an uncaught exception.
  if (owned) pool.on('connection', (connection) => connection.on('error', () => {}));

  const failure = (what: string, error: unknown): SockudoError => {
    const code = (error as { code?: unknown } | undefined)?.code;
    let reason = errorText(error);
    if (code === 'ER_NO_SUCH_TABLE') {
      reason += ` (create it with \`sockudo migrate\` or \`await manager.migrate()\`)`;
    }
    return new SockudoError(
      `MysqlAppManager: ${what} failed on ${where}: ${redact(reason, target?.password)}`,
      {
        cause: error,
      },
    );
  };

  const withDeadline = <T>(promise: Promise<T>, ms: number): Promise<T> => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    });
    return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
  };

  const ensureOpen = (what: string) => {
    if (closing) throw new SockudoError(`MysqlAppManager: ${what} called after close()`);
  };

  /** Runs one parameterised statement; reads are retried once on a connection the server dropped. */
  async function execute<T extends RowDataPacket[] | ResultSetHeader>(
    what: string,
    sql: string,
    params: Param[],
    { retry = false, timeoutMs = deadlineMs }: { retry?: boolean; timeoutMs?: number } = {},
  ): Promise<T> {
    ensureOpen(what);
    for (let attempt = 0; ; attempt++) {
      try {
        const [result] = await withDeadline(
          pool.execute({ sql, timeout: queryTimeoutMs }, params),
          timeoutMs,
        );
        return result as T;
      } catch (error) {
        if (retry && attempt === 0 && connectionLost(error)) continue;
        throw failure(what, error);
      }
    }
  }

  const toApp = (row: Record<string, unknown>): App =>
    appFromRecord(row, `${table}[id=${JSON.stringify(row.id)}]`);

  /** The row whose `column` is exactly `value`: the schema's collation ignores case and trailing blanks. */
  async function findExact(column: 'id' | 'key', value: string): Promise<App | undefined> {
    if (typeof value !== 'string' || value === '') return undefined;
    const rows = await execute<RowDataPacket[]>(
      `find app by ${column}`,
      `SELECT * FROM \`${table}\` WHERE \`${column}\` = ?`,
      [value],
      { retry: true },
    );
    const row = rows.find((candidate) => candidate[column] === value);
    return row ? toApp(row) : undefined;
  }

  const columnsOf = (app: App, policy: Record<string, unknown>) => {
    const columns: Array<[string, Param]> = flatColumns(app);
    columns.push(['policy', JSON.stringify(policy)]);
    columns.push(['webhooks', JSON.stringify(policy.webhooks ?? [])]);
    columns.push(['allowed_origins', JSON.stringify(app.allowedOrigins)]);
    return columns;
  };

  async function inTransaction<T>(
    what: string,
    work: (connection: PoolConnection) => Promise<T>,
  ): Promise<T> {
    ensureOpen(what);
    let connection: PoolConnection;
    try {
      connection = await withDeadline(pool.getConnection(), deadlineMs);
    } catch (error) {
      throw failure(what, error);
    }
    try {
      await connection.beginTransaction();
      const result = await work(connection);
      await connection.commit();
      return result;
    } catch (error) {
      await connection.rollback().catch(() => {});
      throw SockudoError.isInstance(error) ? error : failure(what, error);
    } finally {
      connection.release();
    }
  }

  let migrating: Promise<void> | undefined;
  async function migrate(): Promise<void> {
    await execute('migrate (create table)', mysqlCreateTable(table), []);
    const columns = await execute<RowDataPacket[]>(
      'migrate (list columns)',
      'SELECT COLUMN_NAME AS name FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?',
      [table],
    );
    const present = new Set(columns.map((row) => String(row.name).toLowerCase()));
    for (const [name, definition] of MYSQL_ADDABLE_COLUMNS) {
      if (present.has(name)) continue;
      try {
        await execute(
          `migrate (add column ${name})`,
          `ALTER TABLE \`${table}\` ADD COLUMN ${name} ${definition}`,
          [],
        );
      } catch (error) {
        // Another node added it first.
        if ((error as { cause?: { code?: unknown } }).cause?.code !== 'ER_DUP_FIELDNAME') throw error;
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
        if ((error as { cause?: { code?: unknown } }).cause?.code !== 'ER_DUP_KEYNAME') throw error;
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
      const rows = await execute<RowDataPacket[]>('list apps', `SELECT * FROM \`${table}\` ORDER BY id`, [], {
        retry: true,
      });
      return rows.map(toApp);
    },

    async createApp(app) {
      const columns = columnsOf(app, policyRecord(app));
      try {
        await execute(
          `create app ${JSON.stringify(app.id)}`,
          `INSERT INTO \`${table}\` (${columns.map(([name]) => `\`${name}\``).join(', ')}) VALUES (${columns
            .map(() => '?')
            .join(', ')})`,
          columns.map(([, value]) => value),
        );
      } catch (error) {
        if ((error as { cause?: { code?: unknown } }).cause?.code === 'ER_DUP_ENTRY') {
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
          { sql: `SELECT * FROM \`${table}\` WHERE id = ? FOR UPDATE`, timeout: queryTimeoutMs },
          [app.id],
        );
        const row = rows.find((candidate) => candidate.id === app.id);
        if (!row) throw new SockudoError(`MysqlAppManager: ${what}: no app with this id in \`${table}\``);
        const columns = columnsOf(app, policyRecord(app, storedPolicy(row))).filter(
          ([name]) => name !== 'id',
        );
        try {
          await connection.execute(
            {
              sql: `UPDATE \`${table}\` SET ${columns.map(([name]) => `\`${name}\` = ?`).join(', ')} WHERE id = ?`,
              timeout: queryTimeoutMs,
            },
            [...columns.map(([, value]) => value), app.id],
          );
        } catch (error) {
          if ((error as { code?: unknown }).code === 'ER_DUP_ENTRY') {
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
      closing ??= owned ? pool.end().catch(() => {}) : Promise.resolve();
      return closing;
    },
  };
}
