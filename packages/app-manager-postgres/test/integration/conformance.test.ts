// The published AppManagerV1 conformance suite, run exactly as a third-party app manager would run it,
// against a throwaway table in the machine's PostgreSQL.

import { appManagerTestSuite } from '@sockudo/test-suite';
import { describe, it } from 'vitest';
import { createPostgresAppManager } from '../../src/index.js';
import { insertRows, migratedTable, POSTGRES_URL, postgresTestDatabase } from '../helpers/postgres.js';

describe('postgres', () => {
  const fixture = migratedTable(postgresTestDatabase);

  appManagerTestSuite(
    it,
    async () => {
      await fixture.admin.query(`DELETE FROM "${fixture.table}"`);
      return createPostgresAppManager({ url: POSTGRES_URL, table: fixture.table });
    },
    { seed: (records) => insertRows(fixture.admin, fixture.table, records), write: true, describe },
  );
});
