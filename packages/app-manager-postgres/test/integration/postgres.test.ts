// What only the PostgreSQL manager does: Rust Sockudo's schema and migrations, rows Rust Sockudo can
// read, and failures that name the database, not the password.

import { APP_DEFAULTS, type App, ConfigError, SockudoError } from '@sockudo/core';
import { closedPort, watchProcessErrors } from '@sockudo/test-helpers/end-to-end';
import { writtenApp } from '@sockudo/test-suite';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresAppManager, type PostgresAppManager, postgresSchema } from '../../src/index.js';
import { adminPool, insertRows, POSTGRES_URL, requirePostgres, uniqueTable } from '../helpers/postgres.js';

let admin: pg.Pool;
const tables: string[] = [];
const managers: PostgresAppManager[] = [];

function manager(options: Parameters<typeof createPostgresAppManager>[0] = {}): PostgresAppManager {
  const table = options.table ?? uniqueTable();
  if (!tables.includes(table)) tables.push(table);
  const created = createPostgresAppManager({ url: POSTGRES_URL, table, ...options });
  managers.push(created);
  return created;
}

async function columnsOf(table: string): Promise<Record<string, string>> {
  const { rows } = await admin.query(
    'SELECT column_name AS name, data_type AS type, is_nullable, column_default FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1',
    [table],
  );
  return Object.fromEntries(
    rows.map((row) => [row.name, `${row.type} ${row.is_nullable} ${row.column_default}`]),
  );
}

async function indexesOf(table: string): Promise<string[]> {
  const { rows } = await admin.query(
    'SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND tablename = $1',
    [table],
  );
  return rows.map((row) => String(row.indexname).replace(table, 'T')).sort();
}

beforeAll(async () => {
  await requirePostgres();
  admin = adminPool();
});

afterAll(async () => {
  await Promise.all(managers.map((m) => m.close()));
  for (const table of tables) await admin?.query(`DROP TABLE IF EXISTS "${table}"`);
  await admin?.end();
});

describe('schema and migrate()', () => {
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
    tables.push(byHand);
    await admin.query(postgresSchema(byHand));
    await admin.query(postgresSchema(byHand));
    const migrated = manager();
    await migrated.migrate();
    expect(await columnsOf(migrated.table)).toEqual(await columnsOf(byHand));
    expect(await indexesOf(migrated.table)).toEqual(await indexesOf(byHand));
    expect(await indexesOf(byHand)).toEqual(
      ['T_key_key', 'T_pkey', 'idx_T_created_at', 'idx_T_enabled', 'idx_T_key'].sort(),
    );
  });

  it('migrate() is idempotent, also when several nodes run it at once', async () => {
    const table = uniqueTable();
    const nodes = [manager({ table }), manager({ table }), manager({ table })];
    await Promise.all(nodes.map((node) => node.migrate()));
    await nodes[0]!.migrate();
    expect(await indexesOf(table)).toHaveLength(5);
  });

  it("migrate() adds the columns an older Rust Sockudo's table lacks and keeps its rows", async () => {
    const table = uniqueTable('legacy');
    tables.push(table);
    await admin.query(`CREATE TABLE ${table} (
      id VARCHAR(255) PRIMARY KEY, key VARCHAR(255) UNIQUE NOT NULL, secret VARCHAR(255) NOT NULL,
      max_connections INTEGER NOT NULL, enable_client_messages BOOLEAN NOT NULL DEFAULT FALSE,
      enabled BOOLEAN NOT NULL DEFAULT TRUE, max_client_events_per_second INTEGER NOT NULL
    )`);
    await insertRows(admin, table, [
      { id: 'old', key: 'old-key', secret: 's', max_connections: 5, max_client_events_per_second: 6 },
    ]);
    const legacy = manager({ table });
    expect((await legacy.findByKey('old-key'))?.maxConnections).toBe(5);
    await legacy.migrate();
    const columns = await columnsOf(table);
    for (const name of ['policy', 'webhooks', 'allowed_origins', 'enable_watchlist_events', 'updated_at']) {
      expect(columns, name).toHaveProperty(name);
    }
    expect(await legacy.findById('old')).toEqual({
      ...APP_DEFAULTS,
      id: 'old',
      key: 'old-key',
      secret: 's',
      maxConnections: 5,
      maxClientEventsPerSecond: 6,
    });
    await legacy.updateApp({ ...(await legacy.findById('old'))!, maxConnections: 9 });
    expect((await legacy.findById('old'))?.maxConnections).toBe(9);
  });

  it('uses the table Rust Sockudo means by a mixed-case table_name (PostgreSQL folds it)', async () => {
    const lower = uniqueTable('folded');
    tables.push(lower);
    const mixed = manager({ table: lower.toUpperCase() });
    await mixed.migrate();
    expect(Object.keys(await columnsOf(lower))).toContain('policy');
    await mixed.createApp({ ...writtenApp('fold') });
    const { rows } = await admin.query(`SELECT id FROM ${lower.toUpperCase()}`);
    expect(rows).toEqual([{ id: writtenApp('fold').id }]);
  });

  it('rejects a table name that is not a plain identifier, naming the config key', () => {
    for (const table of ['apps; DROP TABLE x', 'apps"', '1apps', 'my-apps', '', 'a'.repeat(64)]) {
      expect(() => createPostgresAppManager({ url: POSTGRES_URL, table })).toThrow(ConfigError);
      expect(() => createPostgresAppManager({ url: POSTGRES_URL, table })).toThrow(
        /database\.postgres\.table_name/,
      );
    }
  });

  it('names the missing table and how to create it', async () => {
    const missing = manager({ table: uniqueTable('missing') });
    await expect(missing.findByKey('k')).rejects.toThrow(/does not exist.*sockudo migrate/);
  });
});

describe('rows shared with Rust Sockudo', () => {
  let apps: PostgresAppManager;
  beforeAll(async () => {
    apps = manager();
    await apps.migrate();
  });

  it('createApp writes the flat columns and the policy JSON Rust Sockudo reads', async () => {
    const app = writtenApp('rust');
    await apps.createApp(app);
    const {
      rows: [row],
    } = await admin.query(`SELECT * FROM "${apps.table}" WHERE id = $1`, [app.id]);
    expect(row).toMatchObject({
      key: app.key,
      secret: app.secret,
      enabled: true,
      max_connections: 300,
      enable_client_messages: true,
      max_client_events_per_second: 22,
      max_event_batch_size: 30,
      enable_user_authentication: true,
      enable_watchlist_events: true,
    });
    expect(row.policy.limits).toMatchObject({
      max_connections: 300,
      max_event_batch_size: 30,
      terminate_on_limit: true,
    });
    expect(row.policy.features).toEqual({
      enable_client_messages: true,
      enable_user_authentication: true,
      enable_watchlist_events: true,
    });
    expect(row.policy.channels).toEqual({ allowed_origins: app.allowedOrigins });
    expect(row.policy.webhooks[0]).toEqual({
      url: 'https://written.example.com/hook',
      event_types: ['client_event', 'member_removed'],
      filter: { channel_prefix: 'private-', channel_suffix: '-x', channel_pattern: '^private-[0-9]+-x$' },
      headers: { 'X-Api-Key': 'abc' },
    });
    expect(row.webhooks).toEqual(row.policy.webhooks);
    expect(row.allowed_origins).toEqual(app.allowedOrigins);
  });

  it('updateApp keeps policy settings this port does not model and refreshes updated_at', async () => {
    await insertRows(admin, apps.table, [
      {
        id: 'rich',
        key: 'rich-key',
        secret: 's',
        max_connections: 0,
        max_client_events_per_second: 10,
        updated_at: '2000-01-01T00:00:00Z',
        channel_delta_compression: { 'market-*': 'disabled' },
        policy: {
          limits: { max_connections: 3, max_client_events_per_second: 10, decay_seconds: 2 },
          features: { enable_client_messages: false },
          channels: { allowed_origins: [], channel_namespaces: [{ name: 'chat' }] },
          webhooks: [
            {
              url: 'https://keep.example.com/',
              event_types: [],
              retry: { max_attempts: 3 },
              filter: { channel_namespace: 'chat' },
            },
            { url: 'https://drop.example.com/', event_types: [] },
          ],
          idempotency: { enabled: true },
        },
      },
    ]);
    const app = (await apps.findById('rich'))!;
    const updated: App = {
      ...app,
      maxConnections: 4,
      webhooks: [
        {
          url: 'https://keep.example.com/',
          eventTypes: ['channel_occupied'],
          filter: { channelPrefix: 'chat-' },
        },
      ],
    };
    await apps.updateApp(updated);
    expect(await apps.findById('rich')).toEqual(updated);
    const {
      rows: [row],
    } = await admin.query(`SELECT * FROM "${apps.table}" WHERE id = 'rich'`);
    expect(row.policy.limits).toMatchObject({ max_connections: 4, decay_seconds: 2 });
    expect(row.policy.channels.channel_namespaces).toEqual([{ name: 'chat' }]);
    expect(row.policy.idempotency).toEqual({ enabled: true });
    expect(row.policy.webhooks).toEqual([
      {
        url: 'https://keep.example.com/',
        event_types: ['channel_occupied'],
        retry: { max_attempts: 3 },
        filter: { channel_namespace: 'chat', channel_prefix: 'chat-' },
      },
    ]);
    expect(row.max_connections).toBe(4);
    expect(row.channel_delta_compression).toEqual({ 'market-*': 'disabled' });
    expect(row.updated_at.getUTCFullYear()).toBeGreaterThan(2000);
  });

  it('updateApp of an unknown id rejects and writes nothing', async () => {
    const ghost = { ...writtenApp('ghost') };
    await expect(apps.updateApp(ghost)).rejects.toThrow(/no app with this id/);
    expect(await apps.findById(ghost.id)).toBeUndefined();
  });

  it('updateApp to a key another app has rejects', async () => {
    const a = { ...writtenApp('dup-a') };
    const b = { ...writtenApp('dup-b') };
    await apps.createApp(a);
    await apps.createApp(b);
    await expect(apps.updateApp({ ...b, key: a.key })).rejects.toThrow(/another app already has the key/);
    expect(await apps.findById(b.id)).toEqual(b);
  });
});

describe('failures', () => {
  it('an unreachable database rejects lookups and checkHealth with host:port and database, fast, without crashing', async () => {
    const watch = watchProcessErrors();
    try {
      const port = await closedPort();
      const down = createPostgresAppManager({
        host: '127.0.0.1',
        port,
        user: 'sockudo',
        password: 'hunter2-do-not-leak',
        database: 'apps_db',
      });
      managers.push(down);
      const started = Date.now();
      for (const call of [() => down.checkHealth(), () => down.findByKey('k'), () => down.findById('i')]) {
        const error = await call().then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(SockudoError.isInstance(error)).toBe(true);
        expect(String((error as Error).message)).toMatch(
          new RegExp(`PostgreSQL database "apps_db" at 127\\.0\\.0\\.1:${port}.*ECONNREFUSED`),
        );
        expect(
          JSON.stringify({ message: (error as Error).message, stack: (error as Error).stack }),
        ).not.toContain('hunter2');
      }
      expect(Date.now() - started).toBeLessThan(3000);
      await down.close();
      await down.close();
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(watch.errors).toEqual([]);
    } finally {
      watch.stop();
    }
  });

  it('an unknown database is reported with its name and without the password', async () => {
    const url = new URL(POSTGRES_URL);
    const wrong = createPostgresAppManager({
      host: url.hostname,
      port: Number(url.port || 5432),
      user: 'postgres',
      password: 'hunter2-do-not-leak',
      database: 'no_such_sockudo_db',
    });
    managers.push(wrong);
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
      await admin.query('SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid', [[...pids]]);
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

  it('calls after close() reject with a clear message; close() twice is fine', async () => {
    const apps = manager();
    await apps.checkHealth();
    await apps.close();
    await apps.close();
    await expect(apps.findByKey('k')).rejects.toThrow(/after close\(\)/);
  });

  it('uses a pool it is given and leaves it open on close()', async () => {
    const pool = new pg.Pool({ connectionString: POSTGRES_URL, max: 2 });
    pool.on('error', () => {});
    try {
      const table = uniqueTable();
      tables.push(table);
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
