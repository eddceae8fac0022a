// The `applications` table exactly as Rust Sockudo's ops/migrations/mysql/001_fresh_schema.sql creates
// it, so this package and a Rust Sockudo deployment can share one table. Only the applications part of
// that file is here (not the history tables, and not its sample 'app-id'/'app-secret' row).

import { ConfigError } from '@sockudo/core';

/** Every column after `id`, `key`, `secret`, with its MySQL definition, in Rust Sockudo's order. */
export const MYSQL_COLUMNS: ReadonlyArray<readonly [string, string]> = [
  ['max_connections', 'INT UNSIGNED NOT NULL'],
  ['enable_client_messages', 'BOOLEAN NOT NULL DEFAULT FALSE'],
  ['enabled', 'BOOLEAN NOT NULL DEFAULT TRUE'],
  ['max_backend_events_per_second', 'INT UNSIGNED NULL'],
  ['max_client_events_per_second', 'INT UNSIGNED NOT NULL'],
  ['max_read_requests_per_second', 'INT UNSIGNED NULL'],
  ['max_presence_members_per_channel', 'INT UNSIGNED NULL'],
  ['max_presence_member_size_in_kb', 'INT UNSIGNED NULL'],
  ['max_channel_name_length', 'INT UNSIGNED NULL'],
  ['max_event_channels_at_once', 'INT UNSIGNED NULL'],
  ['max_event_name_length', 'INT UNSIGNED NULL'],
  ['max_event_payload_in_kb', 'INT UNSIGNED NULL'],
  ['max_event_batch_size', 'INT UNSIGNED NULL'],
  ['enable_user_authentication', 'BOOLEAN NULL'],
  ['enable_watchlist_events', 'BOOLEAN NULL'],
  ['policy', 'JSON NULL'],
  ['webhooks', 'JSON NULL'],
  ['allowed_origins', 'JSON NULL'],
  ['channel_delta_compression', 'JSON NULL'],
  ['idempotency', 'JSON NULL'],
  ['connection_recovery', 'JSON NULL'],
  ['created_at', 'TIMESTAMP DEFAULT CURRENT_TIMESTAMP'],
  ['updated_at', 'TIMESTAMP DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP'],
];

/**
 * Columns `migrate()` adds to a table an older Rust Sockudo created: every column except the ones its
 * first schema already had as NOT NULL without a default.
 */
export const MYSQL_ADDABLE_COLUMNS = MYSQL_COLUMNS.filter(
  ([name]) => name !== 'max_connections' && name !== 'max_client_events_per_second',
);

/** A table name this package accepts: a plain SQL identifier, so it can be spliced into SQL safely. */
export const TABLE_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Returns `table` when it is a plain identifier.
 * @throws ConfigError naming `key` otherwise
 */
export function checkTableName(table: string, key: string): string {
  if (typeof table !== 'string' || !TABLE_NAME_PATTERN.test(table) || table.length > 64) {
    throw new ConfigError(
      `${key}: ${JSON.stringify(table)} is not a valid table name (letters, digits and _, not starting with a digit, at most 64 characters)`,
      { key },
    );
  }
  return table;
}

/** The indexes Rust Sockudo's schema adds, as [name, column]. */
export function mysqlIndexes(table: string): Array<[string, string]> {
  return [
    [`idx_${table}_key`, '`key`'],
    [`idx_${table}_enabled`, 'enabled'],
    [`idx_${table}_created_at`, 'created_at'],
  ];
}

/** `CREATE TABLE IF NOT EXISTS` for the applications table. */
export function mysqlCreateTable(table: string): string {
  const columns = MYSQL_COLUMNS.map(([name, definition]) => `    ${name} ${definition}`).join(',\n');
  return (
    `CREATE TABLE IF NOT EXISTS \`${table}\` (\n` +
    '    id VARCHAR(255) PRIMARY KEY,\n' +
    '    `key` VARCHAR(255) UNIQUE NOT NULL,\n' +
    '    secret VARCHAR(255) NOT NULL,\n' +
    `${columns}\n` +
    ') ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci'
  );
}

/**
 * The SQL that creates the applications table and its indexes, as in Rust Sockudo's
 * `ops/migrations/mysql/001_fresh_schema.sql`, for a DBA to review or run by hand. `migrate()` runs the
 * same statements, skipping indexes and columns that already exist.
 *
 * @param table the table name. @default 'applications'
 */
export function mysqlSchema(table = 'applications'): string {
  checkTableName(table, 'table');
  const indexes = mysqlIndexes(table).map(
    ([name, column]) => `CREATE INDEX ${name} ON \`${table}\` (${column});`,
  );
  return `${mysqlCreateTable(table)};\n\n${indexes.join('\n')}\n`;
}
