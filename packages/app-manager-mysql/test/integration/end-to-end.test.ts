// A Sockudo node whose apps live only in MySQL: the end-to-end checks every app manager here passes, over
// rows written by hand as Rust Sockudo's fresh schema takes them.

import { appManagerEndToEndTests, END_TO_END_APPS } from '@sockudo/test-helpers/app-manager-cases';
import { afterAll, beforeAll } from 'vitest';
import { createMysqlAppManager } from '../../src/index.js';
import { dropTable, insertRows, MYSQL_URL, mysqlAdmin, requireMysql, uniqueTable } from '../helpers/mysql.js';

const table = uniqueTable();
let admin: ReturnType<typeof mysqlAdmin>;

beforeAll(async () => {
  await requireMysql();
  admin = mysqlAdmin();
  const setup = createMysqlAppManager({ url: MYSQL_URL, table });
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
  store: 'MySQL',
  factory: 'createMysqlAppManager',
  appManager: () => createMysqlAppManager({ url: MYSQL_URL, table }),
  unreachable: (port) =>
    createMysqlAppManager({ host: '127.0.0.1', port, user: 'root', password: 'p4ss', database: 'test' }),
  unreachableWhere: (port) => `MySQL database "test" at 127.0.0.1:${port}`,
});
