export { createRedisCache, type RedisCacheOptions } from './redis-cache.js';
export type { RedisConnectionOptions } from './redis-connection.js';
