// A Sockudo node whose apps live only in DynamoDB: pusher-js connects with a key from the table and
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
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoDbAppManager } from '../../src/index.js';
import {
  CREDENTIALS,
  type Dynalite,
  putItems,
  REGION,
  startDynalite,
  uniqueTable,
} from '../helpers/dynamodb.js';

const tableName = uniqueTable();
const APP = { id: 'db-app', key: 'db-app-key', secret: 'db-app-secret' };
const DISABLED = { id: 'db-off', key: 'db-off-key', secret: 'db-off-secret' };
let dynamo: Dynalite;

const appManager = () =>
  createDynamoDbAppManager({
    tableName,
    endpoint: dynamo.endpoint,
    region: REGION,
    credentials: CREDENTIALS,
  });

beforeAll(async () => {
  dynamo = await startDynalite();
  const setup = appManager();
  await setup.migrate();
  await setup.close();
  // Items as Rust Sockudo writes them, put by hand: the server never saw these apps.
  await putItems(dynamo.documents, tableName, [
    {
      ...APP,
      enabled: true,
      policy: { limits: { max_connections: 100, max_client_events_per_second: 100 } },
    },
    { ...DISABLED, enabled: false, policy: {} },
  ]);
});

afterEach(() => stopAll());

afterAll(() => dynamo?.close());

describe('createServer with createDynamoDbAppManager', () => {
  it('serves an app that exists only in the database to pusher-js and the pusher SDK', async () => {
    const { port } = await startNode(appManager());
    const client = pusherClient(port, APP.key);
    await connected(client);
    const data = await roundTrip(client, pusherBackend(port, APP), 'orders', { hello: 'from dynamodb' });
    expect(data).toEqual({ hello: 'from dynamodb' });
  });

  it('refuses an unknown key with 4001 and a disabled app with 4003', async () => {
    const { port } = await startNode(appManager());
    expect(await refusalCode(pusherClient(port, 'not-in-the-table'))).toBe(4001);
    expect(await refusalCode(pusherClient(port, DISABLED.key))).toBe(4003);
  });

  it('refuses a trigger signed with another secret', async () => {
    const { port } = await startNode(appManager());
    const forged = pusherBackend(port, { ...APP, secret: 'not-the-secret' });
    await expect(forged.trigger('orders', 'greeting', {})).rejects.toMatchObject({ status: 401 });
  });

  it('with DynamoDB unreachable, refuses upgrades with 503 and keeps running; no unhandled rejection', async () => {
    const watch = watchProcessErrors();
    try {
      const port = await closedPort();
      const down = createDynamoDbAppManager({
        tableName,
        endpoint: `http://127.0.0.1:${port}`,
        region: REGION,
        credentials: CREDENTIALS,
      });
      await expect(down.checkHealth()).rejects.toThrow(`endpoint http://127.0.0.1:${port}`);
      const node = await startNode(down);
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
