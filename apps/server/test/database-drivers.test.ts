// `sockudo migrate` and `sockudo start` with a database app manager, as real processes against the
// machine's MariaDB (database test, root without password) and PostgreSQL (database test, trust), each
// run in a table of its own. The app is inserted with mysql2/pg directly, so it exists only there.
// DynamoDB is dynalite, started in this process, with apps put through the AWS DocumentClient.

import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
// @ts-expect-error dynalite ships no types
import dynalite from 'dynalite';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { refusedCode, runSockudo, startNode, triggerAcross, uniqueId, within } from './driver-helpers.js';
import { tempDir } from './helpers.js';

interface Database {
  name: string;
  /** `app_manager.driver` */
  driver: string;
  /** `database.<section>` */
  section: 'mysql' | 'postgres';
  connection: Record<string, unknown>;
  /** Inserts an app with only the columns that have no default (and `enabled` when given). */
  insertApp(
    table: string,
    app: { id: string; key: string; secret: string; enabled?: boolean },
  ): Promise<void>;
  dropTable(table: string): Promise<void>;
  close(): Promise<void>;
}

/** A fresh app; `prefix` names the driver in its id, key and secret. */
function newApp(prefix: string, enabled = true) {
  return {
    id: `${prefix}-app-${uniqueId()}`,
    key: `${prefix}-key-${uniqueId()}`,
    secret: `${prefix}-secret-${uniqueId()}`,
    enabled,
  };
}

/**
 * Connects a raw WebSocket with `key` and resolves with the code of the pusher:error the server sends
 * and the code it then closes with.
 */
function refusal(port: number, key: string): Promise<{ errorCode: unknown; closeCode: number }> {
  const socket = new WebSocket(`ws://127.0.0.1:${port}/app/${key}?protocol=7&client=js&version=8.4.0`);
  let errorCode: unknown;
  return within<{ errorCode: unknown; closeCode: number }>(5000, 'pusher:error and close', (ok) => {
    socket.on('message', (raw) => {
      const message = JSON.parse(String(raw)) as { event?: string; data?: unknown };
      if (message.event !== 'pusher:error') return;
      const data = (typeof message.data === 'string' ? JSON.parse(message.data) : message.data) as {
        code?: unknown;
      };
      errorCode = data?.code;
    });
    socket.on('close', (closeCode) => ok({ errorCode, closeCode }));
  }).finally(() => socket.terminate());
}

function mariadb(): Database {
  const pool = mysql.createPool({
    host: '127.0.0.1',
    port: 3306,
    user: 'root',
    password: '',
    database: 'test',
  });
  return {
    name: 'MariaDB',
    driver: 'mysql',
    section: 'mysql',
    connection: { host: '127.0.0.1', port: 3306, username: 'root', password: '', database: 'test' },
    async insertApp(table, app) {
      await pool.execute(
        `INSERT INTO \`${table}\` (id, \`key\`, secret, max_connections, max_client_events_per_second, enabled) VALUES (?, ?, ?, 0, 10, ?)`,
        [app.id, app.key, app.secret, app.enabled ?? true],
      );
    },
    async dropTable(table) {
      await pool.query(`DROP TABLE IF EXISTS \`${table}\``);
    },
    close: () => pool.end(),
  };
}

function postgres(): Database {
  const pool = new pg.Pool({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test' });
  return {
    name: 'PostgreSQL',
    driver: 'pgsql',
    section: 'postgres',
    connection: { host: '127.0.0.1', port: 5432, username: 'postgres', database: 'test' },
    async insertApp(table, app) {
      await pool.query(
        `INSERT INTO "${table}" (id, "key", secret, max_connections, max_client_events_per_second, enabled) VALUES ($1, $2, $3, 0, 10, $4)`,
        [app.id, app.key, app.secret, app.enabled ?? true],
      );
    },
    async dropTable(table) {
      await pool.query(`DROP TABLE IF EXISTS "${table}"`);
    },
    close: () => pool.end(),
  };
}

for (const database of [mariadb(), postgres()]) {
  describe(`app_manager.driver ${database.driver} on ${database.name}`, () => {
    const tables: string[] = [];
    afterAll(async () => {
      for (const table of tables) await database.dropTable(table);
      await database.close();
    });

    /** A config directory whose apps live in a fresh table of the test database. */
    function configDir() {
      const table = `sockudo_test_${uniqueId()}`;
      tables.push(table);
      const cwd = tempDir({
        'sockudo.json': {
          host: '127.0.0.1',
          port: 0,
          app_manager: { driver: database.driver },
          database: { [database.section]: { ...database.connection, table_name: table } },
        },
      });
      return { table, cwd };
    }

    it('sockudo migrate creates the table (and may run again); sockudo start serves an app inserted only there', async () => {
      const { table, cwd } = configDir();
      const migrated = await runSockudo(['migrate', '-c', 'sockudo.json'], { cwd });
      expect(migrated.stderr).toBe('');
      expect(migrated.code).toBe(0);
      expect(migrated.stdout).toContain(
        `Migrating ${database.name === 'MariaDB' ? 'MySQL' : 'PostgreSQL'} database "test" at 127.0.0.1:`,
      );
      expect(migrated.stdout).toContain(`Done: table "${table}" is ready`);
      expect((await runSockudo(['migrate', '-c', 'sockudo.json'], { cwd })).code).toBe(0);

      const app = {
        id: `db-app-${uniqueId()}`,
        key: `db-key-${uniqueId()}`,
        secret: `db-secret-${uniqueId()}`,
      };
      await database.insertApp(table, app);
      const node = await startNode(['-c', 'sockudo.json'], { cwd });
      expect(node.output()).toMatch(new RegExp(`Sockudo listening on .* app_manager=${database.driver}`));
      expect(node.output()).not.toContain('default credentials');

      expect(await triggerAcross(node.port, node.port, app)).toEqual({ hello: 'drivers' });
      expect(await refusedCode(node.port, 'app-key')).toBe(4001);
      expect(await refusedCode(node.port, `unknown-${uniqueId()}`)).toBe(4001);
    });

    it('sockudo start refuses an app inserted with enabled = false: pusher:error 4003, then close 4003', async () => {
      const { table, cwd } = configDir();
      expect((await runSockudo(['migrate', '-c', 'sockudo.json'], { cwd })).code).toBe(0);
      const disabled = newApp('db-disabled', false);
      await database.insertApp(table, disabled);
      const node = await startNode(['-c', 'sockudo.json'], { cwd });

      expect(await refusal(node.port, disabled.key)).toEqual({ errorCode: 4003, closeCode: 4003 });
      expect(await refusedCode(node.port, disabled.key)).toBe(4003);
    });

    it('sockudo start before sockudo migrate exits 1, naming the driver, the database and the fix', async () => {
      const { cwd } = configDir();
      const result = await runSockudo(['start', '-c', 'sockudo.json'], { cwd });
      const output = result.stdout + result.stderr;
      expect(result.code).toBe(1);
      expect(output).toMatch(
        /failed to start: app_manager\.driver (mysql|postgres): cannot use (MySQL|PostgreSQL) database "test" at 127\.0\.0\.1/,
      );
      expect(output).toContain('sockudo migrate');
      expect(output).not.toContain('listening');
    });
  });
}

describe('sockudo migrate', () => {
  it('has nothing to migrate with the memory app manager', async () => {
    const result = await runSockudo(['migrate'], { cwd: tempDir() });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('app_manager.driver is memory');
    expect(result.stdout).toContain('nothing to migrate');
  });

  it('exits 1 naming the driver and address when the database is unreachable, never the password', async () => {
    const cwd = tempDir({
      'sockudo.json': {
        app_manager: { driver: 'mysql' },
        database: { mysql: { host: '127.0.0.1', port: 1, password: 'never-print-this' } },
      },
    });
    const result = await runSockudo(['migrate', '-c', 'sockudo.json'], { cwd });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('app_manager.driver mysql');
    expect(result.stderr).toContain('MySQL database "sockudo" at 127.0.0.1:1');
    expect(result.stdout + result.stderr).not.toContain('never-print-this');
  });

  it('fails on an invalid configuration, naming the key', async () => {
    const cwd = tempDir({
      'sockudo.json': { app_manager: { driver: 'pgsql' }, database: { postgres: { port: 'x' } } },
    });
    const result = await runSockudo(['migrate', '-c', 'sockudo.json'], { cwd });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('database.postgres.port: expected an integer 0–65535, got "x"');
  });
});

describe('app_manager.driver dynamodb on dynalite', () => {
  const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
  // biome-ignore lint/suspicious/noExplicitAny: dynalite ships no types
  let server: any;
  let endpoint = '';
  let dynamo: DynamoDBClient;
  let documents: DynamoDBDocumentClient;

  beforeAll(async () => {
    server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    dynamo = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials });
    documents = DynamoDBDocumentClient.from(dynamo);
  });
  afterAll(async () => {
    dynamo?.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('sockudo migrate creates the table; sockudo start serves an enabled app, refuses unknown (4001) and disabled (4003) keys', async () => {
    const table = `sockudo-test-${uniqueId()}`;
    const cwd = tempDir({
      'sockudo.json': {
        host: '127.0.0.1',
        port: 0,
        app_manager: { driver: 'dynamodb' },
        database: {
          dynamodb: {
            region: 'us-east-1',
            table_name: table,
            endpoint_url: endpoint,
            aws_access_key_id: credentials.accessKeyId,
            aws_secret_access_key: credentials.secretAccessKey,
          },
        },
      },
    });
    const migrated = await runSockudo(['migrate', '-c', 'sockudo.json'], { cwd });
    // stderr may hold the AWS SDK's NodeVersionSupportWarning on Node 20, never a failure.
    expect(migrated.stderr).not.toMatch(/error|fail/i);
    expect(migrated.code).toBe(0);
    expect(migrated.stdout).toContain(`Migrating DynamoDB table "${table}" in us-east-1 at ${endpoint}`);
    expect(migrated.stdout).toContain(`Done: table "${table}" and its KeyIndex are ready`);
    expect((await runSockudo(['migrate', '-c', 'sockudo.json'], { cwd })).code).toBe(0);

    const enabled = newApp('dynamo');
    const disabled = newApp('dynamo-disabled', false);
    for (const app of [enabled, disabled]) {
      await documents.send(
        new PutCommand({ TableName: table, Item: { ...app, policy: JSON.stringify({}) } }),
      );
    }

    const node = await startNode(['-c', 'sockudo.json'], { cwd });
    expect(node.output()).toMatch(/Sockudo listening on .* app_manager=dynamodb/);
    expect(node.output()).not.toContain('default credentials');

    expect(await triggerAcross(node.port, node.port, enabled)).toEqual({ hello: 'drivers' });
    expect(await refusedCode(node.port, `unknown-${uniqueId()}`)).toBe(4001);
    expect(await refusal(node.port, disabled.key)).toEqual({ errorCode: 4003, closeCode: 4003 });
    expect(await refusedCode(node.port, disabled.key)).toBe(4003);
  });
});
