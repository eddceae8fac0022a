// @sockudo/test-suite's historyStoreTestSuite against the machine's PostgreSQL, exactly as an outside
// driver author runs it: each test's namespace becomes a table prefix, whose tables are dropped afterwards.

import { createHash } from 'node:crypto';
import { requireService } from '@sockudo/test-helpers/services';
import { historyStoreTestSuite } from '@sockudo/test-suite';
import pg from 'pg';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { createPostgresHistoryStore } from '../../src/index.js';

const POSTGRES_URL = process.env.SOCKUDO_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const prefixes = new Set<string>();
/** A short table prefix per namespace (PostgreSQL names stop at 63 characters). */
const prefixOf = (namespace: string) => {
  const prefix = `hs_${createHash('sha1').update(namespace).digest('hex').slice(0, 12)}`;
  prefixes.add(prefix);
  return prefix;
};

beforeAll(() =>
  requireService(
    'PostgreSQL (user postgres with trust auth, database test; or set SOCKUDO_TEST_POSTGRES_URL)',
    POSTGRES_URL,
    5432,
  ),
);
afterAll(async () => {
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  try {
    for (const prefix of prefixes)
      await admin.query(`DROP TABLE IF EXISTS ${prefix}_streams, ${prefix}_entries`);
  } finally {
    await admin.end();
  }
});

describe('postgres', () => {
  historyStoreTestSuite(
    it,
    ({ namespace }) => createPostgresHistoryStore({ url: POSTGRES_URL, tablePrefix: prefixOf(namespace) }),
    { describe, durable: true },
  );
});
