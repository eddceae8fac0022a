// The MariaDB/MySQL these tests need (a clear failure, never a skip, when it is not there) and the tests'
// own connection to it, for statements that bypass the manager.

import { requireService } from '@sockudo/test-helpers/services';
import type { SqlTestAdmin, SqlTestConnection } from '@sockudo/test-helpers/sql-app-manager-cases';
import mysql, { type Pool } from 'mysql2/promise';
import { createMysqlAppManager, type MysqlAppManager } from '../../src/index.js';
import { MYSQL_DIALECT } from '../../src/mysql-schema.js';

export {
  insertRows,
  migratedTable,
  uniqueTable,
} from '@sockudo/test-helpers/sql-app-manager-cases';

/** Where the tests' database is; override with SOCKUDO_TEST_MYSQL_URL. */
export const MYSQL_URL = process.env.SOCKUDO_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';

/** Throws (failing the test) unless MySQL answers at {@link MYSQL_URL}. */
export function requireMysql(): Promise<void> {
  return requireService(
    'MySQL/MariaDB (user root, empty password, database test; or set SOCKUDO_TEST_MYSQL_URL)',
    MYSQL_URL,
    3306,
  );
}

/** A small pool for the tests' own statements. */
export function adminPool(): Pool {
  const url = new URL(MYSQL_URL);
  return mysql.createPool({
    host: url.hostname,
    port: Number(url.port || 3306),
    user: decodeURIComponent(url.username || 'root'),
    password: decodeURIComponent(url.password),
    database: url.pathname.slice(1) || 'test',
    connectionLimit: 3,
    charset: 'utf8mb4_unicode_ci',
  });
}

/** The tests' own connection, as the shared SQL tests take it. */
export function mysqlAdmin(pool = adminPool()): SqlTestAdmin & { pool: Pool } {
  return {
    pool,
    dialect: MYSQL_DIALECT,
    async query(sql, params) {
      const [rows] = await pool.query(sql, params);
      return rows as Array<Record<string, unknown>>;
    },
    end: () => pool.end(),
  };
}

/** How the shared SQL tests reach MySQL and make its manager. */
export const mysqlTestDatabase: SqlTestConnection<MysqlAppManager> = {
  dialect: MYSQL_DIALECT,
  url: MYSQL_URL,
  create: createMysqlAppManager,
  require: requireMysql,
  admin: () => mysqlAdmin(),
};
