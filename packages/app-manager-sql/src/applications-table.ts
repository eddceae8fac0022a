// Rust Sockudo's `applications` table (ops/migrations/<db>/001_fresh_schema.sql), laid out once: column
// order, which columns are required, its indexes, and the statements this port runs against it, spelled
// in a given SQL dialect.

import { type App, appFromRecord, ConfigError, flatColumns } from '@sockudo/core';
import type { ApplicationColumnKind, SqlDialect } from './sql-dialect.js';

/** A statement parameter: every value the SQL app managers bind is one of these. */
export type SqlParam = string | number | boolean | null;

/** Every column after `id`, `key`, `secret`, with its kind, in Rust Sockudo's order. */
export const APPLICATION_COLUMNS: ReadonlyArray<readonly [string, ApplicationColumnKind]> = [
  ['max_connections', 'requiredCount'],
  ['enable_client_messages', 'switchOff'],
  ['enabled', 'switchOn'],
  ['max_backend_events_per_second', 'count'],
  ['max_client_events_per_second', 'requiredCount'],
  ['max_read_requests_per_second', 'count'],
  ['max_presence_members_per_channel', 'count'],
  ['max_presence_member_size_in_kb', 'count'],
  ['max_channel_name_length', 'count'],
  ['max_event_channels_at_once', 'count'],
  ['max_event_name_length', 'count'],
  ['max_event_payload_in_kb', 'count'],
  ['max_event_batch_size', 'count'],
  ['enable_user_authentication', 'switch'],
  ['enable_watchlist_events', 'switch'],
  ['policy', 'json'],
  ['webhooks', 'json'],
  ['allowed_origins', 'json'],
  ['channel_delta_compression', 'json'],
  ['idempotency', 'json'],
  ['connection_recovery', 'json'],
  ['created_at', 'createdAt'],
  ['updated_at', 'updatedAt'],
];

/** The columns of {@link APPLICATION_COLUMNS} with their DDL in `dialect`. */
export function applicationColumns(dialect: SqlDialect): Array<[string, string]> {
  return APPLICATION_COLUMNS.map(([name, kind]) => [name, dialect.columnTypes[kind]]);
}

/**
 * Columns `migrate()` adds to a table an older Rust Sockudo created: every column except the ones its
 * first schema already had as NOT NULL without a default.
 */
export function addableColumns(dialect: SqlDialect): Array<[string, string]> {
  return APPLICATION_COLUMNS.filter(([, kind]) => kind !== 'requiredCount').map(([name, kind]) => [
    name,
    dialect.columnTypes[kind],
  ]);
}

/** The indexes Rust Sockudo's schema adds, as [name suffix, column]: index `idx_<table>_<suffix>`. */
export const APPLICATION_INDEXES: ReadonlyArray<readonly [string, string]> = [
  ['key', 'key'],
  ['enabled', 'enabled'],
  ['created_at', 'created_at'],
];

/**
 * `column` as Rust Sockudo's schema writes it: `key` (a reserved word) quoted, every other name plain.
 */
export function columnName(dialect: SqlDialect, column: string): string {
  return column === 'key' ? dialect.quote(column) : column;
}

/** A table name the SQL app managers accept: a plain identifier, so it can be spliced into SQL safely. */
export const TABLE_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Returns `table` when it is a plain identifier no longer than `dialect` allows.
 * @throws ConfigError naming `key` otherwise
 */
export function checkTableName(table: string, key: string, dialect: SqlDialect): string {
  const max = dialect.maxTableNameLength;
  if (typeof table !== 'string' || !TABLE_NAME_PATTERN.test(table) || table.length > max) {
    throw new ConfigError(
      `${key}: ${JSON.stringify(table)} is not a valid table name (letters, digits and _, not starting with a digit, at most ${max} characters)`,
      { key },
    );
  }
  return table;
}

/** `CREATE TABLE IF NOT EXISTS` for the applications table in `dialect`. */
export function createTableStatement(dialect: SqlDialect, table: string): string {
  const columns = applicationColumns(dialect)
    .map(([name, definition]) => `    ${name} ${definition}`)
    .join(',\n');
  return (
    `CREATE TABLE IF NOT EXISTS ${dialect.quote(table)} (\n` +
    '    id VARCHAR(255) PRIMARY KEY,\n' +
    `    ${columnName(dialect, 'key')} VARCHAR(255) UNIQUE NOT NULL,\n` +
    '    secret VARCHAR(255) NOT NULL,\n' +
    `${columns}\n` +
    `)${dialect.tableOptions ?? ''}`
  );
}

/**
 * The statements the SQL app managers run against `table`, each with its parameters in the order
 * {@link appColumns} gives them.
 */
export function applicationStatements(dialect: SqlDialect, table: string) {
  const { quote, placeholder } = dialect;
  const name = quote(table);
  const assignments = (columns: ReadonlyArray<readonly [string, SqlParam]>) =>
    columns.map(([column], i) => `${quote(column)} = ${placeholder(i)}`);
  return {
    /** One parameter: the value of `column`. */
    selectBy: (column: 'id' | 'key') => `SELECT * FROM ${name} WHERE ${quote(column)} = ${placeholder(0)}`,
    /** One parameter: the id; locks the row until the transaction ends. */
    selectForUpdate: `SELECT * FROM ${name} WHERE id = ${placeholder(0)} FOR UPDATE`,
    selectAll: `SELECT * FROM ${name} ORDER BY id`,
    insert: (columns: ReadonlyArray<readonly [string, SqlParam]>) =>
      `INSERT INTO ${name} (${columns.map(([column]) => quote(column)).join(', ')}) VALUES (${columns
        .map((_, i) => placeholder(i))
        .join(', ')})`,
    /** Parameters: the columns' values, then the id. */
    update: (columns: ReadonlyArray<readonly [string, SqlParam]>) =>
      `UPDATE ${name} SET ${[...assignments(columns), ...(dialect.touchOnUpdate ? [dialect.touchOnUpdate] : [])].join(', ')} WHERE id = ${placeholder(columns.length)}`,
  };
}

/**
 * The columns a write stores for `app`: the flat columns, the `policy` JSON, and the `webhooks` and
 * `allowed_origins` JSON columns Rust Sockudo's older readers still use.
 *
 * @param policy the policy to store, from core's `policyRecord()`
 */
export function appColumns(app: App, policy: Record<string, unknown>): Array<[string, SqlParam]> {
  const columns: Array<[string, SqlParam]> = flatColumns(app);
  columns.push(['policy', JSON.stringify(policy)]);
  columns.push(['webhooks', JSON.stringify(policy.webhooks ?? [])]);
  columns.push(['allowed_origins', JSON.stringify(app.allowedOrigins)]);
  return columns;
}

/** The App a row of `table` holds; a row that is not a valid app throws, naming the table and id. */
export function appFromRow(table: string, row: Record<string, unknown>): App {
  return appFromRecord(row, `${table}[id=${JSON.stringify(row.id)}]`);
}
