// The published AppManagerV1 conformance suite, run exactly as a third-party app manager would run it,
// against a throwaway table in the machine's MariaDB/MySQL.

import { appManagerTestSuite } from '@sockudo/test-suite';
import { describe, it } from 'vitest';
import { createMysqlAppManager } from '../../src/index.js';
import { insertRows, MYSQL_URL, migratedTable, mysqlTestDatabase } from '../helpers/mysql.js';

describe('mysql', () => {
  const fixture = migratedTable(mysqlTestDatabase);

  appManagerTestSuite(
    it,
    async () => {
      await fixture.admin.query(`DELETE FROM \`${fixture.table}\``);
      return createMysqlAppManager({ url: MYSQL_URL, table: fixture.table });
    },
    { seed: (records) => insertRows(fixture.admin, fixture.table, records), write: true, describe },
  );
});
