// What only the MySQL manager does: Rust Sockudo's schema and migrations, rows Rust Sockudo can read,
// exact matching under a case-insensitive collation, and failures that name the database, not the password.

import { APP_DEFAULTS, type App, ConfigError, SockudoError } from '@sockudo/core';
import { closedPort, watchProcessErrors } from '@sockudo/test-helpers/end-to-end';
import { writtenApp } from '@sockudo/test-suite';
import mysql, { type Pool, type RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMysqlAppManager, type MysqlAppManager, mysqlSchema } from '../../src/index.js';
import { adminPool, insertRows, MYSQL_URL, requireMysql, uniqueTable } from '../helpers/mysql.js';

let admin: Pool;

/** A JSON column as mysql2 returns it: parsed (MySQL, MariaDB with extended metadata) or as text. */
// biome-ignore lint/suspicious/noExplicitAny: the tests read arbitrary nested JSON from it
function json(value: unknown): any {
  return typeof value === 'string' ? JSON.parse(value) : value;
}
const tables: string[] = [];
const managers: MysqlAppManager[] = [];

function manager(options: Parameters<typeof createMysqlAppManager>[0] = {}): MysqlAppManager {
  const table = options.table ?? uniqueTable();
  if (!tables.includes(table)) tables.push(table);
  const created = createMysqlAppManager({ url: MYSQL_URL, table, ...options });
  managers.push(created);
  return created;
}

async function columnsOf(table: string): Promise<Record<string, string>> {
  const [rows] = await admin.query<RowDataPacket[]>(
    'SELECT COLUMN_NAME AS name, COLUMN_TYPE AS type FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?',
    [table],
  );
  return Object.fromEntries(rows.map((row) => [row.name, row.type]));
}

async function indexesOf(table: string): Promise<string[]> {
  const [rows] = await admin.query<RowDataPacket[]>(
    'SELECT DISTINCT INDEX_NAME AS name FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?',
    [table],
  );
  return rows.map((row) => String(row.name)).sort();
}

beforeAll(async () => {
  await requireMysql();
  admin = adminPool();
});

afterAll(async () => {
  await Promise.all(managers.map((m) => m.close()));
  for (const table of tables) await admin?.query(`DROP TABLE IF EXISTS \`${table}\``);
  await admin?.end();
});

describe('schema and migrate()', () => {
  it("mysqlSchema() is Rust Sockudo's applications table and its three indexes", () => {
    const sql = mysqlSchema();
    expect(sql).toContain('CREATE TABLE IF NOT EXISTS `applications` (');
    expect(sql).toContain('`key` VARCHAR(255) UNIQUE NOT NULL');
    expect(sql).toContain('max_client_events_per_second INT UNSIGNED NOT NULL');
    expect(sql).toContain('policy JSON NULL');
    expect(sql).toContain('ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci');
    expect(sql).toContain('CREATE INDEX idx_applications_key ON `applications` (`key`);');
    expect(sql).toContain('CREATE INDEX idx_applications_enabled ON `applications` (enabled);');
    expect(sql).toContain('CREATE INDEX idx_applications_created_at ON `applications` (created_at);');
    expect(sql).not.toContain('app-secret');
    expect(mysqlSchema('tenant_apps')).toContain('CREATE TABLE IF NOT EXISTS `tenant_apps`');
  });

  it('the exported SQL runs as it is and makes the table migrate() makes', async () => {
    const byHand = uniqueTable('by_hand');
    tables.push(byHand);
    for (const statement of mysqlSchema(byHand)
      .split(';')
      .filter((s) => s.trim()))
      await admin.query(statement);
    const migrated = manager();
    await migrated.migrate();
    expect(await columnsOf(migrated.table)).toEqual(await columnsOf(byHand));
    expect((await indexesOf(migrated.table)).map((n) => n.replace(migrated.table, 'T'))).toEqual(
      (await indexesOf(byHand)).map((n) => n.replace(byHand, 'T')),
    );
  });

  it('migrate() is idempotent, also when several nodes run it at once', async () => {
    const table = uniqueTable();
    const nodes = [manager({ table }), manager({ table }), manager({ table })];
    await Promise.all(nodes.map((node) => node.migrate()));
    await nodes[0]!.migrate();
    expect(await indexesOf(table)).toEqual(
      ['PRIMARY', 'key', `idx_${table}_created_at`, `idx_${table}_enabled`, `idx_${table}_key`].sort(),
    );
  });

  it("migrate() adds the columns an older Rust Sockudo's table lacks and keeps its rows", async () => {
    const table = uniqueTable('legacy');
    tables.push(table);
    // The table as early Rust Sockudo releases created it: no policy or other JSON columns.
    await admin.query(`CREATE TABLE \`${table}\` (
      id VARCHAR(255) PRIMARY KEY, \`key\` VARCHAR(255) UNIQUE NOT NULL, secret VARCHAR(255) NOT NULL,
      max_connections INT UNSIGNED NOT NULL, enable_client_messages BOOLEAN NOT NULL DEFAULT FALSE,
      enabled BOOLEAN NOT NULL DEFAULT TRUE, max_backend_events_per_second INT UNSIGNED NULL,
      max_client_events_per_second INT UNSIGNED NOT NULL, max_read_requests_per_second INT UNSIGNED NULL
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
    await insertRows(admin, table, [
      { id: 'old', key: 'old-key', secret: 's', max_connections: 5, max_client_events_per_second: 6 },
    ]);
    const legacy = manager({ table });
    // Reads work before migrating (SELECT * takes whatever columns exist)...
    expect((await legacy.findByKey('old-key'))?.maxConnections).toBe(5);
    await legacy.migrate();
    const columns = await columnsOf(table);
    for (const name of ['policy', 'webhooks', 'allowed_origins', 'enable_watchlist_events', 'created_at']) {
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
    for (const table of ['apps; DROP TABLE x', 'apps`', '1apps', 'my-apps', '', 'a'.repeat(65)]) {
      expect(() => createMysqlAppManager({ url: MYSQL_URL, table })).toThrow(ConfigError);
      expect(() => createMysqlAppManager({ url: MYSQL_URL, table })).toThrow(/database\.mysql\.table_name/);
    }
    expect(() => mysqlSchema('x y')).toThrow(ConfigError);
  });

  it('names the missing table and how to create it', async () => {
    const missing = manager({ table: uniqueTable('missing') });
    await expect(missing.findByKey('k')).rejects.toThrow(/doesn't exist.*sockudo migrate/);
  });
});

describe('rows shared with Rust Sockudo', () => {
  let apps: MysqlAppManager;
  beforeAll(async () => {
    apps = manager();
    await apps.migrate();
  });

  it('createApp writes the flat columns and the policy JSON Rust Sockudo reads', async () => {
    const app = writtenApp('rust');
    await apps.createApp(app);
    const [[row]] = await admin.query<RowDataPacket[]>(`SELECT * FROM \`${apps.table}\` WHERE id = ?`, [
      app.id,
    ]);
    expect(row).toMatchObject({
      key: app.key,
      secret: app.secret,
      enabled: 1,
      max_connections: 300,
      enable_client_messages: 1,
      max_client_events_per_second: 22,
      max_event_batch_size: 30,
      enable_user_authentication: 1,
      enable_watchlist_events: 1,
    });
    const policy = json(row!.policy);
    expect(policy.limits).toMatchObject({
      max_connections: 300,
      max_event_batch_size: 30,
      terminate_on_limit: true,
    });
    expect(policy.features).toEqual({
      enable_client_messages: true,
      enable_user_authentication: true,
      enable_watchlist_events: true,
    });
    expect(policy.channels).toEqual({ allowed_origins: app.allowedOrigins });
    expect(policy.webhooks[0]).toEqual({
      url: 'https://written.example.com/hook',
      event_types: ['client_event', 'member_removed'],
      filter: { channel_prefix: 'private-', channel_suffix: '-x', channel_pattern: '^private-[0-9]+-x$' },
      headers: { 'X-Api-Key': 'abc' },
    });
    expect(json(row!.webhooks)).toEqual(policy.webhooks);
    expect(json(row!.allowed_origins)).toEqual(app.allowedOrigins);
  });

  it('updateApp keeps policy settings this port does not model', async () => {
    await insertRows(admin, apps.table, [
      {
        id: 'rich',
        key: 'rich-key',
        secret: 's',
        max_connections: 0,
        max_client_events_per_second: 10,
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
    const [[row]] = await admin.query<RowDataPacket[]>(`SELECT * FROM \`${apps.table}\` WHERE id = 'rich'`);
    const policy = json(row!.policy);
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
    expect(row!.max_connections).toBe(4);
    expect(json(row!.channel_delta_compression)).toEqual({ 'market-*': 'disabled' });
  });

  it('updateApp of a legacy row folds its JSON columns into the new policy', async () => {
    await insertRows(admin, apps.table, [
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
    const [[row]] = await admin.query<RowDataPacket[]>(
      `SELECT policy FROM \`${apps.table}\` WHERE id = 'legacy-row'`,
    );
    const policy = json(row!.policy);
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
    const watch = watchProcessErrors();
    try {
      const port = await closedPort();
      const down = createMysqlAppManager({
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
          new RegExp(`MySQL database "apps_db" at 127\\.0\\.0\\.1:${port}.*ECONNREFUSED`),
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

  it('a wrong password is reported without the password', async () => {
    const url = new URL(MYSQL_URL);
    const wrong = createMysqlAppManager({
      host: url.hostname,
      port: Number(url.port || 3306),
      user: 'no_such_sockudo_user',
      password: 'hunter2-do-not-leak',
      database: 'test',
    });
    managers.push(wrong);
    const error = (await wrong.checkHealth().catch((e: unknown) => e)) as Error;
    expect(error.message).toMatch(/MySQL database "test" at .*:\d+: Access denied/);
    expect(error.message).not.toContain('hunter2');
  });

  it('a connection the server kills is replaced: the next lookup succeeds', async () => {
    const apps = manager();
    const threads = new Set<number>();
    apps.pool.on('connection', (connection: { threadId: number }) => threads.add(connection.threadId));
    await apps.migrate();
    await apps.createApp({ ...writtenApp('killed') });
    // Open a few pooled connections, then kill them all from outside.
    await Promise.all(Array.from({ length: 5 }, () => apps.findByKey(writtenApp('killed').key)));
    expect(threads.size).toBeGreaterThan(0);
    const watch = watchProcessErrors();
    try {
      // No pause: the next lookups race the pool noticing, so some hit a dead connection and retry.
      await Promise.all([...threads].map((id) => admin.query(`KILL ${Number(id)}`)));
      const found = await Promise.all(
        Array.from({ length: 5 }, () => apps.findByKey(writtenApp('killed').key)),
      );
      expect(found.map((app) => app?.id)).toEqual(Array(5).fill(writtenApp('killed').id));
      await apps.checkHealth();
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
    const url = new URL(MYSQL_URL);
    const pool = mysql.createPool({
      host: url.hostname,
      port: Number(url.port || 3306),
      user: 'root',
      database: url.pathname.slice(1),
    });
    try {
      const table = uniqueTable();
      tables.push(table);
      const apps = createMysqlAppManager({ client: pool, table });
      await apps.migrate();
      await apps.checkHealth();
      await apps.close();
      const [rows] = await pool.query<RowDataPacket[]>('SELECT 1 AS one');
      expect(rows[0]!.one).toBe(1);
    } finally {
      await pool.end();
    }
  });
});
