export type { RedisConnectionOptions } from '@sockudo/redis-connection';
export { type QueueKeys, queueKeys } from './queue-keys.js';
export { createRedisQueue, type RedisQueueOptions } from './redis-queue.js';
