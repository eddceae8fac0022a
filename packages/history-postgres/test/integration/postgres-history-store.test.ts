// The PostgreSQL history store against the machine's PostgreSQL: Rust Sockudo's tables, rows and
// indexes, tables it created, a pool handed in, an unreachable database.

import { historyTables, postgresHistorySchema } from '@sockudo/history-sql';
import { freePort, requireService } from '@sockudo/test-helpers/services';
import pg from 'pg';
import { historySqlCases } from '../../../history-sql/test/helpers/history-sql-cases.js';
import { createPostgresHistoryStore } from '../../src/index.js';

const POSTGRES_URL = process.env.SOCKUDO_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const numbered = (sql: string) => {
  let index = 0;
  return sql.replace(/\?/g, () => `$${++index}`);
};

historySqlCases<pg.Pool>(
  {
    name: 'PostgreSQL',
    require: () =>
      requireService('PostgreSQL (user postgres, trust auth, database test)', POSTGRES_URL, 5432),
    admin() {
      const pool = new pg.Pool({ connectionString: POSTGRES_URL, max: 2 });
      pool.on('error', () => {});
      return {
        query: async (sql, params = []) => (await pool.query(numbered(sql), params)).rows,
        end: () => pool.end(),
      };
    },
    create: ({ url, ...options }) => createPostgresHistoryStore({ url: url ?? POSTGRES_URL, ...options }),
    // The PostgreSQL DDL here is Rust Sockudo's as it stands.
    rustSchema: (prefix) => postgresHistorySchema(historyTables(prefix)),
    async columns(admin, table) {
      const rows = await admin.query(
        `SELECT column_name, data_type, is_nullable FROM information_schema.columns
          WHERE table_schema = current_schema() AND table_name = ? ORDER BY ordinal_position`,
        [table],
      );
      return rows.map((row) => [String(row.column_name), String(row.data_type), row.is_nullable === 'YES']);
    },
    async indexes(admin, table) {
      const rows = await admin.query('SELECT indexname FROM pg_indexes WHERE tablename = ?', [table]);
      return rows.map((row) => String(row.indexname));
    },
    unreachableUrl: (port, password) => `postgres://sockudo:${password}@127.0.0.1:${port}/test`,
  },
  freePort,
);
