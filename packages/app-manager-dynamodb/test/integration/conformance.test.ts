// The published AppManagerV1 conformance suite, run exactly as a third-party app manager would run it,
// against a table in an in-process dynalite.

import { appManagerTestSuite } from '@sockudo/test-suite';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { type Dynalite, emptyTable, putItems, startDynalite, uniqueTable } from '../helpers/dynamodb.js';

describe('dynamodb', () => {
  const tableName = uniqueTable();
  let dynamo: Dynalite;
  const create = () => dynamo.appManager({ tableName });

  beforeAll(async () => {
    dynamo = await startDynalite();
    const manager = create();
    await manager.migrate();
    await manager.close();
  });

  afterAll(() => dynamo?.close());

  appManagerTestSuite(
    it,
    async () => {
      await emptyTable(dynamo.documents, tableName);
      return create();
    },
    { seed: (records) => putItems(dynamo.documents, tableName, records), write: true, describe },
  );
});
