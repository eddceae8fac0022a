// `sockudo migrate` and `sockudo start` with a database app manager, as real processes against the
// machine's MariaDB (database test, root without password) and PostgreSQL (database test, trust), each
// run in a table of its own. The app is inserted with mysql2/pg directly, so it exists only there.

import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { refusedCode, runSockudo, startNode, triggerAcross, uniqueId } from './driver-helpers.js';
import { tempDir } from './helpers.js';

interface Database {
  name: string;
  /** `app_manager.driver` */
  driver: string;
  /** `database.<section>` */
  section: 'mysql' | 'postgres';
  connection: Record<string, unknown>;
  /** Inserts an app with only the columns that have no default. */
  insertApp(table: string, app: { id: string; key: string; secret: string }): Promise<void>;
  dropTable(table: string): Promise<void>;
  close(): Promise<void>;
}

function mariadb(): Database {
  const pool = mysql.createPool({
    host: '127.0.0.1',
    port: 3306,
    user: 'root',
    password: '',
    database: 'test',
  });
  return {
    name: 'MariaDB',
    driver: 'mysql',
    section: 'mysql',
    connection: { host: '127.0.0.1', port: 3306, username: 'root', password: '', database: 'test' },
    async insertApp(table, app) {
      await pool.execute(
        `INSERT INTO \`${table}\` (id, \`key\`, secret, max_connections, max_client_events_per_second) VALUES (?, ?, ?, 0, 10)`,
        [app.id, app.key, app.secret],
      );
    },
    async dropTable(table) {
      await pool.query(`DROP TABLE IF EXISTS \`${table}\``);
    },
    close: () => pool.end(),
  };
}

function postgres(): Database {
  const pool = new pg.Pool({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test' });
  return {
    name: 'PostgreSQL',
    driver: 'pgsql',
    section: 'postgres',
    connection: { host: '127.0.0.1', port: 5432, username: 'postgres', database: 'test' },
    async insertApp(table, app) {
      await pool.query(
        `INSERT INTO "${table}" (id, "key", secret, max_connections, max_client_events_per_second) VALUES ($1, $2, $3, 0, 10)`,
        [app.id, app.key, app.secret],
      );
    },
    async dropTable(table) {
      await pool.query(`DROP TABLE IF EXISTS "${table}"`);
    },
    close: () => pool.end(),
  };
}

for (const database of [mariadb(), postgres()]) {
  describe(`app_manager.driver ${database.driver} on ${database.name}`, () => {
    const tables: string[] = [];
    afterAll(async () => {
      for (const table of tables) await database.dropTable(table);
      await database.close();
    });

    /** A config directory whose apps live in a fresh table of the test database. */
    function configDir() {
      const table = `sockudo_test_${uniqueId()}`;
      tables.push(table);
      const cwd = tempDir({
        'sockudo.json': {
          host: '127.0.0.1',
          port: 0,
          app_manager: { driver: database.driver },
          database: { [database.section]: { ...database.connection, table_name: table } },
        },
      });
      return { table, cwd };
    }

    it('sockudo migrate creates the table (and may run again); sockudo start serves an app inserted only there', async () => {
      const { table, cwd } = configDir();
      const migrated = await runSockudo(['migrate', '-c', 'sockudo.json'], { cwd });
      expect(migrated.stderr).toBe('');
      expect(migrated.code).toBe(0);
      expect(migrated.stdout).toContain(
        `Migrating ${database.name === 'MariaDB' ? 'MySQL' : 'PostgreSQL'} database "test" at 127.0.0.1:`,
      );
      expect(migrated.stdout).toContain(`Done: table "${table}" is ready`);
      expect((await runSockudo(['migrate', '-c', 'sockudo.json'], { cwd })).code).toBe(0);

      const app = {
        id: `db-app-${uniqueId()}`,
        key: `db-key-${uniqueId()}`,
        secret: `db-secret-${uniqueId()}`,
      };
      await database.insertApp(table, app);
      const node = await startNode(['-c', 'sockudo.json'], { cwd });
      expect(node.output()).toMatch(new RegExp(`Sockudo listening on .* app_manager=${database.driver}`));
      expect(node.output()).not.toContain('default credentials');

      expect(await triggerAcross(node.port, node.port, app)).toEqual({ hello: 'drivers' });
      expect(await refusedCode(node.port, 'app-key')).toBe(4001);
      expect(await refusedCode(node.port, `unknown-${uniqueId()}`)).toBe(4001);
    });

    it('sockudo start before sockudo migrate exits 1, naming the driver, the database and the fix', async () => {
      const { cwd } = configDir();
      const result = await runSockudo(['start', '-c', 'sockudo.json'], { cwd });
      const output = result.stdout + result.stderr;
      expect(result.code).toBe(1);
      expect(output).toMatch(
        /failed to start: app_manager\.driver (mysql|postgres): cannot use (MySQL|PostgreSQL) database "test" at 127\.0\.0\.1/,
      );
      expect(output).toContain('sockudo migrate');
      expect(output).not.toContain('listening');
    });
  });
}

describe('sockudo migrate', () => {
  it('has nothing to migrate with the memory app manager', async () => {
    const result = await runSockudo(['migrate'], { cwd: tempDir() });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('app_manager.driver is memory');
    expect(result.stdout).toContain('nothing to migrate');
  });

  it('exits 1 naming the driver and address when the database is unreachable, never the password', async () => {
    const cwd = tempDir({
      'sockudo.json': {
        app_manager: { driver: 'mysql' },
        database: { mysql: { host: '127.0.0.1', port: 1, password: 'never-print-this' } },
      },
    });
    const result = await runSockudo(['migrate', '-c', 'sockudo.json'], { cwd });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('app_manager.driver mysql');
    expect(result.stderr).toContain('MySQL database "sockudo" at 127.0.0.1:1');
    expect(result.stdout + result.stderr).not.toContain('never-print-this');
  });

  it('fails on an invalid configuration, naming the key', async () => {
    const cwd = tempDir({
      'sockudo.json': { app_manager: { driver: 'pgsql' }, database: { postgres: { port: 'x' } } },
    });
    const result = await runSockudo(['migrate', '-c', 'sockudo.json'], { cwd });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('database.postgres.port: expected an integer 0–65535, got "x"');
  });
});
