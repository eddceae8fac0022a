export {
  type HistoryTables,
  historyTables,
  MAX_TABLE_PREFIX_LENGTH,
  mysqlHistoryIndexes,
  mysqlHistorySchema,
  postgresHistorySchema,
} from './history-tables.js';
export {
  createSqlHistoryStore,
  type HistorySqlParam,
  type HistorySqlQuery,
  type HistorySqlRow,
  type SqlHistoryDriver,
  type SqlHistoryStore,
} from './sql-history-store.js';
