// The `applications` table exactly as Rust Sockudo's ops/migrations/mysql/001_fresh_schema.sql creates
// it, so this package and a Rust Sockudo deployment can share one table. Only the applications part of
// that file is here (not the history tables, and not its sample 'app-id'/'app-secret' row).

import {
  APPLICATION_INDEXES,
  checkTableName,
  columnName,
  createTableStatement,
  type SqlDialect,
} from '@sockudo/app-manager-sql';

/** MySQL/MariaDB's spelling of the applications table and its statements. */
export const MYSQL_DIALECT: SqlDialect = {
  name: 'MySQL',
  maxTableNameLength: 64,
  quote: (identifier) => `\`${identifier}\``,
  placeholder: () => '?',
  columnTypes: {
    requiredCount: 'INT UNSIGNED NOT NULL',
    count: 'INT UNSIGNED NULL',
    switchOff: 'BOOLEAN NOT NULL DEFAULT FALSE',
    switchOn: 'BOOLEAN NOT NULL DEFAULT TRUE',
    switch: 'BOOLEAN NULL',
    json: 'JSON NULL',
    createdAt: 'TIMESTAMP DEFAULT CURRENT_TIMESTAMP',
    updatedAt: 'TIMESTAMP DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP',
  },
  tableOptions: ' ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci',
};

/** The indexes Rust Sockudo's schema adds, as [name, column]. */
export function mysqlIndexes(table: string): Array<[string, string]> {
  return APPLICATION_INDEXES.map(([suffix, column]) => [
    `idx_${table}_${suffix}`,
    columnName(MYSQL_DIALECT, column),
  ]);
}

/**
 * The SQL that creates the applications table and its indexes, as in Rust Sockudo's
 * `ops/migrations/mysql/001_fresh_schema.sql`, for a DBA to review or run by hand. `migrate()` runs the
 * same statements, skipping indexes and columns that already exist.
 *
 * @param table the table name. @default 'applications'
 */
export function mysqlSchema(table = 'applications'): string {
  checkTableName(table, 'table', MYSQL_DIALECT);
  const indexes = mysqlIndexes(table).map(
    ([name, column]) => `CREATE INDEX ${name} ON \`${table}\` (${column});`,
  );
  return `${createTableStatement(MYSQL_DIALECT, table)};\n\n${indexes.join('\n')}\n`;
}
