// What the PostgreSQL manager does: the SQL app managers' shared tests against PostgreSQL, then what only
// PostgreSQL has — its schema text, which runs as it is (twice), and folded table names.

import {
  type SqlTestAdmin,
  sqlAppManagerTests,
  uniqueTable,
} from '@sockudo/test-helpers/sql-app-manager-cases';
import { writtenApp } from '@sockudo/test-suite';
import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { postgresSchema } from '../../src/index.js';
import { postgresTestDatabase } from '../helpers/postgres.js';

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

/** The primary key, the unique key and Rust Sockudo's three indexes. */
const MIGRATED_INDEXES = ['T_key_key', 'T_pkey', 'idx_T_created_at', 'idx_T_enabled', 'idx_T_key'];

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
  indexesOf,
  migratedIndexes: MIGRATED_INDEXES,
  refusedLogin: { user: 'postgres', database: 'no_such_sockudo_db', reason: /does not exist/ },
  connectionIds(pool) {
    const pids = new Set<number>();
    (pool as pg.Pool).on('connect', (client: pg.PoolClient & { processID?: number }) => {
      if (client.processID) pids.add(client.processID);
    });
    return pids;
  },
  async killConnections(admin, ids) {
    // Idle clients get an 'error' event; without the manager's listeners this would crash the process.
    await admin.query('SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid', [ids]);
  },
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
    expect(await indexesOf(harness.admin, byHand)).toEqual(MIGRATED_INDEXES);
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
