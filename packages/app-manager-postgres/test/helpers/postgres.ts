// The PostgreSQL these tests need (a clear failure, never a skip, when it is not there), a throwaway
// table per test file, and raw inserts that bypass the manager.

import { randomBytes } from 'node:crypto';
import { Socket } from 'node:net';
import pg from 'pg';

/** Where the tests' database is; override with SOCKUDO_TEST_POSTGRES_URL. */
export const POSTGRES_URL =
  process.env.SOCKUDO_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

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

/** Throws (failing the test) unless PostgreSQL answers at {@link POSTGRES_URL}. */
export async function requirePostgres(): Promise<void> {
  const url = new URL(POSTGRES_URL);
  const port = Number(url.port || 5432);
  if (!(await tcpOpen(url.hostname, port))) {
    throw new Error(
      `PostgreSQL is not reachable at ${url.hostname}:${port}. These integration tests need it (user postgres with trust auth, database test): run \`bash scripts/services.sh start\` in the repo root, or set SOCKUDO_TEST_POSTGRES_URL.`,
    );
  }
}

/** A table name no other test file uses. */
export function uniqueTable(prefix = 'applications'): string {
  return `${prefix}_${randomBytes(5).toString('hex')}`;
}

/** A small pool for the tests' own statements. */
export function adminPool(): pg.Pool {
  const pool = new pg.Pool({ connectionString: POSTGRES_URL, max: 3 });
  pool.on('error', () => {});
  return pool;
}

/** Inserts records as rows: keys are columns, objects and arrays become JSON text. */
export async function insertRows(
  pool: pg.Pool,
  table: string,
  records: Array<Record<string, unknown>>,
): Promise<void> {
  for (const record of records) {
    const entries = Object.entries(record);
    const values = entries.map(([, value]) =>
      typeof value === 'object' && value !== null ? JSON.stringify(value) : value,
    );
    await pool.query(
      `INSERT INTO "${table}" (${entries.map(([name]) => `"${name}"`).join(', ')}) VALUES (${entries
        .map((_, i) => `$${i + 1}`)
        .join(', ')})`,
      values,
    );
  }
}
