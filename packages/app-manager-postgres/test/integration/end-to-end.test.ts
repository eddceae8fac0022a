// A Sockudo node whose apps live only in PostgreSQL: the end-to-end checks every app manager here passes,
// over rows written by hand as Rust Sockudo's fresh schema takes them.

import { appManagerEndToEndTests, END_TO_END_APPS } from '@sockudo/test-helpers/app-manager-cases';
import { afterAll, beforeAll } from 'vitest';
import { createPostgresAppManager } from '../../src/index.js';
import {
  dropTable,
  insertRows,
  POSTGRES_URL,
  postgresAdmin,
  requirePostgres,
  uniqueTable,
} from '../helpers/postgres.js';

const table = uniqueTable();
let admin: ReturnType<typeof postgresAdmin>;

beforeAll(async () => {
  await requirePostgres();
  admin = postgresAdmin();
  const setup = createPostgresAppManager({ url: POSTGRES_URL, table });
  await setup.migrate();
  await setup.close();
  const { enabled, disabled } = END_TO_END_APPS;
  await insertRows(admin, table, [
    { ...enabled, max_connections: 100, enable_client_messages: true, max_client_events_per_second: 100 },
    { ...disabled, enabled: false, max_connections: 100, max_client_events_per_second: 100 },
  ]);
});

afterAll(async () => {
  if (admin) await dropTable(admin, table);
  await admin?.end();
});

appManagerEndToEndTests({
  store: 'PostgreSQL',
  factory: 'createPostgresAppManager',
  appManager: () => createPostgresAppManager({ url: POSTGRES_URL, table }),
  unreachable: (port) =>
    createPostgresAppManager({
      host: '127.0.0.1',
      port,
      user: 'root',
      password: 'p4ss',
      database: 'test',
    }),
  unreachableWhere: (port) => `PostgreSQL database "test" at 127.0.0.1:${port}`,
});
