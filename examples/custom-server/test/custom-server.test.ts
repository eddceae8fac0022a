// server.mjs as a user runs it: real Redis, real MariaDB, the real pusher-js client and `pusher` SDK.

import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { createMysqlAppManager, type MysqlAppManager } from '@sockudo/app-manager-mysql';
import { APP_DEFAULTS } from '@sockudo/core';
import {
  connected,
  pusherBackend,
  pusherClient,
  roundTrip,
  stopAll,
  withTimeout,
} from '@sockudo/test-helpers/end-to-end';
import { REDIS_URL, requireService } from '@sockudo/test-helpers/services';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type NodeProcess, runToExit, startNodeProcess } from './node-process.js';

const SERVER = fileURLToPath(new URL('../server.mjs', import.meta.url));
const run = randomUUID().replaceAll('-', '').slice(0, 12);
const app = { id: `app-${run}`, key: `key-${run}`, secret: `secret-${run}` };
const table = `custom_server_${run}`;

/** The environment a user would set: one table and one cluster prefix per test run. */
const env = {
  HOST: '127.0.0.1',
  PORT: '0',
  REDIS_URL,
  REDIS_PREFIX: `custom-server-${run}:`,
  DATABASE_MYSQL_HOST: '127.0.0.1',
  DATABASE_MYSQL_PORT: '3306',
  DATABASE_MYSQL_USERNAME: 'root',
  DATABASE_MYSQL_PASSWORD: '',
  DATABASE_MYSQL_DATABASE: 'test',
  DATABASE_MYSQL_TABLE_NAME: table,
};

let manager: MysqlAppManager;
const running: NodeProcess[] = [];

async function start(): Promise<NodeProcess> {
  const node = await startNodeProcess(SERVER, { env });
  running.push(node);
  return node;
}

beforeAll(async () => {
  await requireService('Redis', REDIS_URL);
  await requireService('MariaDB', 'tcp://127.0.0.1:3306', 3306);
  manager = createMysqlAppManager({ host: '127.0.0.1', user: 'root', password: '', database: 'test', table });
  await manager.migrate();
  await manager.createApp({ ...APP_DEFAULTS, id: app.id, key: app.key, secret: app.secret });
});

afterEach(async () => {
  await stopAll();
  await Promise.all(running.splice(0).map((node) => node.stop()));
});

afterAll(async () => {
  if (!manager) return;
  await manager.pool.query(`DROP TABLE IF EXISTS \`${table}\``);
  await manager.close();
});

describe('examples/custom-server', () => {
  it('serves the app stored in MySQL: pusher-js receives what the pusher SDK triggers', async () => {
    const node = await start();
    const client = pusherClient(node.port, app.key);
    await connected(client);
    const data = await roundTrip(client, pusherBackend(node.port, app), 'orders', { id: 1 });
    expect(data).toEqual({ id: 1 });
  });

  it('two instances sharing Redis deliver across each other, both ways', async () => {
    const [a, b] = await Promise.all([start(), start()]);
    expect(a.port).not.toBe(b.port);
    const onA = pusherClient(a.port, app.key);
    const onB = pusherClient(b.port, app.key);
    await Promise.all([connected(onA), connected(onB)]);
    expect(await roundTrip(onA, pusherBackend(b.port, app), 'to-a', { via: 'b' })).toEqual({ via: 'b' });
    expect(await roundTrip(onB, pusherBackend(a.port, app), 'to-b', { via: 'a' })).toEqual({ via: 'a' });
  });

  it.each(['SIGTERM', 'SIGINT'] as const)(
    'shuts down cleanly on %s: clients are told to reconnect (4200)',
    async (signal) => {
      const node = await start();
      const client = pusherClient(node.port, app.key);
      await connected(client);
      const closeCode = new Promise<number>((resolve) =>
        client.connection.bind('error', (error: { data?: { code?: number } }) => {
          if (error?.data?.code) resolve(error.data.code);
        }),
      );
      expect(await node.stop(signal)).toBe(0);
      expect(node.output()).toContain(`${signal}: shutting down`);
      expect(await withTimeout(closeCode, 'the 4200 close reaching pusher-js')).toBe(4200);
    },
  );

  it('refuses a bad PORT before starting, naming the variable', async () => {
    const { code, output } = await runToExit(SERVER, { ...env, PORT: 'six thousand' });
    expect(code).not.toBe(0);
    expect(output).toContain('PORT: expected a TCP port');
  });
});
