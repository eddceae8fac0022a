export type { RedisConnectionOptions } from '@sockudo/redis-connection';
export { createRedisCache, type RedisCacheOptions } from './redis-cache.js';
