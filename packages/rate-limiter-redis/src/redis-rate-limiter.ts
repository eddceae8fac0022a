// A fixed-window limiter in Redis: one atomic script per `consume`, so every Sockudo instance that
// shares the Redis shares the limit, with no read-then-write race between them.

import type { RateLimiterV1, RateLimitResult } from '@sockudo/core';
import { Cluster, type ClusterNode, type ClusterOptions, Redis, type RedisOptions } from 'ioredis';

/** Options of {@link createRedisRateLimiter}. */
export interface RedisRateLimiterOptions {
  /** A Redis URL, e.g. `redis://127.0.0.1:6379/0`. Ignored when `client` or `nodes` is given. */
  url?: string;
  /** Redis Cluster start-up nodes; selects cluster mode. */
  nodes?: Array<string | ClusterNode>;
  /** A ready ioredis client (standalone or Cluster); it is not closed by `close()`. */
  client?: Redis | Cluster;
  /** Key prefix. @default 'sockudo_rl:' (Rust Sockudo's) */
  prefix?: string;
  /** Extra ioredis options. */
  redis?: RedisOptions;
  cluster?: ClusterOptions;
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
  const owned = options.client === undefined;
  const client =
    options.client ??
    (options.nodes
      ? new Cluster(options.nodes, {
          ...options.cluster,
          redisOptions: { commandTimeout: 1000, maxRetriesPerRequest: 1, ...options.cluster?.redisOptions },
        })
      : // A command waits at most a second while Redis is away, so waiting requests stay bounded.
        new Redis(options.url ?? 'redis://127.0.0.1:6379', {
          commandTimeout: 1000,
          maxRetriesPerRequest: 1,
          ...options.redis,
        }));
  client.on('error', () => {}); // reported through consume() rejections and checkHealth(), never as a crash
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
      await client.ping();
    },
    async close() {
      if (owned) await client.quit().catch(() => client.disconnect());
    },
  };
}
