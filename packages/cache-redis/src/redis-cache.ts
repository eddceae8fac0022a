// The `redis` / `redis-cluster` cache driver: cache channels and the app cache shared by every Sockudo
// instance that uses the same Redis. Each entry is one plain string key, so keys are independent and
// spread over a Redis Cluster's slots without hash tags.

import type { CacheV1 } from '@sockudo/core';
import {
  closeRedisConnection,
  openRedisConnection,
  type RedisConnectionOptions,
  withDeadline,
} from '@sockudo/redis-connection';

/** Options of {@link createRedisCache}. */
export interface RedisCacheOptions extends RedisConnectionOptions {
  /**
   * Prepended to every key, e.g. `sockudo_cache:app:1:channel:cache-news:cache_miss`. Instances with
   * the same prefix share entries; another prefix keeps a second deployment apart on the same Redis.
   * @default 'sockudo_cache:' (Rust Sockudo's)
   */
  prefix?: string;
}

/**
 * Creates a {@link CacheV1} backed by Redis or Redis Cluster, for `createServer({ cache })`.
 *
 * @example
 * ```ts
 * import { createServer } from '@sockudo/core';
 * import { createRedisCache } from '@sockudo/cache-redis';
 * const server = createServer({ cache: createRedisCache({ url: 'redis://127.0.0.1:6379' }) });
 * ```
 */
export function createRedisCache(options: RedisCacheOptions = {}): CacheV1 {
  const prefix = options.prefix ?? 'sockudo_cache:';
  const timeoutMs = options.commandTimeoutMs ?? 1000;
  const connection = openRedisConnection(options, 'sockudo-cache');
  const { client } = connection;
  // A little beyond ioredis's own commandTimeout, so its more specific error normally wins.
  const bounded = <T>(promise: Promise<T>, what: string) => withDeadline(promise, timeoutMs + 250, what);

  return {
    specVersion: 1,
    async get(key) {
      const value = await bounded(client.get(prefix + key), 'GET');
      return value ?? undefined;
    },
    async set(key, value, ttlSeconds) {
      const ms = ttlSeconds !== undefined && ttlSeconds > 0 ? Math.max(1, Math.round(ttlSeconds * 1000)) : 0;
      await bounded(
        ms > 0 ? client.set(prefix + key, value, 'PX', ms) : client.set(prefix + key, value),
        'SET',
      );
    },
    // SET NX is one command, so Redis (or the Cluster slot owner) decides the race: one caller wins.
    async setIfAbsent(key, value, ttlSeconds) {
      const ms = Math.max(1000, Math.ceil(ttlSeconds) * 1000);
      const reply = await bounded(client.set(prefix + key, value, 'PX', ms, 'NX'), 'SET NX');
      return reply === 'OK';
    },
    async delete(key) {
      await bounded(client.del(prefix + key), 'DEL');
    },
    async ttl(key) {
      const ms = await bounded(client.pttl(prefix + key), 'PTTL');
      if (ms === -2) return undefined; // no such key
      if (ms === -1) return -1; // no expiry
      return Math.ceil(ms / 1000);
    },
    async checkHealth() {
      await bounded(client.ping(), 'PING');
    },
    async close() {
      await closeRedisConnection(connection);
    },
  };
}
