export {
  closeRedisConnection,
  openRedisConnection,
  type RedisConnection,
  type RedisConnectionOptions,
  withDeadline,
} from './redis-connection.js';
