// The PostgreSQL these tests need (a clear failure, never a skip, when it is not there) and the tests'
// own connection to it, for statements that bypass the manager.

import { requireService } from '@sockudo/test-helpers/services';
import type { SqlTestAdmin, SqlTestConnection } from '@sockudo/test-helpers/sql-app-manager-cases';
import pg from 'pg';
import { createPostgresAppManager, type PostgresAppManager } from '../../src/index.js';
import { POSTGRES_DIALECT } from '../../src/postgres-schema.js';

export {
  insertRows,
  migratedTable,
  uniqueTable,
} from '@sockudo/test-helpers/sql-app-manager-cases';

/** Where the tests' database is; override with SOCKUDO_TEST_POSTGRES_URL. */
export const POSTGRES_URL =
  process.env.SOCKUDO_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Throws (failing the test) unless PostgreSQL answers at {@link POSTGRES_URL}. */
export function requirePostgres(): Promise<void> {
  return requireService(
    'PostgreSQL (user postgres with trust auth, database test; or set SOCKUDO_TEST_POSTGRES_URL)',
    POSTGRES_URL,
    5432,
  );
}

/** The tests' own connection (a small pool), as the shared SQL tests take it. */
export function postgresAdmin(): SqlTestAdmin & { pool: pg.Pool } {
  const pool = new pg.Pool({ connectionString: POSTGRES_URL, max: 3 });
  pool.on('error', () => {});
  return {
    pool,
    dialect: POSTGRES_DIALECT,
    async query(sql, params) {
      return (await pool.query(sql, params)).rows;
    },
    end: () => pool.end(),
  };
}

/** How the shared SQL tests reach PostgreSQL and make its manager. */
export const postgresTestDatabase: SqlTestConnection<PostgresAppManager> = {
  dialect: POSTGRES_DIALECT,
  url: POSTGRES_URL,
  create: createPostgresAppManager,
  require: requirePostgres,
  admin: () => postgresAdmin(),
};
