// The published AppManagerV1 conformance suite, run exactly as a third-party app manager would run it,
// against a throwaway table in the machine's MariaDB/MySQL.

import { appManagerTestSuite } from '@sockudo/test-suite';
import type { Pool } from 'mysql2/promise';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { createMysqlAppManager } from '../../src/index.js';
import { adminPool, insertRows, MYSQL_URL, requireMysql, uniqueTable } from '../helpers/mysql.js';

describe('mysql', () => {
  const table = uniqueTable();
  let admin: Pool;

  beforeAll(async () => {
    await requireMysql();
    admin = adminPool();
    const manager = createMysqlAppManager({ url: MYSQL_URL, table });
    await manager.migrate();
    await manager.close();
  });

  afterAll(async () => {
    await admin?.query(`DROP TABLE IF EXISTS \`${table}\``);
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
