// The table layout and statements in a dialect made up for the test, so what is shared is checked apart
// from MySQL's and PostgreSQL's spelling (their packages check theirs against the real databases).

import { ConfigError } from '@sockudo/core';
import { writtenApp } from '@sockudo/test-suite';
import { describe, expect, it } from 'vitest';
import {
  APPLICATION_COLUMNS,
  addableColumns,
  appColumns,
  appFromRow,
  applicationStatements,
  checkTableName,
  createTableStatement,
  type SqlDialect,
} from '../../src/index.js';

const dialect: SqlDialect = {
  name: 'TestSQL',
  maxTableNameLength: 10,
  quote: (identifier) => `[${identifier}]`,
  placeholder: (index) => `:p${index}`,
  columnTypes: {
    requiredCount: 'INT!',
    count: 'INT',
    switchOff: 'BOOL=0',
    switchOn: 'BOOL=1',
    switch: 'BOOL',
    json: 'JSON',
    createdAt: 'CREATED',
    updatedAt: 'UPDATED',
  },
};

describe('the applications table', () => {
  it("has Rust Sockudo's columns in its order, spelled by the dialect", () => {
    const sql = createTableStatement(dialect, 'apps');
    expect(sql.split('\n')).toEqual(
      [
        'CREATE TABLE IF NOT EXISTS [apps] (',
        '    id VARCHAR(255) PRIMARY KEY,',
        '    [key] VARCHAR(255) UNIQUE NOT NULL,',
        '    secret VARCHAR(255) NOT NULL,',
        ...APPLICATION_COLUMNS.map(([name, kind]) => `    ${name} ${dialect.columnTypes[kind]},`),
        ')',
      ].map((line, i, all) => (i === all.length - 2 ? line.replace(/,$/, '') : line)),
    );
    expect(createTableStatement({ ...dialect, tableOptions: ' ENGINE=X' }, 'apps')).toMatch(/\) ENGINE=X$/);
  });

  it('migrate() may add every column but the two the first schema required without a default', () => {
    const addable = addableColumns(dialect).map(([name]) => name);
    expect(addable).not.toContain('max_connections');
    expect(addable).not.toContain('max_client_events_per_second');
    expect(addable).toHaveLength(APPLICATION_COLUMNS.length - 2);
    expect(addableColumns(dialect)).toContainEqual(['policy', 'JSON']);
  });

  it('takes plain identifiers up to the dialect limit and names the config key otherwise', () => {
    expect(checkTableName('apps_2', 'database.x.table_name', dialect)).toBe('apps_2');
    for (const bad of ['a b', 'x;', '1a', '', 'a'.repeat(11)]) {
      expect(() => checkTableName(bad, 'database.x.table_name', dialect)).toThrow(ConfigError);
      expect(() => checkTableName(bad, 'database.x.table_name', dialect)).toThrow(
        /database\.x\.table_name: .* at most 10 characters/,
      );
    }
  });
});

describe('statements', () => {
  const statements = applicationStatements(dialect, 'apps');

  it('quote names and number parameters in the dialect', () => {
    expect(statements.selectBy('key')).toBe('SELECT * FROM [apps] WHERE [key] = :p0');
    expect(statements.selectForUpdate).toBe('SELECT * FROM [apps] WHERE id = :p0 FOR UPDATE');
    expect(statements.selectAll).toBe('SELECT * FROM [apps] ORDER BY id');
    expect(
      statements.insert([
        ['id', 'a'],
        ['key', 'k'],
      ]),
    ).toBe('INSERT INTO [apps] ([id], [key]) VALUES (:p0, :p1)');
  });

  it('UPDATE takes the id last, and sets what the dialect touches on every update', () => {
    const columns: Array<[string, string]> = [
      ['key', 'k'],
      ['secret', 's'],
    ];
    expect(statements.update(columns)).toBe('UPDATE [apps] SET [key] = :p0, [secret] = :p1 WHERE id = :p2');
    expect(
      applicationStatements({ ...dialect, touchOnUpdate: 'updated_at = NOW()' }, 'apps').update(columns),
    ).toBe('UPDATE [apps] SET [key] = :p0, [secret] = :p1, updated_at = NOW() WHERE id = :p2');
  });
});

describe('rows', () => {
  it('a written app reads back as the same app, with policy, webhooks and allowed_origins as JSON text', () => {
    const app = writtenApp('row');
    const policy = { limits: {}, webhooks: [{ url: 'https://x.example/' }] };
    const row = Object.fromEntries(appColumns(app, policy));
    expect(JSON.parse(String(row.policy))).toEqual(policy);
    expect(JSON.parse(String(row.webhooks))).toEqual(policy.webhooks);
    expect(JSON.parse(String(row.allowed_origins))).toEqual(app.allowedOrigins);
    const { policy: _, ...flat } = row;
    expect(appFromRow('apps', flat)).toMatchObject({ id: app.id, key: app.key, secret: app.secret });
  });

  it('a row that is not an app fails naming the table and id', () => {
    expect(() => appFromRow('apps', { id: 'broken', key: '', secret: 5 })).toThrow(/apps\[id="broken"\]/);
  });
});
