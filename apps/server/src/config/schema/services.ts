// The Redis-backed services: the cache of cache channels, the webhook queue and the rate limiter.

import { openSection } from './key-spec.js';
import {
  BOOLEAN,
  driverKeys,
  drivers,
  keyPrefixKey,
  NODES,
  POSITIVE,
  redisOverrideKeys,
  STRING,
} from './shapes.js';

export const CACHE = openSection('cache', 'Cache of cache channels.', [
  ...driverKeys('cache', {
    type: drivers(['memory', 'none', 'redis', 'redis-cluster', 'redis_cluster']),
    default: 'memory',
    env: ['CACHE_DRIVER'],
    description:
      'memory (per node), none (cache channels keep nothing), redis or redis-cluster (shared by every node; connection from database.redis).',
  }),
  openSection('redis', 'Settings of the redis cache drivers.', [
    keyPrefixKey('cache', 'sockudo_cache:'),
    ...redisOverrideKeys('cache'),
  ]),
  openSection('memory', 'Settings of the memory cache driver (one per node).', [
    {
      key: 'max_capacity',
      type: POSITIVE,
      default: 10_000,
      env: ['CACHE_MAX_CAPACITY'],
      description:
        "Most entries the node keeps: cache channels' last events and idempotency keys together; past it the least recently written go first (an evicted idempotency key lets a retry through, an evicted cache channel answers cache_miss). Raise it when more than this many idempotent publishes or cache channels are live within their TTLs.",
    },
    {
      key: 'ttl',
      type: POSITIVE,
      default: 300,
      description:
        'Accepted for compatibility: every entry here carries its own TTL (cache_ttl, the idempotency TTL).',
      applied: false,
    },
    {
      key: 'cleanup_interval',
      type: POSITIVE,
      default: 60,
      env: ['CACHE_CLEANUP_INTERVAL'],
      description:
        'Accepted for compatibility: expired entries are dropped when read or when the capacity is reached.',
      applied: false,
    },
  ]),
]);

export const QUEUE = openSection('queue', 'Queue that delivers webhooks.', [
  ...driverKeys('queue', {
    type: drivers(
      ['memory', 'sync', 'none', 'redis', 'redis-cluster', 'redis_cluster', 'sqs'],
      ['memory', 'sync', 'none', 'redis', 'redis-cluster', 'redis_cluster'],
    ),
    default: 'memory',
    env: ['QUEUE_DRIVER'],
    description:
      "memory (alias sync; per node, lost on restart), none (webhooks are not sent), redis or redis-cluster (durable, shared by every node; connection from database.redis); sqs is not available yet. (Rust Sockudo's code default is redis; its shipped config uses memory, as we do.)",
  }),
  openSection('redis', 'Settings of the redis queue driver.', [
    {
      key: 'concurrency',
      type: POSITIVE,
      default: 5,
      env: ['QUEUE_REDIS_CONCURRENCY'],
      description: 'Webhook jobs one node runs at the same time.',
    },
    keyPrefixKey('queue', 'sockudo_queue:', ['QUEUE_REDIS_PREFIX']),
    ...redisOverrideKeys('queue'),
  ]),
  openSection('redis_cluster', 'Settings of the redis-cluster queue driver.', [
    {
      key: 'nodes',
      type: NODES,
      description: 'Seed nodes (default database.redis.cluster.nodes).',
    },
    {
      key: 'prefix',
      type: STRING,
      env: ['REDIS_CLUSTER_QUEUE_PREFIX'],
      description: 'Prefix of every queue key (default queue.redis.prefix).',
    },
    {
      key: 'concurrency',
      type: POSITIVE,
      env: ['REDIS_CLUSTER_QUEUE_CONCURRENCY'],
      description: 'Webhook jobs one node runs at the same time (default queue.redis.concurrency).',
    },
  ]),
]);

export const RATE_LIMITER = openSection(
  'rate_limiter',
  'Where the per-app limits (max_backend_events_per_second, ...) are counted.',
  [
    {
      key: 'enabled',
      type: BOOLEAN,
      default: true,
      env: ['RATE_LIMITER_ENABLED'],
      description:
        'Use rate_limiter.driver; false counts in memory on each node. (Per-IP limits of the HTTP API and new WebSocket connections are not enforced in this release.)',
    },
    ...driverKeys('rate_limiter', {
      type: drivers(['memory', 'redis', 'redis-cluster', 'redis_cluster']),
      default: 'memory',
      env: ['RATE_LIMITER_DRIVER'],
      enabledBy: 'rate_limiter.enabled',
      description:
        'memory (each node counts alone), redis or redis-cluster (one count shared by every node; connection from database.redis).',
    }),
    openSection('redis', 'Settings of the redis rate limiters.', [
      keyPrefixKey('rate limiter', 'sockudo_rl:', ['RATE_LIMITER_REDIS_PREFIX']),
    ]),
  ],
);
