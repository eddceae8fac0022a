export type { HistoryTables } from '@sockudo/history-sql';
export {
  createMysqlHistoryStore,
  type MysqlHistoryStore,
  type MysqlHistoryStoreOptions,
  storedMysqlName,
} from './mysql-history-store.js';
