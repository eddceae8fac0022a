// @sockudo/test-suite's historyStoreTestSuite against the machine's MariaDB/MySQL, exactly as an outside
// driver author runs it: each test's namespace becomes a table prefix, whose tables are dropped afterwards.

import { createHash } from 'node:crypto';
import { requireService } from '@sockudo/test-helpers/services';
import { historyStoreTestSuite } from '@sockudo/test-suite';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { createMysqlHistoryStore } from '../../src/index.js';

const MYSQL_URL = process.env.SOCKUDO_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';
const prefixes = new Set<string>();
/** A short table prefix per namespace. */
const prefixOf = (namespace: string) => {
  const prefix = `hs_${createHash('sha1').update(namespace).digest('hex').slice(0, 12)}`;
  prefixes.add(prefix);
  return prefix;
};

beforeAll(() =>
  requireService(
    'MySQL/MariaDB (user root, empty password, database test; or set SOCKUDO_TEST_MYSQL_URL)',
    MYSQL_URL,
    3306,
  ),
);
afterAll(async () => {
  const admin = await mysql.createConnection(MYSQL_URL);
  try {
    for (const prefix of prefixes)
      await admin.query(`DROP TABLE IF EXISTS ${prefix}_streams, ${prefix}_entries`);
  } finally {
    await admin.end();
  }
});

describe('mysql', () => {
  historyStoreTestSuite(
    it,
    ({ namespace }) => createMysqlHistoryStore({ url: MYSQL_URL, tablePrefix: prefixOf(namespace) }),
    { describe, durable: true },
  );
});
