// The MariaDB/MySQL these tests need (a clear failure, never a skip, when it is not there), a throwaway
// table per test file, and raw inserts that bypass the manager.

import { randomBytes } from 'node:crypto';
import { Socket } from 'node:net';
import mysql, { type Pool } from 'mysql2/promise';

/** Where the tests' database is; override with SOCKUDO_TEST_MYSQL_URL. */
export const MYSQL_URL = process.env.SOCKUDO_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';

function tcpOpen(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.connect(port, host, () => done(true));
  });
}

/** Throws (failing the test) unless MySQL answers at {@link MYSQL_URL}. */
export async function requireMysql(): Promise<void> {
  const url = new URL(MYSQL_URL);
  const port = Number(url.port || 3306);
  if (!(await tcpOpen(url.hostname, port))) {
    throw new Error(
      `MySQL/MariaDB is not reachable at ${url.hostname}:${port}. These integration tests need it (user root, empty password, database test): run \`bash scripts/services.sh start\` in the repo root, or set SOCKUDO_TEST_MYSQL_URL.`,
    );
  }
}

/** A table name no other test file uses. */
export function uniqueTable(prefix = 'applications'): string {
  return `${prefix}_${randomBytes(5).toString('hex')}`;
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

/** Inserts records as rows: keys are columns, objects and arrays become JSON text. */
export async function insertRows(
  pool: Pool,
  table: string,
  records: Array<Record<string, unknown>>,
): Promise<void> {
  for (const record of records) {
    const entries = Object.entries(record);
    const values = entries.map(([, value]) =>
      typeof value === 'object' && value !== null ? JSON.stringify(value) : value,
    );
    await pool.execute(
      `INSERT INTO \`${table}\` (${entries.map(([name]) => `\`${name}\``).join(', ')}) VALUES (${entries
        .map(() => '?')
        .join(', ')})`,
      values as Array<string | number | boolean | null>,
    );
  }
}
