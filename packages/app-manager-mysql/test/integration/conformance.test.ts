// The published AppManagerV1 conformance suite, run exactly as a third-party app manager would run it,
// against a throwaway table in the machine's MariaDB/MySQL.

import { appManagerTestSuite } from '@sockudo/test-suite';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { createMysqlAppManager } from '../../src/index.js';
import { dropTable, insertRows, MYSQL_URL, mysqlAdmin, requireMysql, uniqueTable } from '../helpers/mysql.js';

describe('mysql', () => {
  const table = uniqueTable();
  let admin: ReturnType<typeof mysqlAdmin>;

  beforeAll(async () => {
    await requireMysql();
    admin = mysqlAdmin();
    const manager = createMysqlAppManager({ url: MYSQL_URL, table });
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
      await admin.query(`DELETE FROM \`${table}\``);
      return createMysqlAppManager({ url: MYSQL_URL, table });
    },
    { seed: (records) => insertRows(admin, table, records), write: true, describe },
  );
});
