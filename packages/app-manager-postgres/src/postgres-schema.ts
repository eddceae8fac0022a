// The `applications` table exactly as Rust Sockudo's ops/migrations/postgresql/001_fresh_schema.sql
// creates it, so this package and a Rust Sockudo deployment can share one table. Only the applications
// part of that file is here (not the history tables, and not its sample 'app-id'/'app-secret' row).

import { ConfigError } from '@sockudo/core';

/** Every column after `id`, `key`, `secret`, with its PostgreSQL definition, in Rust Sockudo's order. */
export const POSTGRES_COLUMNS: ReadonlyArray<readonly [string, string]> = [
  ['max_connections', 'INTEGER NOT NULL'],
  ['enable_client_messages', 'BOOLEAN NOT NULL DEFAULT FALSE'],
  ['enabled', 'BOOLEAN NOT NULL DEFAULT TRUE'],
  ['max_backend_events_per_second', 'INTEGER'],
  ['max_client_events_per_second', 'INTEGER NOT NULL'],
  ['max_read_requests_per_second', 'INTEGER'],
  ['max_presence_members_per_channel', 'INTEGER'],
  ['max_presence_member_size_in_kb', 'INTEGER'],
  ['max_channel_name_length', 'INTEGER'],
  ['max_event_channels_at_once', 'INTEGER'],
  ['max_event_name_length', 'INTEGER'],
  ['max_event_payload_in_kb', 'INTEGER'],
  ['max_event_batch_size', 'INTEGER'],
  ['enable_user_authentication', 'BOOLEAN'],
  ['enable_watchlist_events', 'BOOLEAN'],
  ['policy', 'JSONB'],
  ['webhooks', 'JSONB'],
  ['allowed_origins', 'JSONB'],
  ['channel_delta_compression', 'JSONB'],
  ['idempotency', 'JSONB'],
  ['connection_recovery', 'JSONB'],
  ['created_at', 'TIMESTAMP DEFAULT CURRENT_TIMESTAMP'],
  ['updated_at', 'TIMESTAMP DEFAULT CURRENT_TIMESTAMP'],
];

/**
 * Columns `migrate()` adds to a table an older Rust Sockudo created: every column except the ones its
 * first schema already had as NOT NULL without a default.
 */
export const POSTGRES_ADDABLE_COLUMNS = POSTGRES_COLUMNS.filter(
  ([name]) => name !== 'max_connections' && name !== 'max_client_events_per_second',
);

/** A table name this package accepts: a plain SQL identifier, so it can be spliced into SQL safely. */
export const TABLE_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Returns `table` when it is a plain identifier that fits PostgreSQL's 63-byte limit.
 * @throws ConfigError naming `key` otherwise
 */
export function checkTableName(table: string, key: string): string {
  if (typeof table !== 'string' || !TABLE_NAME_PATTERN.test(table) || table.length > 63) {
    throw new ConfigError(
      `${key}: ${JSON.stringify(table)} is not a valid table name (letters, digits and _, not starting with a digit, at most 63 characters)`,
      { key },
    );
  }
  return table;
}

/**
 * `name` as a quoted identifier, lower-cased the way PostgreSQL folds the unquoted names Rust Sockudo
 * uses (so `Applications` is the same table for both); quoting keeps a reserved word usable.
 */
export function quoted(name: string): string {
  return `"${name.toLowerCase()}"`;
}

/** The indexes Rust Sockudo's schema adds, as `CREATE INDEX IF NOT EXISTS` statements. */
export function postgresIndexes(table: string): string[] {
  return [
    ['key', '"key"'],
    ['enabled', 'enabled'],
    ['created_at', 'created_at'],
  ].map(
    ([suffix, column]) =>
      `CREATE INDEX IF NOT EXISTS ${quoted(`idx_${table}_${suffix}`.slice(0, 63))} ON ${quoted(table)} (${column})`,
  );
}

/** `CREATE TABLE IF NOT EXISTS` for the applications table. */
export function postgresCreateTable(table: string): string {
  const columns = POSTGRES_COLUMNS.map(([name, definition]) => `    ${name} ${definition}`).join(',\n');
  return (
    `CREATE TABLE IF NOT EXISTS ${quoted(table)} (\n` +
    '    id VARCHAR(255) PRIMARY KEY,\n' +
    '    "key" VARCHAR(255) UNIQUE NOT NULL,\n' +
    '    secret VARCHAR(255) NOT NULL,\n' +
    `${columns}\n` +
    ')'
  );
}

/**
 * The SQL that creates the applications table and its indexes, as in Rust Sockudo's
 * `ops/migrations/postgresql/001_fresh_schema.sql`, for a DBA to review or run by hand. Every statement
 * is idempotent; `migrate()` runs the same ones and adds columns an older table lacks.
 *
 * @param table the table name. @default 'applications'
 */
export function postgresSchema(table = 'applications'): string {
  checkTableName(table, 'table');
  return `${postgresCreateTable(table)};\n\n${postgresIndexes(table).join(';\n')};\n`;
}
