// The `redis` adapter driver: Sockudo nodes exchange broadcasts, requests and responses over Redis
// pub/sub (PUBLISH/SUBSCRIBE) on one Redis server, and channel and user events on one pub/sub channel
// per routing key that only the interested nodes subscribe to; two connections per node.

import { type Logger, silentLogger, type TransportV2 } from '@sockudo/core';
import { Redis, type RedisOptions } from 'ioredis';
import { cappedBackoff, createPubSubTransport } from './pubsub-transport.js';
import { DEFAULT_REDIS_PREFIX, redisChannels } from './redis-channels.js';

/** Routed channels per SUBSCRIBE/UNSUBSCRIBE command. */
const SUBSCRIBE_BATCH = 1000;

/** Options of {@link createRedisTransport}. */
export interface RedisTransportOptions {
  /**
   * Where Redis is, as a `redis://[[user]:password@]host[:port][/db]` (or `rediss://` for TLS) URL.
   * Ignored when `client` is given.
   * @default 'redis://127.0.0.1:6379'
   */
  url?: string;
  /**
   * A ready ioredis client to copy the connection settings from. It is duplicated twice (a publisher
   * and a subscriber) and never used or closed itself.
   */
  client?: Redis;
  /**
   * Prepended to the channel names (`${prefix}#broadcast`, `#requests`, `#responses`, and
   * `${prefix}#r#<routing key>`). Nodes with the same prefix form one cluster; use another prefix to run a second cluster on the same Redis.
   * @default 'sockudo_adapter:'
   */
  prefix?: string;
  /**
   * More ioredis options (password, tls, db, connectTimeout, retryStrategy, …), applied to both
   * connections. The transport overrides those its fault behaviour depends on: `lazyConnect`,
   * `keyPrefix` (channel names use `prefix`), and on the publisher `enableOfflineQueue: false`,
   * `maxRetriesPerRequest: 0`, `autoResendUnfulfilledCommands: false`, `commandTimeout`.
   * @default { retryStrategy: 100 ms doubling to at most 1 s, forever }
   */
  ioredis?: RedisOptions;
  /** How long `start()` waits for both connections and the subscription before it rejects. @default 10000 */
  connectTimeoutMs?: number;
  /** How long `checkHealth()` waits for PONG. @default 1000 */
  healthCheckTimeoutMs?: number;
  /** A publish that Redis has not acknowledged within this long rejects. @default 2000 */
  publishTimeoutMs?: number;
  /** Where connection loss and recovery are reported. @default silent */
  logger?: Logger;
}

/**
 * A {@link TransportV2} over Redis pub/sub, for `createServer({ transport })` or
 * `new HorizontalAdapter(local, transport)`. Routing keys are channels `${prefix}#r#<key>`.
 *
 * @example
 * ```ts
 * import { createServer } from '@sockudo/core';
 * import { createRedisTransport } from '@sockudo/adapter-redis';
 * const server = createServer({ transport: createRedisTransport({ url: 'redis://127.0.0.1:6379' }) });
 * ```
 */
export function createRedisTransport(options: RedisTransportOptions = {}): TransportV2 {
  const prefix = options.prefix ?? DEFAULT_REDIS_PREFIX;
  const channels = redisChannels(prefix);
  const shared: RedisOptions = {
    retryStrategy: cappedBackoff,
    connectionName: 'sockudo',
    ...options.ioredis,
    lazyConnect: true,
    keyPrefix: undefined,
  };
  const publisherOptions: RedisOptions = {
    ...shared,
    // While Redis is unreachable a publish rejects at once (the HorizontalAdapter logs it) rather than
    // queueing without bound, and one already sent when the connection drops is failed, not resent.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    commandTimeout: options.publishTimeoutMs ?? 2000,
  };
  const subscriberOptions: RedisOptions = {
    ...shared,
    // Only SUBSCRIBE is ever queued here, so the offline queue stays tiny; it lets start() wait for
    // the first connection. ioredis's own re-subscribe leaves its promise unhandled (an unhandled
    // rejection if the connection drops again before the reply), so the transport re-subscribes.
    enableOfflineQueue: true,
    autoResubscribe: false,
    maxRetriesPerRequest: null,
    commandTimeout: undefined,
  };
  const url = options.url ?? 'redis://127.0.0.1:6379';
  const publisher = options.client
    ? options.client.duplicate(publisherOptions)
    : new Redis(url, publisherOptions);
  const subscriber = options.client
    ? options.client.duplicate(subscriberOptions)
    : new Redis(url, subscriberOptions);

  const logger = options.logger ?? silentLogger;
  // Redis takes any number of channels per SUBSCRIBE; a bounded batch keeps one reply from growing
  // without limit when a node restores tens of thousands of keys.
  const inBatches = async (names: string[], command: (...names: string[]) => Promise<unknown>) => {
    const batches: Array<Promise<unknown>> = [];
    for (let i = 0; i < names.length; i += SUBSCRIBE_BATCH)
      batches.push(command(...names.slice(i, i + SUBSCRIBE_BATCH)));
    await Promise.all(batches);
  };

  return createPubSubTransport({
    name: 'RedisTransport',
    publisher,
    subscriber,
    channels,
    messageEvent: 'message',
    subscribe: (names) => subscriber.subscribe(...names),
    publish: (channel, payload) => publisher.publish(channel, payload),
    routed: {
      messageEvent: 'message',
      subscribe: (names) => inBatches(names, (...batch) => subscriber.subscribe(...batch)),
      unsubscribe: (names) => inBatches(names, (...batch) => subscriber.unsubscribe(...batch)),
      publish: (channel, payload) => publisher.publish(channel, payload),
    },
    // Every node's subscriber listens on the requests channel exactly once.
    async nodeCount() {
      const reply = (await publisher.pubsub('NUMSUB', channels.requests)) as [string, number];
      return Number(reply[1]);
    },
    connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
    healthCheckTimeoutMs: options.healthCheckTimeoutMs ?? 1000,
    logger,
  });
}
