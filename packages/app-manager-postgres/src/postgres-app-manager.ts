// Apps from the PostgreSQL `applications` table Rust Sockudo uses, through a pg pool. Lookups go by
// primary key or the unique `key` index; the server puts createCachedAppManager in front of this.

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
import pg from 'pg';
import { errorText, redact } from './error-text.js';
import {
  checkTableName,
  POSTGRES_ADDABLE_COLUMNS,
  postgresCreateTable,
  postgresIndexes,
  quoted,
} from './postgres-schema.js';

/** Options of {@link createPostgresAppManager}. Explicit fields override the parts of `url`. */
export interface PostgresAppManagerOptions {
  /** `postgres://user:password@host:port/database` (also `postgresql://`). */
  url?: string;
  /** @default 'localhost' */
  host?: string;
  /** @default 5432 */
  port?: number;
  /** The PostgreSQL role. @default 'postgres' */
  user?: string;
  /** Alias of `user`, as Rust Sockudo's `database.postgres.username`. */
  username?: string;
  /** @default '' (none: trust or peer authentication) */
  password?: string;
  /** @default 'sockudo' */
  database?: string;
  /** The applications table: letters, digits and `_` only. @default 'applications' */
  table?: string;
  /** Pool size: `min` connections are kept open, at most `max` are opened. @default { min: 0, max: 10 } */
  pool?: { min?: number; max?: number };
  /** Milliseconds to open one connection. @default 5000 */
  connectTimeoutMs?: number;
  /** Milliseconds one query may run before it fails. @default 5000 */
  queryTimeoutMs?: number;
  /** Milliseconds `checkHealth()` waits for `SELECT 1`. @default 2000 */
  healthCheckTimeoutMs?: number;
  /** TLS options handed to pg as they are. */
  ssl?: pg.PoolConfig['ssl'];
  /**
   * A ready `pg` Pool to use instead of opening one; the other connection options are then ignored,
   * and `close()` leaves the pool open (it is yours). Attach your own `'error'` listener to it.
   */
  client?: pg.Pool;
}

/** An {@link AppManagerV1} over a PostgreSQL table, with every optional method. */
export interface PostgresAppManager extends AppManagerV1 {
  /** The pg pool, to run your own queries against the same database. */
  readonly pool: pg.Pool;
  /** The applications table name. */
  readonly table: string;
  getApps(): Promise<App[]>;
  /** Inserts `app`; rejects when its id or key already exists. */
  createApp(app: App): Promise<void>;
  /** Rewrites the app with `app.id`, keeping stored policy settings this port does not model; rejects when there is none. */
  updateApp(app: App): Promise<void>;
  /** Deletes the app with this id; resolves when there is none. */
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

type Param = string | number | boolean | null;

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

function resolveTarget(options: PostgresAppManagerOptions): Target {
  const target: Target = {
    host: 'localhost',
    port: 5432,
    user: 'postgres',
    password: '',
    database: 'sockudo',
  };
  if (options.url !== undefined) {
    let url: URL;
    try {
      url = new URL(options.url);
    } catch {
      throw new ConfigError(
        'database.postgres.url: not a valid URL (expected postgres://user:password@host:port/database)',
        { key: 'database.postgres.url' },
      );
    }
    if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
      throw new ConfigError(`database.postgres.url: expected a postgres:// URL, got ${url.protocol}//`, {
        key: 'database.postgres.url',
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
    throw new ConfigError(
      `database.postgres.port: expected a TCP port, got ${JSON.stringify(options.port)}`,
      {
        key: 'database.postgres.port',
      },
    );
  }
  return target;
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
  const table = checkTableName(options.table ?? 'applications', 'database.postgres.table_name');
  const name = quoted(table);
  const owned = options.client === undefined;
  const target = owned ? resolveTarget(options) : undefined;
  const where = target
    ? `PostgreSQL database "${target.database}" at ${target.host}:${target.port}`
    : 'PostgreSQL (the given pool)';
  const queryTimeoutMs = options.queryTimeoutMs ?? 5000;
  const connectTimeoutMs = options.connectTimeoutMs ?? 5000;
  const deadlineMs = connectTimeoutMs + queryTimeoutMs;
  const healthCheckTimeoutMs = options.healthCheckTimeoutMs ?? 2000;
  const max = options.pool?.max ?? 10;
  const pool =
    options.client ??
    new pg.Pool({
      host: target!.host,
      port: target!.port,
      user: target!.user,
      password: target!.password,
      database: target!.database,
      max,
      min: Math.min(options.pool?.min ?? 0, max),
      idleTimeoutMillis: 60_000,
      connectionTimeoutMillis: connectTimeoutMs,
      query_timeout: queryTimeoutMs,
      keepAlive: true,
      application_name: 'sockudo',
      ...(options.ssl === undefined ? {} : { ssl: options.ssl }),
    });
  let closing: Promise<void> | undefined;

  if (owned) {
    // Without these, a server restart makes pg emit 'error' on an idle client (through the pool) or on
    // a checked-out one, and an 'error' event nobody listens to kills the process. The pool already
    // drops the broken client; the next query opens a new one.
    pool.on('error', () => {});
    pool.on('connect', (client) => client.on('error', () => {}));
  }

  const failure = (what: string, error: unknown): SockudoError => {
    let reason = errorText(error);
    if (codeOf(error) === '42P01')
      reason += ' (create it with `sockudo migrate` or `await manager.migrate()`)';
    return new SockudoError(
      `PostgresAppManager: ${what} failed on ${where}: ${redact(reason, target?.password)}`,
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
    if (closing) throw new SockudoError(`PostgresAppManager: ${what} called after close()`);
  };

  /** Runs one parameterised statement; reads are retried once on a connection the server dropped. */
  async function query(
    what: string,
    sql: string,
    params: Param[],
    { retry = false, timeoutMs = deadlineMs }: { retry?: boolean; timeoutMs?: number } = {},
  ): Promise<pg.QueryResult> {
    ensureOpen(what);
    for (let attempt = 0; ; attempt++) {
      try {
        return await withDeadline(pool.query(sql, params), timeoutMs);
      } catch (error) {
        if (retry && attempt === 0 && connectionLost(error)) continue;
        throw failure(what, error);
      }
    }
  }

  const toApp = (row: Record<string, unknown>): App =>
    appFromRecord(row, `${table}[id=${JSON.stringify(row.id)}]`);

  async function findBy(column: 'id' | 'key', value: string): Promise<App | undefined> {
    if (!storable(value)) return undefined;
    const { rows } = await query(
      `find app by ${column}`,
      `SELECT * FROM ${name} WHERE "${column}" = $1`,
      [value],
      {
        retry: true,
      },
    );
    return rows[0] ? toApp(rows[0]) : undefined;
  }

  const columnsOf = (app: App, policy: Record<string, unknown>) => {
    const columns: Array<[string, Param]> = flatColumns(app);
    columns.push(['policy', JSON.stringify(policy)]);
    columns.push(['webhooks', JSON.stringify(policy.webhooks ?? [])]);
    columns.push(['allowed_origins', JSON.stringify(app.allowedOrigins)]);
    return columns;
  };

  /**
   * One idempotent DDL statement. Two nodes running `IF NOT EXISTS` at the same moment can still collide
   * in the catalog (duplicate pg_type / relation / column); the second try then sees the object exists.
   */
  async function ddl(what: string, sql: string): Promise<void> {
    try {
      await query(what, sql, []);
    } catch (error) {
      if (!['23505', '42P07', '42701', '42710'].includes(String(codeOf(error)))) throw error;
      await query(what, sql, []);
    }
  }

  async function migrate(): Promise<void> {
    await ddl('migrate (create table)', postgresCreateTable(table));
    for (const [column, definition] of POSTGRES_ADDABLE_COLUMNS) {
      await ddl(
        `migrate (add column ${column})`,
        `ALTER TABLE ${name} ADD COLUMN IF NOT EXISTS ${column} ${definition}`,
      );
    }
    for (const statement of postgresIndexes(table)) await ddl('migrate (create index)', statement);
  }

  let migrating: Promise<void> | undefined;

  return {
    specVersion: 1,
    pool,
    table,

    findById: (id) => findBy('id', id),
    findByKey: (key) => findBy('key', key),

    async getApps() {
      const { rows } = await query('list apps', `SELECT * FROM ${name} ORDER BY id`, [], { retry: true });
      return rows.map(toApp);
    },

    async createApp(app) {
      const columns = columnsOf(app, policyRecord(app));
      try {
        await query(
          `create app ${JSON.stringify(app.id)}`,
          `INSERT INTO ${name} (${columns.map(([column]) => `"${column}"`).join(', ')}) VALUES (${columns
            .map((_, i) => `$${i + 1}`)
            .join(', ')})`,
          columns.map(([, value]) => value),
        );
      } catch (error) {
        if (codeOf(error) === '23505') {
          throw new SockudoError(
            `PostgresAppManager: cannot create app ${JSON.stringify(app.id)}: an app with this id or key already exists in ${table}`,
            { cause: error },
          );
        }
        throw error;
      }
    },

    async updateApp(app) {
      const what = `update app ${JSON.stringify(app.id)}`;
      ensureOpen(what);
      if (!storable(app.id))
        throw new SockudoError(`PostgresAppManager: ${what}: no app with this id in ${table}`);
      let client: pg.PoolClient;
      try {
        client = await withDeadline(pool.connect(), deadlineMs);
      } catch (error) {
        throw failure(what, error);
      }
      let broken = false;
      try {
        await client.query('BEGIN');
        const { rows } = await client.query(`SELECT * FROM ${name} WHERE id = $1 FOR UPDATE`, [app.id]);
        if (!rows[0]) throw new SockudoError(`PostgresAppManager: ${what}: no app with this id in ${table}`);
        const columns = columnsOf(app, policyRecord(app, storedPolicy(rows[0]))).filter(
          ([column]) => column !== 'id',
        );
        await client.query(
          `UPDATE ${name} SET ${columns.map(([column], i) => `"${column}" = $${i + 1}`).join(', ')}, updated_at = CURRENT_TIMESTAMP WHERE id = $${columns.length + 1}`,
          [...columns.map(([, value]) => value), app.id],
        );
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {
          broken = true;
        });
        if (SockudoError.isInstance(error)) throw error;
        if (codeOf(error) === '23505') {
          throw new SockudoError(
            `PostgresAppManager: ${what}: another app already has the key ${JSON.stringify(app.key)}`,
            {
              cause: error,
            },
          );
        }
        broken ||= connectionLost(error);
        throw failure(what, error);
      } finally {
        client.release(broken);
      }
    },

    async deleteApp(id) {
      if (!storable(id)) return;
      await query(`delete app ${JSON.stringify(id)}`, `DELETE FROM ${name} WHERE id = $1`, [id]);
    },

    async checkHealth() {
      await query('health check (SELECT 1)', 'SELECT 1', [], {
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
