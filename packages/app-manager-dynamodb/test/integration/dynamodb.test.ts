// What only the DynamoDB manager does: Rust Sockudo's table layout, items Rust Sockudo can read, legacy
// items, and failures that name the table, region and endpoint.

import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  GetItemCommand,
} from '@aws-sdk/client-dynamodb';
import { APP_DEFAULTS, type App, ConfigError } from '@sockudo/core';
import { expectUnreachable, expectWrittenPolicy } from '@sockudo/test-helpers/app-manager-cases';
import { closedPort } from '@sockudo/test-helpers/end-to-end';
import { writtenApp } from '@sockudo/test-suite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createDynamoDbAppManager,
  type DynamoDbAppManager,
  type DynamoDbAppManagerOptions,
  dynamoDbTableDefinition,
} from '../../src/index.js';
import {
  CREDENTIALS,
  type Dynalite,
  putItems,
  REGION,
  startDynalite,
  uniqueTable,
} from '../helpers/dynamodb.js';

let dynamo: Dynalite;
const managers: DynamoDbAppManager[] = [];

function manager(options: DynamoDbAppManagerOptions = {}): DynamoDbAppManager {
  const created = dynamo.appManager({ tableName: uniqueTable(), ...options });
  managers.push(created);
  return created;
}

async function rawItem(table: string, id: string) {
  const client = new DynamoDBClient({ endpoint: dynamo.endpoint, region: REGION, credentials: CREDENTIALS });
  try {
    return (await client.send(new GetItemCommand({ TableName: table, Key: { id: { S: id } } }))).Item;
  } finally {
    client.destroy();
  }
}

beforeAll(async () => {
  dynamo = await startDynalite();
});

afterAll(async () => {
  await Promise.all(managers.map((m) => m.close()));
  await dynamo?.close();
});

describe('table layout and migrate()', () => {
  it("dynamoDbTableDefinition() is Rust Sockudo's layout: hash key id, GSI KeyIndex on key, projection ALL", () => {
    expect(dynamoDbTableDefinition()).toEqual({
      TableName: 'sockudo-applications',
      AttributeDefinitions: [
        { AttributeName: 'id', AttributeType: 'S' },
        { AttributeName: 'key', AttributeType: 'S' },
      ],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      GlobalSecondaryIndexes: [
        {
          IndexName: 'KeyIndex',
          KeySchema: [{ AttributeName: 'key', KeyType: 'HASH' }],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
      BillingMode: 'PAY_PER_REQUEST',
    });
    const provisioned = dynamoDbTableDefinition('apps', { mode: 'PROVISIONED' });
    expect(provisioned.ProvisionedThroughput).toEqual({ ReadCapacityUnits: 5, WriteCapacityUnits: 5 });
    expect(provisioned.GlobalSecondaryIndexes![0]!.ProvisionedThroughput).toEqual({
      ReadCapacityUnits: 5,
      WriteCapacityUnits: 5,
    });
  });

  it('migrate() creates the table and index, waits for ACTIVE, and is idempotent across nodes', async () => {
    const tableName = uniqueTable();
    const nodes = [manager({ tableName }), manager({ tableName }), manager({ tableName })];
    await Promise.all(nodes.map((node) => node.migrate()));
    await nodes[0]!.migrate();
    const { Table } = await nodes[0]!.client.send(new DescribeTableCommand({ TableName: tableName }));
    expect(Table?.TableStatus).toBe('ACTIVE');
    expect(Table?.KeySchema).toEqual([{ AttributeName: 'id', KeyType: 'HASH' }]);
    expect(
      Table?.GlobalSecondaryIndexes?.map((gsi) => [gsi.IndexName, gsi.IndexStatus, gsi.KeySchema]),
    ).toEqual([['KeyIndex', 'ACTIVE', [{ AttributeName: 'key', KeyType: 'HASH' }]]]);
    await nodes[0]!.checkHealth();
  });

  it('migrate() with provisioned billing creates a 5/5 table like Rust Sockudo', async () => {
    const apps = manager({ billing: { mode: 'PROVISIONED' } });
    await apps.migrate();
    const { Table } = await apps.client.send(new DescribeTableCommand({ TableName: apps.tableName }));
    expect(Table?.ProvisionedThroughput).toMatchObject({ ReadCapacityUnits: 5, WriteCapacityUnits: 5 });
  });

  it('migrate() names a table that exists without KeyIndex instead of guessing', async () => {
    const apps = manager();
    await apps.client.send(
      new CreateTableCommand({
        TableName: apps.tableName,
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    await expect(apps.migrate()).rejects.toThrow(/without the global secondary index "KeyIndex"/);
  });

  it('a missing table fails checkHealth and lookups with the table name and how to create it', async () => {
    const apps = manager();
    await expect(apps.checkHealth()).rejects.toThrow(
      new RegExp(
        `DynamoDB table "${apps.tableName}" \\(region us-east-1, endpoint http://127.0.0.1:\\d+\\) does not exist.*sockudo migrate`,
      ),
    );
    await expect(apps.findByKey('k')).rejects.toThrow(/ResourceNotFoundException.*sockudo migrate/);
    await expect(apps.findById('i')).rejects.toThrow(/ResourceNotFoundException/);
  });

  it('rejects a table name DynamoDB would not take, naming the config key', () => {
    for (const tableName of ['ab', 'has space', 'a/b', 'x'.repeat(256)]) {
      expect(() => createDynamoDbAppManager({ tableName })).toThrow(ConfigError);
      expect(() => createDynamoDbAppManager({ tableName })).toThrow(/database\.dynamodb\.table_name/);
    }
  });
});

describe('items shared with Rust Sockudo', () => {
  let apps: DynamoDbAppManager;
  beforeAll(async () => {
    apps = manager();
    await apps.migrate();
  });

  it('createApp writes id, key, secret, enabled (BOOL) and policy (a JSON string), as Rust Sockudo does', async () => {
    const app = writtenApp('rust');
    await apps.createApp(app);
    const item = (await rawItem(apps.tableName, app.id))!;
    expect(Object.keys(item).sort()).toEqual(['enabled', 'id', 'key', 'policy', 'secret']);
    expect(item.id).toEqual({ S: app.id });
    expect(item.key).toEqual({ S: app.key });
    expect(item.enabled).toEqual({ BOOL: true });
    expectWrittenPolicy(JSON.parse(item.policy!.S!), app);
  });

  it('reads legacy items with camelCase attributes, string sets and numbers as strings', async () => {
    await putItems(dynamo.documents, apps.tableName, [
      {
        id: 'camel',
        key: 'camel-key',
        secret: 's',
        enabled: false,
        maxConnections: 7,
        enableClientMessages: true,
        maxClientEventsPerSecond: '8',
        allowedOrigins: new Set(['https://a.example']),
      },
    ]);
    expect(await apps.findByKey('camel-key')).toEqual({
      ...APP_DEFAULTS,
      id: 'camel',
      key: 'camel-key',
      secret: 's',
      enabled: false,
      maxConnections: 7,
      enableClientMessages: true,
      maxClientEventsPerSecond: 8,
      allowedOrigins: ['https://a.example'],
    });
  });

  it('updateApp keeps other attributes and policy settings this port does not model', async () => {
    await putItems(dynamo.documents, apps.tableName, [
      {
        id: 'rich',
        key: 'rich-key',
        secret: 's',
        enabled: true,
        owner: 'team-a',
        policy: {
          limits: { max_connections: 3, max_client_events_per_second: 10, decay_seconds: 2 },
          features: { enable_client_messages: false },
          channels: { allowed_origins: [], channel_namespaces: [{ name: 'chat' }] },
          webhooks: [{ url: 'https://keep.example.com/', event_types: [], retry: { max_attempts: 3 } }],
          idempotency: { enabled: true },
        },
      },
    ]);
    const updated: App = { ...(await apps.findById('rich'))!, key: 'rich-key-2', maxConnections: 4 };
    await apps.updateApp(updated);
    expect(await apps.findByKey('rich-key-2')).toEqual(updated);
    expect(await apps.findByKey('rich-key')).toBeUndefined();
    const item = (await rawItem(apps.tableName, 'rich'))!;
    expect(item.owner).toEqual({ S: 'team-a' });
    const policy = JSON.parse(item.policy!.S!);
    expect(policy.limits).toMatchObject({ max_connections: 4, decay_seconds: 2 });
    expect(policy.channels.channel_namespaces).toEqual([{ name: 'chat' }]);
    expect(policy.idempotency).toEqual({ enabled: true });
    expect(policy.webhooks).toEqual([
      { url: 'https://keep.example.com/', event_types: [], retry: { max_attempts: 3 } },
    ]);
  });

  it('updateApp of a legacy flat item writes a policy and drops the flat attributes it replaces', async () => {
    await putItems(dynamo.documents, apps.tableName, [
      {
        id: 'flat-item',
        key: 'flat-item-key',
        secret: 's',
        enabled: true,
        max_connections: 5,
        max_client_events_per_second: 6,
        webhooks: [{ url: 'https://flat.example.com/', event_types: [] }],
        idempotency: JSON.stringify({ enabled: false }),
      },
    ]);
    const app = (await apps.findById('flat-item'))!;
    expect(app.webhooks).toEqual([{ url: 'https://flat.example.com/', eventTypes: [] }]);
    await apps.updateApp({ ...app, secret: 'rotated' });
    const item = (await rawItem(apps.tableName, 'flat-item'))!;
    expect(Object.keys(item).sort()).toEqual(['enabled', 'id', 'key', 'policy', 'secret']);
    expect(JSON.parse(item.policy!.S!)).toMatchObject({
      limits: { max_connections: 5, max_client_events_per_second: 6 },
      idempotency: { enabled: false },
      webhooks: [{ url: 'https://flat.example.com/', event_types: [] }],
    });
    expect(await apps.findById('flat-item')).toEqual({ ...app, secret: 'rotated' });
  });

  it('updateApp of an unknown id or to a key another app has rejects and writes nothing', async () => {
    const ghost = writtenApp('ghost');
    await expect(apps.updateApp(ghost)).rejects.toThrow(/no app with this id/);
    expect(await apps.findById(ghost.id)).toBeUndefined();
    const a = writtenApp('dup-a');
    const b = writtenApp('dup-b');
    await apps.createApp(a);
    await apps.createApp(b);
    await expect(apps.updateApp({ ...b, key: a.key })).rejects.toThrow(/already has the key/);
    expect(await apps.findById(b.id)).toEqual(b);
  });

  it('two items written by hand with one key make findByKey fail loudly rather than pick one', async () => {
    await putItems(dynamo.documents, apps.tableName, [
      { id: 'twin-1', key: 'twin-key', secret: 'a' },
      { id: 'twin-2', key: 'twin-key', secret: 'b' },
    ]);
    await expect(apps.findByKey('twin-key')).rejects.toThrow(/several apps with the key "twin-key"/);
  });
});

describe('failures', () => {
  it('an unreachable endpoint rejects lookups and checkHealth naming table, region and endpoint, without crashing', async () => {
    const port = await closedPort();
    const down = manager({
      endpoint: `http://127.0.0.1:${port}`,
      tableName: 'apps-down',
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'hunter2-do-not-leak' },
    });
    await expectUnreachable(
      down,
      `DynamoDB table "apps-down" \\(region us-east-1, endpoint http://127\\.0\\.0\\.1:${port}\\)`,
      'hunter2',
      5000,
    );
  });

  it('calls after close() reject with a clear message', async () => {
    const apps = manager();
    await apps.migrate();
    await apps.close();
    await expect(apps.findByKey('k')).rejects.toThrow(/after close\(\)/);
  });

  it('uses a client it is given and leaves it open on close()', async () => {
    const client = new DynamoDBClient({
      endpoint: dynamo.endpoint,
      region: REGION,
      credentials: CREDENTIALS,
    });
    try {
      const apps = createDynamoDbAppManager({ client, tableName: uniqueTable() });
      await apps.migrate();
      await apps.checkHealth();
      await apps.close();
      const { Table } = await client.send(new DescribeTableCommand({ TableName: apps.tableName }));
      expect(Table?.TableStatus).toBe('ACTIVE');
    } finally {
      client.destroy();
    }
  });
});
