export type { RedisConnectionOptions } from '@sockudo/redis-connection';
export { type HistoryKeys, historyKeys } from './history-keys.js';
export { createRedisHistoryStore, type RedisHistoryStoreOptions } from './redis-history-store.js';
