// The history backend from the configuration: memory, Redis (the shared `database.redis`, its own
// `history.redis.url_override`, or the shared cluster), or Rust Sockudo's history tables in the
// PostgreSQL or MySQL of `database.*`. Memory (also when neither history nor recovery is on) is
// core's default store, sized by the history settings.

import type { ConfigIssue } from '../config-issue.js';
import { canonicalDriver } from '../driver-names.js';
import type { ResolvedConfig } from '../resolved-config.js';
import { type HistoryPlan, secretsOf } from './plans.js';
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

const AVAILABLE = new Set(['memory', 'redis', 'redis-cluster', 'postgres', 'mysql']);

export function planHistory(config: ResolvedConfig, errors: ConfigIssue[]): HistoryPlan {
  const { history } = config;
  if (!history.enabled && !config.connection_recovery.enabled) return { driver: 'memory' };
  const driver = canonicalDriver(history.backend);
  if (!AVAILABLE.has(driver)) {
    errors.push({
      key: 'history.backend',
      message: `history.backend: ${history.backend} is not available yet; use memory, redis, redis-cluster, postgres or mysql`,
    });
    return { driver: 'memory' };
  }
  const retention = {
    retentionWindowSeconds: history.retention_window_seconds,
    ...(history.max_messages_per_channel !== undefined && {
      maxMessagesPerChannel: history.max_messages_per_channel,
    }),
    ...(history.max_bytes_per_channel !== undefined && { maxBytesPerChannel: history.max_bytes_per_channel }),
  };
  switch (driver) {
    case 'postgres':
    case 'mysql': {
      const connection = config.database[driver];
      const tables = history[driver];
      return {
        driver,
        options: {
          host: connection.host,
          port: connection.port,
          user: connection.username,
          password: connection.password,
          database: connection.database,
          pool: {
            min: connection.pool_min ?? 0,
            max: connection.pool_max ?? connection.connection_pool_size,
          },
          tablePrefix: tables.table_prefix,
          queryTimeoutMs: tables.write_timeout_ms,
          retention,
        },
        address: `${driver === 'mysql' ? 'MySQL' : 'PostgreSQL'} database "${connection.database}" at ${connection.host}:${connection.port}`,
        secrets: secretsOf(connection.password),
      };
    }
    case 'redis':
    case 'redis-cluster': {
      const { redis } = history;
      const prefix = redis.prefix;
      if (driver === 'redis-cluster' || redis.cluster_mode) {
        const seeds = sharedClusterSeeds(config);
        if (seeds.nodes.length === 0) {
          errors.push({
            key: 'history.backend',
            message:
              'history.backend: the Redis Cluster backend needs seed nodes; set database.redis.cluster.nodes (DATABASE_REDIS_CLUSTER_NODES) or adapter.cluster.nodes (REDIS_CLUSTER_NODES)',
          });
        }
        const auth = sharedClusterAuth(config);
        return {
          driver: 'redis-cluster',
          options: {
            nodes: ioredisNodes(seeds.nodes),
            ...(Object.keys(auth).length > 0 && { cluster: { redisOptions: auth } }),
            prefix,
            retention,
          },
          address: `Redis Cluster ${nodesAddress(seeds.nodes)}`,
          secrets: secretsOf(auth.password, ...nodesPasswords(seeds.nodes)),
        };
      }
      const url = redis.url_override ?? sharedRedisUrl(config);
      return {
        driver: 'redis',
        options: { url, prefix, retention },
        address: redisAddress(url),
        secrets: secretsOf(urlPassword(url)),
      };
    }
    default:
      return { driver: 'memory' };
  }
}
