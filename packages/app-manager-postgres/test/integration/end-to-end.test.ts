// A Sockudo node whose apps live only in PostgreSQL: pusher-js connects with a key from the table and
// receives an event the `pusher` SDK triggers with the secret from the table.

import {
  closedPort,
  connected,
  pusherBackend,
  pusherClient,
  refusalCode,
  roundTrip,
  startNode,
  stopAll,
  upgradeStatus,
  watchProcessErrors,
} from '@sockudo/test-helpers/end-to-end';
import type pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresAppManager } from '../../src/index.js';
import { adminPool, insertRows, POSTGRES_URL, requirePostgres, uniqueTable } from '../helpers/postgres.js';

const table = uniqueTable();
const APP = { id: 'db-app', key: 'db-app-key', secret: 'db-app-secret' };
const DISABLED = { id: 'db-off', key: 'db-off-key', secret: 'db-off-secret' };
let admin: pg.Pool;

beforeAll(async () => {
  await requirePostgres();
  admin = adminPool();
  const setup = createPostgresAppManager({ url: POSTGRES_URL, table });
  await setup.migrate();
  await setup.close();
  // Rows as Rust Sockudo's fresh schema takes them, written by hand: the server never saw these apps.
  await insertRows(admin, table, [
    { ...APP, max_connections: 100, enable_client_messages: true, max_client_events_per_second: 100 },
    { ...DISABLED, enabled: false, max_connections: 100, max_client_events_per_second: 100 },
  ]);
});

afterEach(() => stopAll());

afterAll(async () => {
  await admin?.query(`DROP TABLE IF EXISTS "${table}"`);
  await admin?.end();
});

describe('createServer with createPostgresAppManager', () => {
  it('serves an app that exists only in the database to pusher-js and the pusher SDK', async () => {
    const { port } = await startNode(createPostgresAppManager({ url: POSTGRES_URL, table }));
    const client = pusherClient(port, APP.key);
    await connected(client);
    const data = await roundTrip(client, pusherBackend(port, APP), 'orders', { hello: 'from postgres' });
    expect(data).toEqual({ hello: 'from postgres' });
  });

  it('refuses an unknown key with 4001 and a disabled app with 4003', async () => {
    const { port } = await startNode(createPostgresAppManager({ url: POSTGRES_URL, table }));
    expect(await refusalCode(pusherClient(port, 'not-in-the-table'))).toBe(4001);
    expect(await refusalCode(pusherClient(port, DISABLED.key))).toBe(4003);
  });

  it('refuses a trigger signed with another secret', async () => {
    const { port } = await startNode(createPostgresAppManager({ url: POSTGRES_URL, table }));
    const forged = pusherBackend(port, { ...APP, secret: 'not-the-secret' });
    await expect(forged.trigger('orders', 'greeting', {})).rejects.toMatchObject({ status: 401 });
  });

  it('with the database unreachable, refuses upgrades with 503 and keeps running; no unhandled rejection', async () => {
    const watch = watchProcessErrors();
    try {
      const port = await closedPort();
      const down = createPostgresAppManager({
        host: '127.0.0.1',
        port,
        user: 'root',
        password: 'p4ss',
        database: 'test',
      });
      await expect(down.checkHealth()).rejects.toThrow(`PostgreSQL database "test" at 127.0.0.1:${port}`);
      const node = await startNode(down);
      expect(await upgradeStatus(node.port, APP.key)).toBe(503);
      expect(await upgradeStatus(node.port, APP.key)).toBe(503);
      const response = await fetch(`http://127.0.0.1:${node.port}/`);
      expect(response.status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(watch.errors).toEqual([]);
    } finally {
      watch.stop();
    }
  });
});
