// The published AppManagerV1 conformance suite, run exactly as a third-party app manager would run it,
// against a throwaway table in the machine's PostgreSQL.

import { appManagerTestSuite } from '@sockudo/test-suite';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { createPostgresAppManager } from '../../src/index.js';
import {
  dropTable,
  insertRows,
  POSTGRES_URL,
  postgresAdmin,
  requirePostgres,
  uniqueTable,
} from '../helpers/postgres.js';

describe('postgres', () => {
  const table = uniqueTable();
  let admin: ReturnType<typeof postgresAdmin>;

  beforeAll(async () => {
    await requirePostgres();
    admin = postgresAdmin();
    const manager = createPostgresAppManager({ url: POSTGRES_URL, table });
    await manager.migrate();
    await manager.close();
  });

  afterAll(async () => {
    if (admin) await dropTable(admin, table);
    await admin?.end();
  });

  appManagerTestSuite(
    it,
    async () => {
      await admin.query(`DELETE FROM "${table}"`);
      return createPostgresAppManager({ url: POSTGRES_URL, table });
    },
    { seed: (records) => insertRows(admin, table, records), write: true, describe },
  );
});
