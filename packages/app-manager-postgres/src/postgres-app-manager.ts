// Apps from the PostgreSQL `applications` table Rust Sockudo uses, through a pg pool. Lookups go by
// primary key or the unique `key` index; the server puts createCachedAppManager in front of this.

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
  withDeadline,
} from '@sockudo/app-manager-sql';
import { type App, policyRecord, SockudoError, storedPolicy } from '@sockudo/core';
import pg from 'pg';
import { POSTGRES_DIALECT, postgresIndexes, quoted } from './postgres-schema.js';

/** Options of {@link createPostgresAppManager}. Explicit fields override the parts of `url`. */
export interface PostgresAppManagerOptions extends SqlAppManagerOptions {
  /** `postgres://user:password@host:port/database` (also `postgresql://`). */
  url?: string;
  /** @default 5432 */
  port?: number;
  /** The PostgreSQL role. @default 'postgres' */
  user?: string;
  /** Alias of `user`, as Rust Sockudo's `database.postgres.username`. */
  username?: string;
  /** @default '' (none: trust or peer authentication) */
  password?: string;
  /** TLS options handed to pg as they are. */
  ssl?: pg.PoolConfig['ssl'];
  /**
   * A ready `pg` Pool to use instead of opening one; the other connection options are then ignored,
   * and `close()` leaves the pool open (it is yours). Attach your own `'error'` listener to it.
   */
  client?: pg.Pool;
}

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
  const name = quoted(table);
  const owned = options.client === undefined;
  const target = owned
    ? resolveSqlTarget(options, {
        configKey: 'database.postgres',
        schemes: ['postgres:', 'postgresql:'],
        defaultPort: 5432,
        defaultUser: 'postgres',
      })
    : undefined;
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
  const statements = applicationStatements(POSTGRES_DIALECT, table);
  const calls = createSqlCalls({
    manager: 'PostgresAppManager',
    where: describeSqlTarget(POSTGRES_DIALECT, target),
    password: target?.password,
    deadlineMs,
    connectionLost,
    missingTable: (error) => codeOf(error) === '42P01',
  });
  let closing: Promise<void> | undefined;

  if (owned) {
    // Without these, a server restart makes pg emit 'error' on an idle client (through the pool) or on
    // a checked-out one, and an 'error' event nobody listens to kills the process. The pool already
    // drops the broken client; the next query opens a new one.
    pool.on('error', () => {});
    pool.on('connect', (client) => client.on('error', () => {}));
  }

  /** Runs one parameterised statement; reads are retried once on a connection the server dropped. */
  function query(
    what: string,
    sql: string,
    params: SqlParam[],
    callOptions?: { retry?: boolean; timeoutMs?: number },
  ): Promise<pg.QueryResult> {
    return calls.run(what, () => pool.query(sql, params), callOptions);
  }

  async function findBy(column: 'id' | 'key', value: string): Promise<App | undefined> {
    if (!storable(value)) return undefined;
    const { rows } = await query(`find app by ${column}`, statements.selectBy(column), [value], {
      retry: true,
    });
    return rows[0] ? appFromRow(table, rows[0]) : undefined;
  }

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
    await ddl('migrate (create table)', createTableStatement(POSTGRES_DIALECT, table));
    for (const [column, definition] of addableColumns(POSTGRES_DIALECT)) {
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
      const { rows } = await query('list apps', statements.selectAll, [], { retry: true });
      return rows.map((row) => appFromRow(table, row));
    },

    async createApp(app) {
      const columns = appColumns(app, policyRecord(app));
      try {
        await query(
          `create app ${JSON.stringify(app.id)}`,
          statements.insert(columns),
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
      calls.ensureOpen(what);
      if (!storable(app.id))
        throw new SockudoError(`PostgresAppManager: ${what}: no app with this id in ${table}`);
      let client: pg.PoolClient;
      try {
        client = await withDeadline(pool.connect(), deadlineMs);
      } catch (error) {
        throw calls.failure(what, error);
      }
      let broken = false;
      try {
        await client.query('BEGIN');
        const { rows } = await client.query(statements.selectForUpdate, [app.id]);
        if (!rows[0]) throw new SockudoError(`PostgresAppManager: ${what}: no app with this id in ${table}`);
        const columns = appColumns(app, policyRecord(app, storedPolicy(rows[0]))).filter(
          ([column]) => column !== 'id',
        );
        await client.query(statements.update(columns), [...columns.map(([, value]) => value), app.id]);
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
        throw calls.failure(what, error);
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
      calls.markClosed();
      closing ??= owned ? pool.end().catch(() => {}) : Promise.resolve();
      return closing;
    },
  };
}
