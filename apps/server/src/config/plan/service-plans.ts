// The cache, queue and rate limiter from the configuration. Each Redis-backed one connects to its own
// `url_override` when it has one (cache, queue), else to the shared `database.redis` (REDIS_URL sets its
// URL); the redis-cluster drivers use the shared cluster seeds.

import type { ConfigIssue } from '../config-issue.js';
import { canonicalDriver, isPackageDriverName } from '../driver-names.js';
import type { ResolvedConfig } from '../resolved-config.js';
import { planPackageDriver } from './package-driver-plan.js';
import { type CachePlan, type QueuePlan, type RateLimiterPlan, secretsOf } from './plans.js';
import {
  ioredisNodes,
  nodesAddress,
  nodesPasswords,
  type RedisSeeds,
  redisAddress,
  sharedClusterAuth,
  sharedClusterSeeds,
  sharedRedisUrl,
  urlPassword,
} from './redis-settings.js';

type Role = 'cache' | 'queue' | 'rate_limiter';

/** Connection options and target of a Redis service driver: one URL, or cluster seeds. */
function connection(
  config: ResolvedConfig,
  role: Role,
  target: { url: string } | { seeds: RedisSeeds },
  errors: ConfigIssue[],
) {
  if ('url' in target) {
    return {
      connection: { url: target.url },
      address: redisAddress(target.url),
      secrets: secretsOf(urlPassword(target.url)),
    };
  }
  const { seeds } = target;
  if (seeds.nodes.length === 0) {
    errors.push({
      key: `${role}.driver`,
      message: `${role}.driver: the Redis Cluster driver needs seed nodes; set database.redis.cluster.nodes (DATABASE_REDIS_CLUSTER_NODES) or adapter.cluster.nodes (REDIS_CLUSTER_NODES)`,
    });
  }
  const auth = sharedClusterAuth(config);
  return {
    connection: {
      nodes: ioredisNodes(seeds.nodes),
      ...(Object.keys(auth).length > 0 && { cluster: { redisOptions: auth } }),
    },
    address: `Redis Cluster ${nodesAddress(seeds.nodes)}`,
    secrets: secretsOf(auth.password, ...nodesPasswords(seeds.nodes)),
  };
}

export function planCache(config: ResolvedConfig, errors: ConfigIssue[]): CachePlan {
  const driver = canonicalDriver(config.cache.driver);
  if (isPackageDriverName(driver)) return planPackageDriver(config, 'cache');
  if (driver === 'none') return { driver: 'none' };
  if (driver !== 'redis' && driver !== 'redis-cluster')
    return { driver: 'memory', maxEntries: config.cache.memory.max_capacity };
  const redis = config.cache.redis;
  const target =
    driver === 'redis-cluster' || redis.cluster_mode
      ? { seeds: sharedClusterSeeds(config) }
      : { url: redis.url_override ?? sharedRedisUrl(config) };
  const { connection: options, address, secrets } = connection(config, 'cache', target, errors);
  return { driver, options: { ...options, prefix: redis.prefix }, address, secrets };
}

export function planQueue(config: ResolvedConfig, errors: ConfigIssue[]): QueuePlan {
  const driver = canonicalDriver(config.queue.driver);
  if (isPackageDriverName(driver)) return planPackageDriver(config, 'queue');
  if (driver !== 'redis' && driver !== 'redis-cluster')
    return { driver: driver === 'none' ? 'none' : 'memory' };
  const { redis, redis_cluster: cluster } = config.queue;
  if (driver === 'redis-cluster') {
    const seeds: RedisSeeds =
      cluster.nodes !== undefined && cluster.nodes.length > 0
        ? { nodes: cluster.nodes, key: 'queue.redis_cluster.nodes' }
        : sharedClusterSeeds(config);
    const { connection: options, address, secrets } = connection(config, 'queue', { seeds }, errors);
    return {
      driver,
      options: {
        ...options,
        prefix: cluster.prefix ?? redis.prefix,
        concurrency: cluster.concurrency ?? redis.concurrency,
      },
      address,
      secrets,
    };
  }
  const target = redis.cluster_mode
    ? { seeds: sharedClusterSeeds(config) }
    : { url: redis.url_override ?? sharedRedisUrl(config) };
  const { connection: options, address, secrets } = connection(config, 'queue', target, errors);
  return {
    driver,
    options: { ...options, prefix: redis.prefix, concurrency: redis.concurrency },
    address,
    secrets,
  };
}

export function planRateLimiter(config: ResolvedConfig, errors: ConfigIssue[]): RateLimiterPlan {
  const driver = canonicalDriver(config.rate_limiter.driver);
  // Rust Sockudo's shipped config names redis with `enabled: false`; nothing may connect then.
  if (!config.rate_limiter.enabled) return { driver: 'memory' };
  if (isPackageDriverName(driver)) return planPackageDriver(config, 'rate_limiter');
  if (driver !== 'redis' && driver !== 'redis-cluster') return { driver: 'memory' };
  const target =
    driver === 'redis-cluster' ? { seeds: sharedClusterSeeds(config) } : { url: sharedRedisUrl(config) };
  const { connection: options, address, secrets } = connection(config, 'rate_limiter', target, errors);
  return { driver, options: { ...options, prefix: config.rate_limiter.redis.prefix }, address, secrets };
}
