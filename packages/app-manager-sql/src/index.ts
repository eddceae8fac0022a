export {
  APPLICATION_COLUMNS,
  APPLICATION_INDEXES,
  addableColumns,
  appColumns,
  appFromRow,
  applicationColumns,
  applicationStatements,
  checkTableName,
  columnName,
  createTableStatement,
  type SqlParam,
  TABLE_NAME_PATTERN,
} from './applications-table.js';
export {
  createSqlAppManager,
  type SqlAppManager,
  type SqlDriver,
  type SqlExecute,
  type SqlQuery,
  type SqlRow,
} from './sql-app-manager.js';
export {
  createSqlCalls,
  type SqlCallOptions,
  type SqlCalls,
  type SqlCallsOptions,
  withDeadline,
} from './sql-calls.js';
export type { ApplicationColumnKind, SqlDialect } from './sql-dialect.js';
export {
  describeSqlTarget,
  resolveSqlTarget,
  type SqlAppManagerOptions,
  type SqlTarget,
  type SqlTargetSpec,
} from './sql-target.js';
