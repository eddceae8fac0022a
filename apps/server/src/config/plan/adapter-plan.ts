// The adapter's transport from the configuration. Each setting can come from three forms; the most
// specific wins: the short `redis_settings` / `redis_cluster_settings` / `nats_settings` form, then Rust
// Sockudo's `adapter.redis` / `adapter.cluster` / `adapter.nats` (which the environment variables set),
// then the shared `database.redis`.

import type { HorizontalAdapterOptions } from '@sockudo/core';
import type { ConfigIssue } from '../config-issue.js';
import { canonicalDriver, isPackageDriverName } from '../driver-names.js';
import type { RedisNode, ResolvedConfig } from '../resolved-config.js';
import { planPackageDriver } from './package-driver-plan.js';
import { type AdapterPlan, secretsOf } from './plans.js';
import {
  ioredisNodes,
  nodesAddress,
  nodesPasswords,
  redisAddress,
  sharedClusterAuth,
  sharedClusterSeeds,
  sharedRedisUrl,
  urlPassword,
} from './redis-settings.js';

/** How long a Redis transport keeps trying to connect at start (Rust Sockudo has no key for it). */
export const REDIS_CONNECT_TIMEOUT_MS = 5000;

/** The URL of the redis adapter: `redis_settings.dsn` > `redis.redis_pub_options.url` (REDIS_URL) > `database.redis`. */
export function adapterRedisUrl(config: ResolvedConfig): { url: string; key: string } {
  const dsn = config.adapter.redis_settings?.dsn;
  if (dsn !== undefined) return { url: dsn, key: 'adapter.redis_settings.dsn' };
  const pubUrl = config.adapter.redis.redis_pub_options.url;
  if (typeof pubUrl === 'string' && pubUrl !== '')
    return { url: pubUrl, key: 'adapter.redis.redis_pub_options.url' };
  return { url: sharedRedisUrl(config), key: 'database.redis' };
}

/** Seed nodes of the redis-cluster adapter: `redis_cluster_settings.dsns` > `cluster.nodes` > `database.redis`. */
export function adapterClusterSeeds(config: ResolvedConfig): { nodes: RedisNode[]; key: string } {
  const dsns = config.adapter.redis_cluster_settings?.dsns;
  if (dsns !== undefined && dsns.length > 0)
    return { nodes: dsns, key: 'adapter.redis_cluster_settings.dsns' };
  if (config.adapter.cluster.nodes.length > 0)
    return { nodes: config.adapter.cluster.nodes, key: 'adapter.cluster.nodes' };
  return sharedClusterSeeds(config);
}

/** NATS subject prefixes are dot-separated tokens without wildcards or whitespace. */
function natsPrefixProblem(prefix: string): boolean {
  return prefix
    .split('.')
    .some((token) => token === '' || token === '*' || token === '>' || /\s/.test(token));
}

export function planAdapter(config: ResolvedConfig, errors: ConfigIssue[]): AdapterPlan {
  const driver = canonicalDriver(config.adapter.driver);
  const { cluster_health: health } = config.adapter;
  const common = {
    fallbackToLocal: config.adapter.fallback_to_local,
  };
  const horizontal = (requestTimeoutMs?: number): HorizontalAdapterOptions => ({
    ...(config.instance.process_id !== undefined && { nodeId: config.instance.process_id }),
    ...(requestTimeoutMs !== undefined && { requestTimeoutMs }),
    heartbeatIntervalMs: health.heartbeat_interval_ms,
    nodeTimeoutMs: health.node_timeout_ms,
    routing: config.adapter.routing,
    interestLingerMs: config.adapter.interest_linger_ms,
    interestBatchMs: config.adapter.interest_batch_ms,
  });
  if (driver === 'rabbitmq') {
    const { rabbitmq } = config.adapter;
    return {
      ...common,
      driver,
      transport: 'rabbitmq',
      options: {
        url: rabbitmq.url,
        prefix: rabbitmq.prefix,
        connectionTimeoutMs: rabbitmq.connection_timeout_ms,
      },
      horizontal: horizontal(rabbitmq.request_timeout_ms),
      address: rabbitmq.url.replace(/\/\/[^@/]*@/, '//'),
      secrets: secretsOf(urlPassword(rabbitmq.url)),
    };
  }
  if (driver !== 'redis' && driver !== 'redis-cluster' && driver !== 'nats') {
    if (!isPackageDriverName(driver)) return { driver: 'local' };
    // A package transport goes through the same HorizontalAdapter; core's request timeout applies.
    return { ...planPackageDriver(config, 'adapter'), ...common, horizontal: horizontal() };
  }

  if (driver === 'redis') {
    const { url } = adapterRedisUrl(config);
    const prefix = config.adapter.redis_settings?.prefix ?? config.adapter.redis.prefix;
    const requestTimeoutMs = config.adapter.redis.requests_timeout;
    if (config.adapter.redis.cluster_mode) {
      // Rust Sockudo's `cluster_mode`: the one URL is a seed of a Redis Cluster.
      return {
        ...common,
        driver,
        transport: 'redis-cluster',
        options: { nodes: [url], prefix, connectTimeoutMs: REDIS_CONNECT_TIMEOUT_MS },
        horizontal: horizontal(requestTimeoutMs),
        address: `Redis Cluster ${redisAddress(url)}`,
        secrets: secretsOf(urlPassword(url)),
      };
    }
    return {
      ...common,
      driver,
      transport: 'redis',
      options: { url, prefix, connectTimeoutMs: REDIS_CONNECT_TIMEOUT_MS },
      horizontal: horizontal(requestTimeoutMs),
      address: redisAddress(url),
      secrets: secretsOf(urlPassword(url)),
    };
  }

  if (driver === 'redis-cluster') {
    const seeds = adapterClusterSeeds(config);
    if (seeds.nodes.length === 0) {
      errors.push({
        key: 'adapter.cluster.nodes',
        message:
          'adapter.cluster.nodes: the redis-cluster adapter needs seed nodes; set adapter.cluster.nodes (REDIS_CLUSTER_NODES), adapter.redis_cluster_settings.dsns or database.redis.cluster.nodes',
      });
    }
    const auth = sharedClusterAuth(config);
    const prefix = config.adapter.redis_cluster_settings?.prefix ?? config.adapter.cluster.prefix;
    return {
      ...common,
      driver,
      transport: 'redis-cluster',
      options: {
        nodes: ioredisNodes(seeds.nodes),
        prefix,
        shardedPubsub: config.adapter.cluster.use_sharded_pubsub,
        connectTimeoutMs: REDIS_CONNECT_TIMEOUT_MS,
        ...(Object.keys(auth).length > 0 && { ioredis: { redisOptions: auth } }),
      },
      horizontal: horizontal(config.adapter.cluster.request_timeout_ms),
      address: `Redis Cluster ${nodesAddress(seeds.nodes)}`,
      secrets: secretsOf(auth.password, ...nodesPasswords(seeds.nodes)),
    };
  }

  const nats = config.adapter.nats;
  const settings = config.adapter.nats_settings;
  const servers = settings?.url !== undefined ? [settings.url] : nats.servers;
  const prefixKey =
    settings?.subject_prefix !== undefined ? 'adapter.nats_settings.subject_prefix' : 'adapter.nats.prefix';
  const prefix = settings?.subject_prefix ?? nats.prefix;
  if (servers.length === 0) {
    errors.push({
      key: 'adapter.nats.servers',
      message:
        'adapter.nats.servers: the nats adapter needs at least one server URL (or adapter.nats_settings.url)',
    });
  }
  if (natsPrefixProblem(prefix)) {
    errors.push({
      key: prefixKey,
      message: `${prefixKey}: ${JSON.stringify(prefix)} is not a NATS subject prefix (dot-separated tokens, no *, > or whitespace)`,
    });
  }
  return {
    ...common,
    driver,
    transport: 'nats',
    options: {
      servers,
      prefix,
      connectTimeoutMs: nats.connection_timeout_ms,
      ...(nats.username !== undefined &&
        nats.username !== '' && { user: nats.username, pass: nats.password ?? '' }),
      ...(nats.token !== undefined && nats.token !== '' && { token: nats.token }),
    },
    horizontal: horizontal(nats.request_timeout_ms),
    address: servers.map((server) => server.replace(/\/\/[^@/]*@/, '//')).join(', '),
    secrets: secretsOf(nats.password, nats.token, ...servers.map(urlPassword)),
  };
}
