export type { HistoryTables } from '@sockudo/history-sql';
export {
  createPostgresHistoryStore,
  type PostgresHistoryStore,
  type PostgresHistoryStoreOptions,
} from './postgres-history-store.js';
