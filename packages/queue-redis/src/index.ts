export { type QueueKeys, queueKeys } from './queue-keys.js';
export type { RedisConnectionOptions } from './redis-connection.js';
export { createRedisQueue, type RedisQueueOptions } from './redis-queue.js';
