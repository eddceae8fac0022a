// An app manager over Rust Sockudo's applications table in any SQL database: lookups, writes, health and
// close written once; the driver package supplies how to run a statement and a transaction, its
// dialect, which errors mean what, and its own migration.

import { type App, type AppManagerV1, policyRecord, SockudoError, storedPolicy } from '@sockudo/core';
import { appColumns, appFromRow, applicationStatements, type SqlParam } from './applications-table.js';
import { createSqlCalls, type SqlCallOptions } from './sql-calls.js';
import type { SqlDialect } from './sql-dialect.js';

/** A row as the driver returns it: column names to values. */
export type SqlRow = Record<string, unknown>;

/** Runs one statement and resolves to the rows it returns (none for a write). */
export type SqlQuery = (sql: string, params: SqlParam[]) => Promise<SqlRow[]>;

/** The shared app manager's own statement runner, handed to a driver's `migrate`. */
export type SqlExecute = (
  what: string,
  sql: string,
  params: SqlParam[],
  options?: SqlCallOptions,
) => Promise<SqlRow[]>;

/** An {@link AppManagerV1} over a SQL applications table, with every optional method. */
export interface SqlAppManager<Pool> extends AppManagerV1 {
  /** The driver's pool, to run your own queries against the same database. */
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

/** What a SQL driver package hands {@link createSqlAppManager}. */
export interface SqlDriver<Pool> {
  /** The manager's name at the start of every message, e.g. `'MysqlAppManager'`. */
  manager: string;
  dialect: SqlDialect;
  /** The applications table, already checked with `checkTableName()`. */
  table: string;
  /** The table as messages name it. @default table */
  tableLabel?: string;
  pool: Pool;
  /** Where it connects, from `describeSqlTarget()`. */
  where: string;
  /** The password, removed from every message that would repeat it. */
  password?: string | undefined;
  /** Milliseconds a call may take (connecting included). */
  deadlineMs: number;
  /** Milliseconds `checkHealth()` waits for `SELECT 1`. */
  healthCheckTimeoutMs: number;
  /** Runs one statement on the pool. */
  query: SqlQuery;
  /**
   * Runs `work` in a transaction on one connection, bounded by `deadlineMs` to get it: commits when
   * `work` resolves, rolls back and rethrows (the error as it is) when it rejects, and always releases
   * the connection.
   */
  transaction(work: (query: SqlQuery) => Promise<void>): Promise<void>;
  /** Whether `error` means the connection is gone, so a read is worth one more try. */
  connectionLost(error: unknown): boolean;
  /** Whether `error` means the applications table does not exist. */
  missingTable(error: unknown): boolean;
  /** Whether `error` (the driver's) is a unique-key violation. */
  duplicate(error: unknown): boolean;
  /** Whether `value` could be a stored id or key; anything else is unknown without asking. */
  storable(value: unknown): value is string;
  /** The statement and parameters that delete exactly the row with `id`. */
  deleteStatement(id: string): [string, SqlParam[]];
  /** Creates or upgrades the table, through `execute` (so failures read like every other call's). */
  migrate(execute: SqlExecute): Promise<void>;
  /** Ends the pool when the manager opened it; absent for a pool the caller owns. */
  end?: () => Promise<void>;
}

/**
 * Builds an app manager from a SQL driver. Reads are retried once on a lost connection; every failure
 * is a SockudoError naming the call and the database, without the password; `migrate()` calls made
 * while one runs share it; calls after `close()` reject.
 */
export function createSqlAppManager<Pool>(driver: SqlDriver<Pool>): SqlAppManager<Pool> {
  const { manager, table } = driver;
  const label = driver.tableLabel ?? table;
  const statements = applicationStatements(driver.dialect, table);
  const calls = createSqlCalls(driver);
  let closing: Promise<void> | undefined;
  let migrating: Promise<void> | undefined;

  const execute: SqlExecute = (what, sql, params, options) =>
    calls.run(what, () => driver.query(sql, params), options);

  const noApp = (what: string) => new SockudoError(`${manager}: ${what}: no app with this id in ${label}`);

  /** The row whose `column` is exactly `value` (a collation may also match other case or trailing blanks). */
  async function findBy(column: 'id' | 'key', value: string): Promise<App | undefined> {
    if (!driver.storable(value)) return undefined;
    const rows = await execute(`find app by ${column}`, statements.selectBy(column), [value], {
      retry: true,
    });
    const row = rows.find((candidate) => candidate[column] === value);
    return row ? appFromRow(table, row) : undefined;
  }

  return {
    specVersion: 1,
    pool: driver.pool,
    table,

    findById: (id) => findBy('id', id),
    findByKey: (key) => findBy('key', key),

    async getApps() {
      const rows = await execute('list apps', statements.selectAll, [], { retry: true });
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
        if (driver.duplicate((error as { cause?: unknown }).cause)) {
          throw new SockudoError(
            `${manager}: cannot create app ${JSON.stringify(app.id)}: an app with this id or key already exists in ${label}`,
            { cause: error },
          );
        }
        throw error;
      }
    },

    async updateApp(app) {
      const what = `update app ${JSON.stringify(app.id)}`;
      calls.ensureOpen(what);
      if (!driver.storable(app.id)) throw noApp(what);
      try {
        await driver.transaction(async (query) => {
          const rows = await query(statements.selectForUpdate, [app.id]);
          const row = rows.find((candidate) => candidate.id === app.id);
          if (!row) throw noApp(what);
          const columns = appColumns(app, policyRecord(app, storedPolicy(row))).filter(
            ([name]) => name !== 'id',
          );
          try {
            await query(statements.update(columns), [...columns.map(([, value]) => value), app.id]);
          } catch (error) {
            if (driver.duplicate(error)) {
              throw new SockudoError(
                `${manager}: ${what}: another app already has the key ${JSON.stringify(app.key)}`,
                { cause: error },
              );
            }
            throw error;
          }
        });
      } catch (error) {
        throw SockudoError.isInstance(error) ? error : calls.failure(what, error);
      }
    },

    async deleteApp(id) {
      if (!driver.storable(id)) return;
      const [sql, params] = driver.deleteStatement(id);
      await execute(`delete app ${JSON.stringify(id)}`, sql, params);
    },

    async checkHealth() {
      await execute('health check (SELECT 1)', 'SELECT 1', [], {
        retry: true,
        timeoutMs: driver.healthCheckTimeoutMs,
      });
    },

    migrate() {
      migrating ??= driver.migrate(execute).finally(() => {
        migrating = undefined;
      });
      return migrating;
    },

    close() {
      calls.markClosed();
      closing ??= driver.end ? driver.end().catch(() => {}) : Promise.resolve();
      return closing;
    },
  };
}
