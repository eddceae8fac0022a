// Table names from a prefix, and the DDL of both dialects naming Rust Sockudo's tables and indexes.

import { ConfigError } from '@sockudo/core';
import { describe, expect, it } from 'vitest';
import {
  historyTables,
  mysqlHistoryIndexes,
  mysqlHistorySchema,
  postgresHistorySchema,
} from '../../src/index.js';

describe('historyTables', () => {
  it("names Rust Sockudo's tables after the prefix", () => {
    expect(historyTables('sockudo_history')).toEqual({
      streams: 'sockudo_history_streams',
      entries: 'sockudo_history_entries',
    });
  });

  it('refuses a prefix that is not a plain identifier, or too long for its index names', () => {
    for (const bad of ['', '1abc', 'a-b', 'a;drop table x', 'x'.repeat(33)]) {
      expect(() => historyTables(bad, 'history.postgres.table_prefix')).toThrow(ConfigError);
    }
    expect(() => historyTables('a b', 'history.mysql.table_prefix')).toThrow(/history\.mysql\.table_prefix/);
  });
});

describe('the DDL', () => {
  const tables = historyTables('p');

  it('creates both tables and the serial and time indexes, idempotently', () => {
    const postgres = postgresHistorySchema(tables);
    expect(postgres.every((statement) => /IF NOT EXISTS/.test(statement))).toBe(true);
    expect(postgres.join('\n')).toMatch(
      /CREATE TABLE IF NOT EXISTS p_streams[\s\S]*PRIMARY KEY \(app_id, channel\)/,
    );
    expect(postgres.join('\n')).toMatch(
      /p_entries_app_channel_serial_idx ON p_entries \(app_id, channel, serial DESC\)/,
    );
    expect(postgres.join('\n')).toMatch(/payload_bytes BYTEA NOT NULL/);
    const mysql = [...mysqlHistorySchema(tables), ...mysqlHistoryIndexes(tables)].join('\n');
    expect(mysql).toMatch(/payload_bytes LONGBLOB NOT NULL/);
    expect(mysql).toMatch(/channel VARCHAR\(255\) CHARACTER SET ascii COLLATE ascii_bin NOT NULL/);
    expect(mysql).toMatch(
      /p_entries_app_channel_time_idx ON p_entries \(app_id, channel, published_at_ms DESC, serial DESC\)/,
    );
  });
});
