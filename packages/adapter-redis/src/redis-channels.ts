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
  /** What a routing key's channel starts with: `${prefix}#r#` (the key follows as it is). */
  readonly routedPrefix: string;
}

/** The default prefix, the same as Rust Sockudo's `adapter.redis.prefix`. */
export const DEFAULT_REDIS_PREFIX = 'sockudo_adapter:';

/** `sockudo_adapter:#broadcast`, `sockudo_adapter:#requests`, `sockudo_adapter:#responses`. */
export function redisChannels(prefix: string): RedisChannels {
  return {
    broadcast: `${prefix}#broadcast`,
    requests: `${prefix}#requests`,
    responses: `${prefix}#responses`,
    routedPrefix: `${prefix}#r#`,
  };
}

/**
 * For a Redis Cluster the prefix of the three control channels is wrapped in a hash tag —
 * `{sockudo_adapter:}#broadcast` — so they hash to one slot; routing keys are `sockudo_adapter:#r#<key>`,
 * without a tag, so they spread over the cluster (a prefix with its own `{…}` would pin them to one
 * slot). With the tag, one shard (a master and its replicas) carries the control traffic under sharded
 * pub/sub, and one SSUBSCRIBE covers all three channels.
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
  // The routed channels carry no hash tag, so Redis spreads the keys over every slot and master.
  return { ...redisChannels(`{${prefix}}`), routedPrefix: `${prefix}#r#` };
}
