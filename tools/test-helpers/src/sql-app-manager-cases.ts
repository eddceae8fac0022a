// The integration tests @sockudo/app-manager-mysql and @sockudo/app-manager-postgres share, run by each
// against its real database: migrating an older table, table names, rows Rust Sockudo reads, and
// failures. Each package adds what only its database does (schema text, indexes, killed connections).

import { randomBytes } from 'node:crypto';
import type { SqlAppManager, SqlAppManagerOptions, SqlDialect } from '@sockudo/app-manager-sql';
import { APP_DEFAULTS, type App, ConfigError } from '@sockudo/core';
import { writtenApp } from '@sockudo/test-suite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  appManagerEndToEndTests,
  END_TO_END_APPS,
  expectUnreachable,
  expectWrittenPolicy,
} from './app-manager-cases.js';
import { closedPort, watchProcessErrors } from './end-to-end.js';

type Row = Record<string, unknown>;

/** The tests' own connection to the database, for statements that bypass the manager. */
export interface SqlTestAdmin {
  dialect: SqlDialect;
  /** The driver's pool under it, for a manager given a ready pool. */
  pool: unknown;
  /** Runs `sql` with `params` (in the dialect's placeholders); the rows of a SELECT. */
  query(sql: string, params?: unknown[]): Promise<Row[]>;
  end(): Promise<void>;
}

/** A table name no other test file uses. */
export function uniqueTable(prefix = 'applications'): string {
  return `${prefix}_${randomBytes(5).toString('hex')}`;
}

/** Inserts records as rows of `table`: keys are columns, objects and arrays become JSON text. */
export async function insertRows(admin: SqlTestAdmin, table: string, records: Row[]): Promise<void> {
  const { quote, placeholder } = admin.dialect;
  for (const record of records) {
    const entries = Object.entries(record);
    await admin.query(
      `INSERT INTO ${quote(table)} (${entries.map(([name]) => quote(name)).join(', ')}) VALUES (${entries
        .map((_, i) => placeholder(i))
        .join(', ')})`,
      entries.map(([, value]) =>
        typeof value === 'object' && value !== null ? JSON.stringify(value) : value,
      ),
    );
  }
}

/** Drops `table` when it exists. */
export async function dropTable(admin: SqlTestAdmin, table: string): Promise<void> {
  await admin.query(`DROP TABLE IF EXISTS ${admin.dialect.quote(table)}`);
}

/** How the tests reach one database and make its app manager. */
export interface SqlTestConnection<M extends SqlAppManager<unknown>> {
  dialect: SqlDialect;
  /** Where the tests' database is. */
  url: string;
  /** The package's factory; `client` is a ready pool of the driver. */
  create(options: SqlAppManagerOptions & { client?: unknown }): M;
  /** Throws (failing the tests) unless the database answers. */
  require(): Promise<void>;
  /** Opens the tests' own connection. */
  admin(): SqlTestAdmin;
}

/** What the shared tests need to know about one database beyond reaching it. */
export interface SqlTestDatabase<M extends SqlAppManager<unknown>> extends SqlTestConnection<M> {
  /** The config section its errors name, e.g. `'database.mysql'`. */
  configKey: string;
  /** Column names (and types) of `table`. */
  columnsOf(admin: SqlTestAdmin, table: string): Promise<Record<string, string>>;
  /** `CREATE TABLE` for `table` as early Rust Sockudo releases made it: no policy or other JSON columns. */
  legacyTable(table: string): string;
  /** Table names the manager must refuse, one over the length limit among them. */
  invalidTableNames: string[];
  /** The database's words for a missing table, e.g. /doesn't exist/. */
  missingTable: RegExp;
  /** Index names of `table`, sorted, with the table name replaced by `T`. */
  indexesOf(admin: SqlTestAdmin, table: string): Promise<string[]>;
  /** What {@link indexesOf} gives for a migrated table. */
  migratedIndexes: string[];
  /** A login the database refuses, and the words it refuses it with. */
  refusedLogin: { user: string; database: string; reason: RegExp };
  /** The ids of the connections `pool` opens from now on (its server-side thread or process ids). */
  connectionIds(pool: unknown): Set<number>;
  /** Ends those connections from the server side. */
  killConnections(admin: SqlTestAdmin, ids: number[]): Promise<void>;
}

/**
 * A migrated table of the test file's own, dropped after it, and the tests' own connection (open from
 * the first beforeAll on).
 */
export function migratedTable<M extends SqlAppManager<unknown>>(
  db: SqlTestConnection<M>,
): { readonly table: string; readonly admin: SqlTestAdmin } {
  const table = uniqueTable();
  let admin: SqlTestAdmin | undefined;
  beforeAll(async () => {
    await db.require();
    admin = db.admin();
    const setup = db.create({ url: db.url, table });
    await setup.migrate();
    await setup.close();
  });
  afterAll(async () => {
    if (admin) await dropTable(admin, table);
    await admin?.end();
  });
  return {
    table,
    get admin() {
      if (!admin) throw new Error('the admin connection opens in beforeAll');
      return admin;
    },
  };
}

/**
 * The end-to-end checks every app manager here passes (@sockudo/test-helpers/app-manager-cases), over
 * rows written by hand as Rust Sockudo's fresh schema takes them.
 */
export function sqlEndToEndTests<M extends SqlAppManager<unknown>>(
  db: SqlTestConnection<M>,
  factory: string,
): void {
  const fixture = migratedTable(db);
  beforeAll(async () => {
    const { enabled, disabled } = END_TO_END_APPS;
    await insertRows(fixture.admin, fixture.table, [
      { ...enabled, max_connections: 100, enable_client_messages: true, max_client_events_per_second: 100 },
      { ...disabled, enabled: false, max_connections: 100, max_client_events_per_second: 100 },
    ]);
  });
  appManagerEndToEndTests({
    store: db.dialect.name,
    factory,
    appManager: () => db.create({ url: db.url, table: fixture.table }),
    unreachable: (port) =>
      db.create({ host: '127.0.0.1', port, user: 'root', password: 'p4ss', database: 'test' }),
    unreachableWhere: (port) => `${db.dialect.name} database "test" at 127.0.0.1:${port}`,
  });
}

/** What {@link sqlAppManagerTests} hands back to the package's own tests. */
export interface SqlTestHarness<M> {
  /** The tests' own connection (open from the first beforeAll on). */
  readonly admin: SqlTestAdmin;
  /** A manager over the tests' database and a new (or the given) table, closed and dropped after the file. */
  manager(options?: SqlAppManagerOptions): M;
  /** Drops `table` after the file. */
  dropLater(table: string): void;
  /** The row of `table` with this id, as the driver returns it. */
  row(table: string, id: string): Promise<Row | undefined>;
}

/** A JSON column as the driver returns it: parsed (PostgreSQL, MySQL) or as text (MariaDB). */
// biome-ignore lint/suspicious/noExplicitAny: the tests read arbitrary nested JSON from it
export function json(value: unknown): any {
  return typeof value === 'string' ? JSON.parse(value) : value;
}

/** Registers the shared tests for one SQL app manager; call it at the top of a test file. */
export function sqlAppManagerTests<M extends SqlAppManager<unknown>>(
  db: SqlTestDatabase<M>,
): SqlTestHarness<M> {
  const { quote, placeholder } = db.dialect;
  const tables: string[] = [];
  const managers: M[] = [];
  let admin: SqlTestAdmin | undefined;

  beforeAll(async () => {
    await db.require();
    admin = db.admin();
  });

  afterAll(async () => {
    await Promise.all(managers.map((m) => m.close()));
    if (admin) for (const table of tables) await dropTable(admin, table);
    await admin?.end();
  });

  const harness: SqlTestHarness<M> = {
    get admin() {
      if (!admin) throw new Error('the admin connection opens in beforeAll');
      return admin;
    },
    manager(options = {}) {
      const table = options.table ?? uniqueTable();
      harness.dropLater(table);
      const created = db.create({ url: db.url, table, ...options });
      managers.push(created);
      return created;
    },
    dropLater(table) {
      if (!tables.includes(table)) tables.push(table);
    },
    async row(table, id) {
      const rows = await harness.admin.query(`SELECT * FROM ${quote(table)} WHERE id = ${placeholder(0)}`, [
        id,
      ]);
      return rows[0];
    },
  };
  const { manager, row } = harness;

  describe('migrate() and table names', () => {
    it('migrate() is idempotent, also when several nodes run it at once', async () => {
      const table = uniqueTable();
      const nodes = [manager({ table }), manager({ table }), manager({ table })];
      await Promise.all(nodes.map((node) => node.migrate()));
      await nodes[0]!.migrate();
      expect(await db.indexesOf(harness.admin, table)).toEqual(db.migratedIndexes);
    });

    it("migrate() adds the columns an older Rust Sockudo's table lacks and keeps its rows", async () => {
      const table = uniqueTable('legacy');
      harness.dropLater(table);
      await harness.admin.query(db.legacyTable(table));
      await insertRows(harness.admin, table, [
        { id: 'old', key: 'old-key', secret: 's', max_connections: 5, max_client_events_per_second: 6 },
      ]);
      const legacy = manager({ table });
      // Reads work before migrating (SELECT * takes whatever columns exist)...
      expect((await legacy.findByKey('old-key'))?.maxConnections).toBe(5);
      await legacy.migrate();
      const columns = await db.columnsOf(harness.admin, table);
      for (const name of [
        'policy',
        'webhooks',
        'allowed_origins',
        'enable_watchlist_events',
        'created_at',
        'updated_at',
      ]) {
        expect(columns, name).toHaveProperty(name);
      }
      // ...and writes work after.
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

    it('rejects a table name that is not a plain identifier, naming the config key', () => {
      const key = new RegExp(`${db.configKey.replace('.', '\\.')}\\.table_name`);
      for (const table of db.invalidTableNames) {
        expect(() => db.create({ url: db.url, table })).toThrow(ConfigError);
        expect(() => db.create({ url: db.url, table })).toThrow(key);
      }
    });

    it('names the missing table and how to create it', async () => {
      const missing = manager({ table: uniqueTable('missing') });
      await expect(missing.findByKey('k')).rejects.toThrow(
        new RegExp(`${db.missingTable.source}.*sockudo migrate`),
      );
    });
  });

  describe('rows shared with Rust Sockudo', () => {
    let apps: M;
    beforeAll(async () => {
      apps = manager();
      await apps.migrate();
    });

    it('createApp writes the flat columns and the policy JSON Rust Sockudo reads', async () => {
      const app = writtenApp('rust');
      await apps.createApp(app);
      const written = (await row(apps.table, app.id))!;
      expect(written).toMatchObject({
        key: app.key,
        secret: app.secret,
        max_connections: 300,
        max_client_events_per_second: 22,
        max_event_batch_size: 30,
      });
      // BOOLEAN is TINYINT(1) in MySQL: 1 there, true in PostgreSQL.
      for (const name of [
        'enabled',
        'enable_client_messages',
        'enable_user_authentication',
        'enable_watchlist_events',
      ]) {
        expect(Boolean(written[name]), name).toBe(true);
      }
      const policy = json(written.policy);
      expectWrittenPolicy(policy, app);
      expect(json(written.webhooks)).toEqual(policy.webhooks);
      expect(json(written.allowed_origins)).toEqual(app.allowedOrigins);
    });

    it('updateApp keeps policy settings this port does not model and refreshes updated_at', async () => {
      await insertRows(harness.admin, apps.table, [
        {
          id: 'rich',
          key: 'rich-key',
          secret: 's',
          max_connections: 0,
          max_client_events_per_second: 10,
          updated_at: '2000-01-01 00:00:00',
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
      const stored = (await row(apps.table, 'rich'))!;
      const policy = json(stored.policy);
      expect(policy.limits).toMatchObject({ max_connections: 4, decay_seconds: 2 });
      expect(policy.channels.channel_namespaces).toEqual([{ name: 'chat' }]);
      expect(policy.idempotency).toEqual({ enabled: true });
      expect(policy.webhooks).toEqual([
        {
          url: 'https://keep.example.com/',
          event_types: ['channel_occupied'],
          retry: { max_attempts: 3 },
          filter: { channel_namespace: 'chat', channel_prefix: 'chat-' },
        },
      ]);
      expect(stored.max_connections).toBe(4);
      expect(json(stored.channel_delta_compression)).toEqual({ 'market-*': 'disabled' });
      expect(new Date(stored.updated_at as Date).getUTCFullYear()).toBeGreaterThan(2000);
    });

    it('updateApp of a legacy row folds its JSON columns into the new policy', async () => {
      await insertRows(harness.admin, apps.table, [
        {
          id: 'legacy-row',
          key: 'legacy-row-key',
          secret: 's',
          max_connections: 0,
          max_client_events_per_second: 10,
          idempotency: { enabled: false, ttl_seconds: 30 },
          channel_delta_compression: { 'ticker-*': 'disabled' },
        },
      ]);
      await apps.updateApp({ ...(await apps.findById('legacy-row'))!, secret: 'rotated' });
      const policy = json((await row(apps.table, 'legacy-row'))!.policy);
      expect(policy.idempotency).toEqual({ enabled: false, ttl_seconds: 30 });
      expect(policy.channels.channel_delta_compression).toEqual({ 'ticker-*': 'disabled' });
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
      const port = await closedPort();
      const down = db.create({
        host: '127.0.0.1',
        port,
        user: 'sockudo',
        password: 'hunter2-do-not-leak',
        database: 'apps_db',
      });
      managers.push(down);
      await expectUnreachable(
        down,
        `${db.dialect.name} database "apps_db" at 127\\.0\\.0\\.1:${port}`,
        'hunter2',
        3000,
      );
    });

    it('a login the database refuses is reported with the database and without the password', async () => {
      const url = new URL(db.url);
      const { user, database, reason } = db.refusedLogin;
      const refused = manager({
        url: undefined,
        host: url.hostname,
        ...(url.port ? { port: Number(url.port) } : {}),
        user,
        password: 'hunter2-do-not-leak',
        database,
      });
      const error = (await refused.checkHealth().catch((e: unknown) => e)) as Error;
      expect(error.message).toMatch(
        new RegExp(`${db.dialect.name} database "${database}" at .*:\\d+: .*${reason.source}`),
      );
      expect(error.message).not.toContain('hunter2');
    });

    it('connections the server ends are replaced without an uncaught error; the next lookups succeed', async () => {
      const apps = manager();
      const ids = db.connectionIds(apps.pool);
      const killed = writtenApp('killed');
      await apps.migrate();
      await apps.createApp({ ...killed });
      // Open a few pooled connections, then end them all from the server side.
      await Promise.all(Array.from({ length: 5 }, () => apps.findByKey(killed.key)));
      expect(ids.size).toBeGreaterThan(0);
      const watch = watchProcessErrors();
      try {
        // No pause: the next lookups race the pool noticing, so some hit a dead connection and retry.
        await db.killConnections(harness.admin, [...ids]);
        const found = await Promise.all(Array.from({ length: 5 }, () => apps.findByKey(killed.key)));
        expect(found.map((app) => app?.id)).toEqual(Array(5).fill(killed.id));
        await apps.checkHealth();
        // Idle connections report their end as 'error' events a moment later.
        await new Promise((resolve) => setTimeout(resolve, 100));
        expect(watch.errors).toEqual([]);
      } finally {
        watch.stop();
      }
    });

    it('uses a pool it is given and leaves it open on close()', async () => {
      const own = db.admin();
      try {
        const table = uniqueTable();
        harness.dropLater(table);
        const apps = db.create({ client: own.pool, table });
        await apps.migrate();
        await apps.checkHealth();
        await apps.close();
        expect(await own.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
      } finally {
        await own.end();
      }
    });

    it('calls after close() reject with a clear message; close() twice is fine', async () => {
      const apps = manager();
      await apps.checkHealth();
      await apps.close();
      await apps.close();
      await expect(apps.findByKey('k')).rejects.toThrow(/after close\(\)/);
    });
  });

  return harness;
}
