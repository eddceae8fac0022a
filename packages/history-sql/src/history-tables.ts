// Rust Sockudo's two channel-history tables, `<prefix>_streams` (one row per channel: stream id, next
// serial, what is retained) and `<prefix>_entries` (one row per message), as its PostgreSQL and MySQL
// stores create them (crates/sockudo-server/src/history/{postgres,mysql}/schema.rs), so this package and
// a Rust Sockudo deployment can use the same database. Rust's version and annotation tables are not
// needed here and are left to it.

import { ConfigError } from '@sockudo/core';

/** The table names of one prefix. */
export interface HistoryTables {
  streams: string;
  entries: string;
}

/** The longest prefix taken: PostgreSQL's 63-character names must hold `<prefix>_entries_app_channel_serial_idx`. */
export const MAX_TABLE_PREFIX_LENGTH = 32;

/**
 * `<prefix>_streams` and `<prefix>_entries`.
 * @throws ConfigError naming `configKey` unless the prefix is a plain identifier of at most 32 characters
 */
export function historyTables(prefix: string, configKey = 'history.table_prefix'): HistoryTables {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(prefix) || prefix.length > MAX_TABLE_PREFIX_LENGTH) {
    throw new ConfigError(
      `${configKey}: expected letters, digits and _ (not starting with a digit), at most ${MAX_TABLE_PREFIX_LENGTH} characters, got ${JSON.stringify(prefix)}`,
      { key: configKey },
    );
  }
  return { streams: `${prefix}_streams`, entries: `${prefix}_entries` };
}

const STREAM_COLUMNS = (identifier: string, text: string) => `
    app_id ${identifier} NOT NULL,
    channel ${identifier} NOT NULL,
    stream_id ${identifier} NOT NULL,
    next_serial BIGINT NOT NULL,
    durable_state ${text === 'TEXT' ? 'TEXT' : 'VARCHAR(32)'} NOT NULL DEFAULT 'healthy',
    durable_state_reason TEXT NULL,
    durable_state_node_id ${text === 'TEXT' ? 'TEXT' : 'VARCHAR(255)'} NULL,
    durable_state_changed_at_ms BIGINT NULL,
    retained_messages BIGINT NOT NULL DEFAULT 0,
    retained_bytes BIGINT NOT NULL DEFAULT 0,
    oldest_available_serial BIGINT NULL,
    newest_available_serial BIGINT NULL,
    oldest_available_published_at_ms BIGINT NULL,
    newest_available_published_at_ms BIGINT NULL,
    updated_at_ms BIGINT NOT NULL,
    PRIMARY KEY (app_id, channel)`;

/** The statements that create both tables and their indexes in PostgreSQL; each is idempotent. */
export function postgresHistorySchema(tables: HistoryTables): string[] {
  return [
    `CREATE TABLE IF NOT EXISTS ${tables.streams} (${STREAM_COLUMNS('TEXT', 'TEXT')}\n)`,
    `CREATE TABLE IF NOT EXISTS ${tables.entries} (
    app_id TEXT NOT NULL,
    channel TEXT NOT NULL,
    stream_id TEXT NOT NULL,
    serial BIGINT NOT NULL,
    published_at_ms BIGINT NOT NULL,
    message_id TEXT NULL,
    event_name TEXT NULL,
    operation_kind TEXT NOT NULL,
    payload_bytes BYTEA NOT NULL,
    payload_size_bytes BIGINT NOT NULL,
    metadata JSONB NULL,
    tombstone BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    PRIMARY KEY (app_id, channel, stream_id, serial)
)`,
    `CREATE INDEX IF NOT EXISTS ${tables.entries}_app_channel_serial_idx ON ${tables.entries} (app_id, channel, serial DESC)`,
    `CREATE INDEX IF NOT EXISTS ${tables.entries}_app_channel_time_idx ON ${tables.entries} (app_id, channel, published_at_ms DESC, serial DESC)`,
  ];
}

/**
 * Rust Sockudo keeps app ids, channels and stream ids in ASCII columns (short index keys). It collates
 * them `ascii_general_ci`, which would make `Chat` and `chat` one channel; tables created here use
 * `ascii_bin` instead (tables Rust Sockudo created keep theirs).
 */
const MYSQL_IDENTIFIER = 'VARCHAR(255) CHARACTER SET ascii COLLATE ascii_bin';
const MYSQL_TABLE = 'ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci';

/** The statements that create both tables in MySQL/MariaDB; each is idempotent. */
export function mysqlHistorySchema(tables: HistoryTables): string[] {
  return [
    `CREATE TABLE IF NOT EXISTS ${tables.streams} (${STREAM_COLUMNS(MYSQL_IDENTIFIER, 'VARCHAR')}\n) ${MYSQL_TABLE}`,
    `CREATE TABLE IF NOT EXISTS ${tables.entries} (
    app_id ${MYSQL_IDENTIFIER} NOT NULL,
    channel ${MYSQL_IDENTIFIER} NOT NULL,
    stream_id ${MYSQL_IDENTIFIER} NOT NULL,
    serial BIGINT NOT NULL,
    published_at_ms BIGINT NOT NULL,
    message_id VARCHAR(255) NULL,
    event_name VARCHAR(255) NULL,
    operation_kind VARCHAR(64) NOT NULL,
    payload_bytes LONGBLOB NOT NULL,
    payload_size_bytes BIGINT NOT NULL,
    metadata JSON NULL,
    tombstone BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (app_id, channel, stream_id, serial)
) ${MYSQL_TABLE}`,
  ];
}

/** MySQL's indexes: no `IF NOT EXISTS` there, so a "duplicate key name" error means it is done. */
export function mysqlHistoryIndexes(tables: HistoryTables): string[] {
  return [
    `CREATE INDEX ${tables.entries}_app_channel_serial_idx ON ${tables.entries} (app_id, channel, serial DESC)`,
    `CREATE INDEX ${tables.entries}_app_channel_time_idx ON ${tables.entries} (app_id, channel, published_at_ms DESC, serial DESC)`,
  ];
}
