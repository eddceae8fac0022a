export {
  DEFAULT_REDIS_PREFIX,
  type RedisChannels,
  redisChannels,
  redisClusterChannels,
} from './redis-channels.js';
export { createRedisClusterTransport, type RedisClusterTransportOptions } from './redis-cluster-transport.js';
export { createRedisTransport, type RedisTransportOptions } from './redis-transport.js';
