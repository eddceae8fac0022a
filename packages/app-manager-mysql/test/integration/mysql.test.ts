// What the MySQL manager does: the SQL app managers' shared tests against MariaDB, then what only MySQL
// has — its schema text and indexes, killed connections, a given pool, and its own failures.

import { ConfigError } from '@sockudo/core';
import { watchProcessErrors } from '@sockudo/test-helpers/end-to-end';
import { writtenApp } from '@sockudo/test-suite';
import mysql, { type RowDataPacket } from 'mysql2/promise';
import { describe, expect, it } from 'vitest';
import {
  type SqlTestAdmin,
  sqlAppManagerTests,
  uniqueTable,
} from '../../../app-manager-sql/test/helpers/sql-app-manager-cases.js';
import { createMysqlAppManager, mysqlSchema } from '../../src/index.js';
import { MYSQL_URL, mysqlTestDatabase } from '../helpers/mysql.js';

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
  return rows.map((row) => String(row.name)).sort();
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
});
const { manager, dropLater } = harness;

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
    dropLater(byHand);
    for (const statement of mysqlSchema(byHand)
      .split(';')
      .filter((s) => s.trim()))
      await harness.admin.query(statement);
    const migrated = manager();
    await migrated.migrate();
    expect(await columnsOf(harness.admin, migrated.table)).toEqual(await columnsOf(harness.admin, byHand));
    expect(
      (await indexesOf(harness.admin, migrated.table)).map((n) => n.replace(migrated.table, 'T')),
    ).toEqual((await indexesOf(harness.admin, byHand)).map((n) => n.replace(byHand, 'T')));
  });

  it('migrate() is idempotent, also when several nodes run it at once', async () => {
    const table = uniqueTable();
    const nodes = [manager({ table }), manager({ table }), manager({ table })];
    await Promise.all(nodes.map((node) => node.migrate()));
    await nodes[0]!.migrate();
    expect(await indexesOf(harness.admin, table)).toEqual(
      ['PRIMARY', 'key', `idx_${table}_created_at`, `idx_${table}_enabled`, `idx_${table}_key`].sort(),
    );
  });
});

describe('MySQL failures', () => {
  it('a wrong password is reported without the password', async () => {
    const url = new URL(MYSQL_URL);
    const wrong = manager({
      url: undefined,
      host: url.hostname,
      port: Number(url.port || 3306),
      user: 'no_such_sockudo_user',
      password: 'hunter2-do-not-leak',
      database: 'test',
    });
    const error = (await wrong.checkHealth().catch((e: unknown) => e)) as Error;
    expect(error.message).toMatch(/MySQL database "test" at .*:\d+: Access denied/);
    expect(error.message).not.toContain('hunter2');
  });

  it('a connection the server kills is replaced: the next lookup succeeds', async () => {
    const apps = manager();
    const threads = new Set<number>();
    apps.pool.on('connection', (connection: { threadId: number }) => threads.add(connection.threadId));
    await apps.migrate();
    await apps.createApp({ ...writtenApp('killed') });
    // Open a few pooled connections, then kill them all from outside.
    await Promise.all(Array.from({ length: 5 }, () => apps.findByKey(writtenApp('killed').key)));
    expect(threads.size).toBeGreaterThan(0);
    const watch = watchProcessErrors();
    try {
      // No pause: the next lookups race the pool noticing, so some hit a dead connection and retry.
      await Promise.all([...threads].map((id) => harness.admin.query(`KILL ${Number(id)}`)));
      const found = await Promise.all(
        Array.from({ length: 5 }, () => apps.findByKey(writtenApp('killed').key)),
      );
      expect(found.map((app) => app?.id)).toEqual(Array(5).fill(writtenApp('killed').id));
      await apps.checkHealth();
      expect(watch.errors).toEqual([]);
    } finally {
      watch.stop();
    }
  });

  it('uses a pool it is given and leaves it open on close()', async () => {
    const url = new URL(MYSQL_URL);
    const pool = mysql.createPool({
      host: url.hostname,
      port: Number(url.port || 3306),
      user: 'root',
      database: url.pathname.slice(1),
    });
    try {
      const table = uniqueTable();
      dropLater(table);
      const apps = createMysqlAppManager({ client: pool, table });
      await apps.migrate();
      await apps.checkHealth();
      await apps.close();
      const [rows] = await pool.query<RowDataPacket[]>('SELECT 1 AS one');
      expect(rows[0]!.one).toBe(1);
    } finally {
      await pool.end();
    }
  });
});
