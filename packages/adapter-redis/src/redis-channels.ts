// The three pub/sub channels one cluster of Sockudo nodes shares. Nodes with the same prefix form one
// cluster; different prefixes on one Redis are fully isolated from each other.

import { ConfigError } from '@sockudo/core';

/** The pub/sub channel names a Redis transport publishes to and subscribes to. */
export interface RedisChannels {
  /** Broadcasts to every node: `${prefix}#broadcast`. */
  readonly broadcast: string;
  /** Requests to every node (and node heartbeats): `${prefix}#requests`. */
  readonly requests: string;
  /** Answers to requests: `${prefix}#responses`. */
  readonly responses: string;
}

/** The default prefix, the same as Rust Sockudo's `adapter.redis.prefix`. */
export const DEFAULT_REDIS_PREFIX = 'sockudo_adapter:';

/** `sockudo_adapter:#broadcast`, `sockudo_adapter:#requests`, `sockudo_adapter:#responses`. */
export function redisChannels(prefix: string): RedisChannels {
  return {
    broadcast: `${prefix}#broadcast`,
    requests: `${prefix}#requests`,
    responses: `${prefix}#responses`,
  };
}

/**
 * For a Redis Cluster the prefix is wrapped in a hash tag — `{sockudo_adapter:}#broadcast` — so all
 * three channels hash to one slot: with sharded pub/sub one shard (a master and its replicas) carries a
 * cluster's traffic, and one SSUBSCRIBE covers all three channels.
 */
export function redisClusterChannels(prefix: string): RedisChannels {
  // Redis hashes the text between the first `{` and the next `}`; if that is empty it hashes the whole
  // name, which would spread the three channels over different slots.
  if (prefix === '' || prefix.startsWith('}')) {
    throw new ConfigError(
      `redis cluster transport: prefix ${JSON.stringify(prefix)} cannot be a hash tag; use a non-empty prefix that does not start with "}"`,
      { key: 'prefix' },
    );
  }
  return redisChannels(`{${prefix}}`);
}
