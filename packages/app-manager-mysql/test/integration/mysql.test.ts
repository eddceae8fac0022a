// What the MySQL manager does: the SQL app managers' shared tests against MariaDB, then what only MySQL
// has — its schema text, which runs as it is.

import { ConfigError } from '@sockudo/core';
import {
  type SqlTestAdmin,
  sqlAppManagerTests,
  uniqueTable,
} from '@sockudo/test-helpers/sql-app-manager-cases';
import type { Pool } from 'mysql2/promise';
import { describe, expect, it } from 'vitest';
import { mysqlSchema } from '../../src/index.js';
import { mysqlTestDatabase } from '../helpers/mysql.js';

async function columnsOf(admin: SqlTestAdmin, table: string): Promise<Record<string, string>> {
  const rows = await admin.query(
    'SELECT COLUMN_NAME AS name, COLUMN_TYPE AS type FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?',
    [table],
  );
  return Object.fromEntries(rows.map((row) => [row.name, row.type]));
}

async function indexesOf(admin: SqlTestAdmin, table: string): Promise<string[]> {
  const rows = await admin.query(
    'SELECT DISTINCT INDEX_NAME AS name FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?',
    [table],
  );
  return rows.map((row) => String(row.name).replace(table, 'T')).sort();
}

const harness = sqlAppManagerTests({
  ...mysqlTestDatabase,
  configKey: 'database.mysql',
  columnsOf,
  legacyTable: (table) => `CREATE TABLE \`${table}\` (
    id VARCHAR(255) PRIMARY KEY, \`key\` VARCHAR(255) UNIQUE NOT NULL, secret VARCHAR(255) NOT NULL,
    max_connections INT UNSIGNED NOT NULL, enable_client_messages BOOLEAN NOT NULL DEFAULT FALSE,
    enabled BOOLEAN NOT NULL DEFAULT TRUE, max_backend_events_per_second INT UNSIGNED NULL,
    max_client_events_per_second INT UNSIGNED NOT NULL, max_read_requests_per_second INT UNSIGNED NULL
  ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`,
  invalidTableNames: ['apps; DROP TABLE x', 'apps`', '1apps', 'my-apps', '', 'a'.repeat(65)],
  missingTable: /doesn't exist/,
  indexesOf,
  migratedIndexes: ['PRIMARY', 'idx_T_created_at', 'idx_T_enabled', 'idx_T_key', 'key'],
  refusedLogin: { user: 'no_such_sockudo_user', database: 'test', reason: /Access denied/ },
  connectionIds(pool) {
    const threads = new Set<number>();
    (pool as Pool).on('connection', (connection) => threads.add(connection.threadId));
    return threads;
  },
  async killConnections(admin, ids) {
    await Promise.all(ids.map((id) => admin.query(`KILL ${Number(id)}`)));
  },
});

describe('MySQL schema', () => {
  it("mysqlSchema() is Rust Sockudo's applications table and its three indexes", () => {
    const sql = mysqlSchema();
    expect(sql).toContain('CREATE TABLE IF NOT EXISTS `applications` (');
    expect(sql).toContain('`key` VARCHAR(255) UNIQUE NOT NULL');
    expect(sql).toContain('max_client_events_per_second INT UNSIGNED NOT NULL');
    expect(sql).toContain('policy JSON NULL');
    expect(sql).toContain('ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci');
    expect(sql).toContain('CREATE INDEX idx_applications_key ON `applications` (`key`);');
    expect(sql).toContain('CREATE INDEX idx_applications_enabled ON `applications` (enabled);');
    expect(sql).toContain('CREATE INDEX idx_applications_created_at ON `applications` (created_at);');
    expect(sql).not.toContain('app-secret');
    expect(mysqlSchema('tenant_apps')).toContain('CREATE TABLE IF NOT EXISTS `tenant_apps`');
    expect(() => mysqlSchema('x y')).toThrow(ConfigError);
  });

  it('the exported SQL runs as it is and makes the table migrate() makes', async () => {
    const byHand = uniqueTable('by_hand');
    harness.dropLater(byHand);
    for (const statement of mysqlSchema(byHand)
      .split(';')
      .filter((s) => s.trim()))
      await harness.admin.query(statement);
    const migrated = harness.manager();
    await migrated.migrate();
    expect(await columnsOf(harness.admin, migrated.table)).toEqual(await columnsOf(harness.admin, byHand));
    expect(await indexesOf(harness.admin, migrated.table)).toEqual(await indexesOf(harness.admin, byHand));
  });
});
