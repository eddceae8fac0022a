// The `applications` table exactly as Rust Sockudo's ops/migrations/postgresql/001_fresh_schema.sql
// creates it, so this package and a Rust Sockudo deployment can share one table. Only the applications
// part of that file is here (not the history tables, and not its sample 'app-id'/'app-secret' row).

import {
  APPLICATION_INDEXES,
  checkTableName,
  columnName,
  createTableStatement,
  type SqlDialect,
} from '@sockudo/app-manager-sql';

/**
 * `name` as a quoted identifier, lower-cased the way PostgreSQL folds the unquoted names Rust Sockudo
 * uses (so `Applications` is the same table for both); quoting keeps a reserved word usable.
 */
export function quoted(name: string): string {
  return `"${name.toLowerCase()}"`;
}

/** PostgreSQL's spelling of the applications table and its statements. */
export const POSTGRES_DIALECT: SqlDialect = {
  name: 'PostgreSQL',
  maxTableNameLength: 63,
  quote: quoted,
  placeholder: (index) => `$${index + 1}`,
  columnTypes: {
    requiredCount: 'INTEGER NOT NULL',
    count: 'INTEGER',
    switchOff: 'BOOLEAN NOT NULL DEFAULT FALSE',
    switchOn: 'BOOLEAN NOT NULL DEFAULT TRUE',
    switch: 'BOOLEAN',
    json: 'JSONB',
    createdAt: 'TIMESTAMP DEFAULT CURRENT_TIMESTAMP',
    updatedAt: 'TIMESTAMP DEFAULT CURRENT_TIMESTAMP',
  },
  // PostgreSQL has no ON UPDATE CURRENT_TIMESTAMP; every UPDATE sets it.
  touchOnUpdate: 'updated_at = CURRENT_TIMESTAMP',
};

/** The indexes Rust Sockudo's schema adds, as `CREATE INDEX IF NOT EXISTS` statements. */
export function postgresIndexes(table: string): string[] {
  return APPLICATION_INDEXES.map(
    ([suffix, column]) =>
      `CREATE INDEX IF NOT EXISTS ${quoted(`idx_${table}_${suffix}`.slice(0, 63))} ON ${quoted(table)} (${columnName(POSTGRES_DIALECT, column)})`,
  );
}

/**
 * The SQL that creates the applications table and its indexes, as in Rust Sockudo's
 * `ops/migrations/postgresql/001_fresh_schema.sql`, for a DBA to review or run by hand. Every statement
 * is idempotent; `migrate()` runs the same ones and adds columns an older table lacks.
 *
 * @param table the table name. @default 'applications'
 */
export function postgresSchema(table = 'applications'): string {
  checkTableName(table, 'table', POSTGRES_DIALECT);
  return `${createTableStatement(POSTGRES_DIALECT, table)};\n\n${postgresIndexes(table).join(';\n')};\n`;
}
