// The PostgreSQL the tests use, and a check that fails loudly when it is not running.

import pg from 'pg';

/** Override with PG_URL; trust auth on the machine's PostgreSQL. */
export const PG_URL = process.env.PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Connects once; throws a message saying how to start PostgreSQL when it cannot. */
export async function requirePostgres(): Promise<void> {
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (error) {
    throw new Error(
      `PostgreSQL is not reachable at ${PG_URL} (${error instanceof Error ? error.message : String(error)}); start it (bash scripts/services.sh start) or set PG_URL`,
    );
  } finally {
    await client.end().catch(() => {});
  }
}
