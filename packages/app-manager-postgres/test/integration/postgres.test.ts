// What the PostgreSQL manager does: the SQL app managers' shared tests against PostgreSQL, then what only
// PostgreSQL has — its schema text and indexes, folded table names, and its failures.

import { watchProcessErrors } from '@sockudo/test-helpers/end-to-end';
import { writtenApp } from '@sockudo/test-suite';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import {
  type SqlTestAdmin,
  sqlAppManagerTests,
  uniqueTable,
} from '../../../app-manager-sql/test/helpers/sql-app-manager-cases.js';
import { createPostgresAppManager, postgresSchema } from '../../src/index.js';
import { POSTGRES_URL, postgresTestDatabase } from '../helpers/postgres.js';

async function columnsOf(admin: SqlTestAdmin, table: string): Promise<Record<string, string>> {
  const rows = await admin.query(
    'SELECT column_name AS name, data_type AS type, is_nullable, column_default FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1',
    [table],
  );
  return Object.fromEntries(
    rows.map((row) => [row.name, `${row.type} ${row.is_nullable} ${row.column_default}`]),
  );
}

async function indexesOf(admin: SqlTestAdmin, table: string): Promise<string[]> {
  const rows = await admin.query(
    'SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND tablename = $1',
    [table],
  );
  return rows.map((row) => String(row.indexname).replace(table, 'T')).sort();
}

const harness = sqlAppManagerTests({
  ...postgresTestDatabase,
  configKey: 'database.postgres',
  columnsOf,
  legacyTable: (table) => `CREATE TABLE ${table} (
    id VARCHAR(255) PRIMARY KEY, key VARCHAR(255) UNIQUE NOT NULL, secret VARCHAR(255) NOT NULL,
    max_connections INTEGER NOT NULL, enable_client_messages BOOLEAN NOT NULL DEFAULT FALSE,
    enabled BOOLEAN NOT NULL DEFAULT TRUE, max_client_events_per_second INTEGER NOT NULL
  )`,
  invalidTableNames: ['apps; DROP TABLE x', 'apps"', '1apps', 'my-apps', '', 'a'.repeat(64)],
  missingTable: /does not exist/,
});
const { manager, dropLater } = harness;

describe('PostgreSQL schema', () => {
  it("postgresSchema() is Rust Sockudo's applications table and its three indexes", () => {
    const sql = postgresSchema();
    expect(sql).toContain('CREATE TABLE IF NOT EXISTS "applications" (');
    expect(sql).toContain('"key" VARCHAR(255) UNIQUE NOT NULL');
    expect(sql).toContain('max_client_events_per_second INTEGER NOT NULL');
    expect(sql).toContain('policy JSONB');
    expect(sql).toContain('CREATE INDEX IF NOT EXISTS "idx_applications_key" ON "applications" ("key")');
    expect(sql).toContain(
      'CREATE INDEX IF NOT EXISTS "idx_applications_enabled" ON "applications" (enabled)',
    );
    expect(sql).toContain(
      'CREATE INDEX IF NOT EXISTS "idx_applications_created_at" ON "applications" (created_at)',
    );
    expect(sql).not.toContain('app-secret');
  });

  it('the exported SQL runs as it is, twice, and makes the table migrate() makes', async () => {
    const byHand = uniqueTable('by_hand');
    dropLater(byHand);
    await harness.admin.query(postgresSchema(byHand));
    await harness.admin.query(postgresSchema(byHand));
    const migrated = manager();
    await migrated.migrate();
    expect(await columnsOf(harness.admin, migrated.table)).toEqual(await columnsOf(harness.admin, byHand));
    expect(await indexesOf(harness.admin, migrated.table)).toEqual(await indexesOf(harness.admin, byHand));
    expect(await indexesOf(harness.admin, byHand)).toEqual(
      ['T_key_key', 'T_pkey', 'idx_T_created_at', 'idx_T_enabled', 'idx_T_key'].sort(),
    );
  });

  it('migrate() is idempotent, also when several nodes run it at once', async () => {
    const table = uniqueTable();
    const nodes = [manager({ table }), manager({ table }), manager({ table })];
    await Promise.all(nodes.map((node) => node.migrate()));
    await nodes[0]!.migrate();
    expect(await indexesOf(harness.admin, table)).toHaveLength(5);
  });

  it('uses the table Rust Sockudo means by a mixed-case table_name (PostgreSQL folds it)', async () => {
    const lower = uniqueTable('folded');
    dropLater(lower);
    const mixed = manager({ table: lower.toUpperCase() });
    await mixed.migrate();
    expect(Object.keys(await columnsOf(harness.admin, lower))).toContain('policy');
    await mixed.createApp({ ...writtenApp('fold') });
    const rows = await harness.admin.query(`SELECT id FROM ${lower.toUpperCase()}`);
    expect(rows).toEqual([{ id: writtenApp('fold').id }]);
  });
});

describe('PostgreSQL failures', () => {
  it('an unknown database is reported with its name and without the password', async () => {
    const url = new URL(POSTGRES_URL);
    const wrong = manager({
      url: undefined,
      host: url.hostname,
      port: Number(url.port || 5432),
      user: 'postgres',
      password: 'hunter2-do-not-leak',
      database: 'no_such_sockudo_db',
    });
    const error = (await wrong.checkHealth().catch((e: unknown) => e)) as Error;
    expect(error.message).toMatch(/PostgreSQL database "no_such_sockudo_db" at .*:\d+: .*does not exist/);
    expect(error.message).not.toContain('hunter2');
  });

  it('connections the server terminates are replaced without an uncaught error; the next lookups succeed', async () => {
    const apps = manager();
    const pids = new Set<number>();
    apps.pool.on('connect', (client: pg.PoolClient & { processID?: number }) => {
      if (client.processID) pids.add(client.processID);
    });
    await apps.migrate();
    await apps.createApp({ ...writtenApp('killed') });
    await Promise.all(Array.from({ length: 5 }, () => apps.findByKey(writtenApp('killed').key)));
    expect(pids.size).toBeGreaterThan(0);
    const watch = watchProcessErrors();
    try {
      // Idle clients get an 'error' event; without the manager's listeners this would crash the process.
      await harness.admin.query('SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid', [
        [...pids],
      ]);
      const found = await Promise.all(
        Array.from({ length: 5 }, () => apps.findByKey(writtenApp('killed').key)),
      );
      expect(found.map((app) => app?.id)).toEqual(Array(5).fill(writtenApp('killed').id));
      await apps.checkHealth();
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(watch.errors).toEqual([]);
    } finally {
      watch.stop();
    }
  });

  it('uses a pool it is given and leaves it open on close()', async () => {
    const pool = new pg.Pool({ connectionString: POSTGRES_URL, max: 2 });
    pool.on('error', () => {});
    try {
      const table = uniqueTable();
      dropLater(table);
      const apps = createPostgresAppManager({ client: pool, table });
      await apps.migrate();
      await apps.checkHealth();
      await apps.close();
      const { rows } = await pool.query('SELECT 1 AS one');
      expect(rows[0].one).toBe(1);
    } finally {
      await pool.end();
    }
  });
});
