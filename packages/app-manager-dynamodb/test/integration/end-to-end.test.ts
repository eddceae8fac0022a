// A Sockudo node whose apps live only in DynamoDB: the end-to-end checks every app manager here passes,
// over items put by hand as Rust Sockudo writes them.

import { appManagerEndToEndTests, END_TO_END_APPS } from '@sockudo/test-helpers/app-manager-cases';
import { afterAll, beforeAll } from 'vitest';
import { type Dynalite, putItems, startDynalite, uniqueTable } from '../helpers/dynamodb.js';

const tableName = uniqueTable();
let dynamo: Dynalite;

const appManager = () => dynamo.appManager({ tableName });

beforeAll(async () => {
  dynamo = await startDynalite();
  const setup = appManager();
  await setup.migrate();
  await setup.close();
  const { enabled, disabled } = END_TO_END_APPS;
  await putItems(dynamo.documents, tableName, [
    {
      ...enabled,
      enabled: true,
      policy: { limits: { max_connections: 100, max_client_events_per_second: 100 } },
    },
    { ...disabled, enabled: false, policy: {} },
  ]);
});

afterAll(() => dynamo?.close());

appManagerEndToEndTests({
  store: 'DynamoDB',
  factory: 'createDynamoDbAppManager',
  appManager,
  unreachable: (port) => dynamo.appManager({ tableName, endpoint: `http://127.0.0.1:${port}` }),
  unreachableWhere: (port) => `endpoint http://127.0.0.1:${port}`,
});
