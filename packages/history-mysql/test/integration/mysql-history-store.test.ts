// The MySQL history store against the machine's MariaDB: Rust Sockudo's tables, rows and indexes,
// tables it created (with its case-insensitive collation), a pool handed in, an unreachable database,
// and names that are not ASCII kept apart in the ASCII columns.

import { historyTables, mysqlHistoryIndexes, mysqlHistorySchema } from '@sockudo/history-sql';
import { freePort, requireService } from '@sockudo/test-helpers/services';
import mysql, { type Pool } from 'mysql2/promise';
import { describe, expect, it } from 'vitest';
import { historySqlCases } from '../../../history-sql/test/helpers/history-sql-cases.js';
import { createMysqlHistoryStore, storedMysqlName } from '../../src/index.js';

const MYSQL_URL = process.env.SOCKUDO_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';

historySqlCases<Pool>(
  {
    name: 'MySQL',
    require: () =>
      requireService('MySQL/MariaDB (user root, empty password, database test)', MYSQL_URL, 3306),
    admin() {
      const pool = mysql.createPool({ uri: MYSQL_URL, connectionLimit: 2 });
      return {
        query: async (sql, params = []) => {
          const [rows] = await pool.query(sql, params);
          return Array.isArray(rows) ? (rows as Array<Record<string, unknown>>) : [];
        },
        end: () => pool.end(),
      };
    },
    create: ({ url, ...options }) => createMysqlHistoryStore({ url: url ?? MYSQL_URL, ...options }),
    // Rust Sockudo collates the ASCII columns ascii_general_ci; the rest of its DDL is ours.
    rustSchema: (prefix) => {
      const tables = historyTables(prefix);
      return [...mysqlHistorySchema(tables), ...mysqlHistoryIndexes(tables)].map((statement) =>
        statement.replaceAll('ascii_bin', 'ascii_general_ci'),
      );
    },
    async columns(admin, table) {
      const rows = await admin.query(
        `SELECT COLUMN_NAME AS name, DATA_TYPE AS type, IS_NULLABLE AS nullable FROM information_schema.COLUMNS
          WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION`,
        [table],
      );
      return rows.map((row) => [String(row.name), String(row.type), row.nullable === 'YES']);
    },
    async indexes(admin, table) {
      const rows = await admin.query(
        'SELECT DISTINCT INDEX_NAME AS name FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?',
        [table],
      );
      return rows.map((row) => String(row.name));
    },
    unreachableUrl: (port, password) => `mysql://sockudo:${password}@127.0.0.1:${port}/test`,
  },
  freePort,
);

describe('storedMysqlName', () => {
  it('keeps Pusher channel names as they are and escapes % and non-ASCII', () => {
    for (const name of ['presence-room_1', 'private-a=b@c,d.e;f', 'Chat'])
      expect(storedMysqlName(name)).toBe(name);
    expect(storedMysqlName('ünï-💬')).toBe('%C3%BCn%C3%AF-%F0%9F%92%AC');
    expect(storedMysqlName('100%')).toBe('100%25');
    // An escaped name and the name that looks like its escape stay apart.
    expect(storedMysqlName('%C3%BC')).not.toBe(storedMysqlName('ü'));
  });
});
