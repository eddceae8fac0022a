// A fixed-window limiter in Redis: one atomic script per `consume`, so every Sockudo instance that
// shares the Redis shares the limit, with no read-then-write race between them.

import type { RateLimiterV1, RateLimitResult } from '@sockudo/core';
import {
  closeRedisConnection,
  openRedisConnection,
  type RedisConnectionOptions,
  withDeadline,
} from '@sockudo/redis-connection';

/** Options of {@link createRedisRateLimiter}: where Redis is, plus the key prefix. */
export interface RedisRateLimiterOptions extends RedisConnectionOptions {
  /** Key prefix. @default 'sockudo_rl:' (Rust Sockudo's) */
  prefix?: string;
}

// KEYS[1] = window key; ARGV = points, limit, window ms.
// Refuses without consuming when the points do not fit, so a rejected request costs nothing.
const CONSUME = `
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
local points = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then ttl = tonumber(ARGV[3]) end
if used + points > limit then
  return {0, limit - used, ttl}
end
used = redis.call('INCRBY', KEYS[1], points)
if used == points then redis.call('PEXPIRE', KEYS[1], ARGV[3]) end
return {1, limit - used, ttl}
`;

type WithConsume = {
  sockudoConsume(
    key: string,
    points: number,
    limit: number,
    windowMs: number,
  ): Promise<[number, number, number]>;
};

/**
 * Creates a {@link RateLimiterV1} backed by Redis or Redis Cluster.
 *
 * @example
 * ```ts
 * import { createServer } from '@sockudo/core';
 * import { createRedisRateLimiter } from '@sockudo/rate-limiter-redis';
 * createServer({ rateLimiter: createRedisRateLimiter({ url: 'redis://127.0.0.1:6379' }) });
 * ```
 */
export function createRedisRateLimiter(options: RedisRateLimiterOptions = {}): RateLimiterV1 {
  const prefix = options.prefix ?? 'sockudo_rl:';
  // A command waits at most a second while Redis is away, so waiting API requests stay bounded.
  const connection = openRedisConnection(options, 'sockudo-rate-limiter');
  const { client } = connection;
  client.defineCommand('sockudoConsume', { numberOfKeys: 1, lua: CONSUME });
  const scripted = client as unknown as WithConsume;

  return {
    specVersion: 1,
    async consume(key, points, limit, windowSeconds): Promise<RateLimitResult> {
      const windowMs = Math.max(1, Math.round(windowSeconds * 1000));
      const [allowed, remaining, ttlMs] = await scripted.sockudoConsume(
        `${prefix}${key}`,
        points,
        limit,
        windowMs,
      );
      return {
        allowed: allowed === 1,
        limit,
        remaining: Math.max(0, remaining),
        resetSeconds: Math.max(0, Math.ceil(ttlMs / 1000)),
      };
    },
    async checkHealth() {
      await withDeadline(client.ping(), 1000, 'PING');
    },
    async close() {
      await closeRedisConnection(connection);
    },
  };
}
