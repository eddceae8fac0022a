// The `redis_cluster` adapter driver: the same three channels over a Redis Cluster, with classic
// pub/sub (every message crosses the cluster bus to every node) or sharded pub/sub (Redis ≥ 7: the
// messages stay on the one shard that owns the channels' slot). Routing keys are channels of their own
// without a hash tag; with sharded pub/sub each lives on the shard of its slot, so the keys — and the
// publishes — spread over every master.

import { ConfigError, type Logger, silentLogger, type TransportV2, withTimeout } from '@sockudo/core';
import { Cluster, type ClusterNode, type ClusterOptions, Command, type Redis } from 'ioredis';
import { cappedBackoff, createPubSubTransport } from './pubsub-transport.js';
import { DEFAULT_REDIS_PREFIX, redisClusterChannels } from './redis-channels.js';

/** Options of {@link createRedisClusterTransport}. */
export interface RedisClusterTransportOptions {
  /**
   * Some of the cluster's nodes, to discover the rest from: `'127.0.0.1:7000'`,
   * `'redis://127.0.0.1:7000'` or `{ host: '127.0.0.1', port: 7000 }`.
   */
  nodes: ReadonlyArray<string | { host: string; port: number }>;
  /**
   * Wrapped in a hash tag and prepended to the channel names (`{${prefix}}#broadcast`, `#requests`,
   * `#responses`) so all three hash to one slot. Must be non-empty and not start with `}`.
   * @default 'sockudo_adapter:'
   */
  prefix?: string;
  /**
   * Use sharded pub/sub (`SPUBLISH`/`SSUBSCRIBE`, Redis ≥ 7): messages stay on the shard that owns
   * the channels' slot instead of being copied to every node of the Redis Cluster. All Sockudo nodes
   * of one cluster must agree on this.
   * @default false
   */
  shardedPubsub?: boolean;
  /**
   * More ioredis Cluster options (`redisOptions` with password/tls, `natMap`, `clusterRetryStrategy`,
   * …). The transport overrides `lazyConnect`, `keyPrefix`, `enableOfflineQueue`,
   * `shardedSubscribers` and, on the publisher, `redisOptions.commandTimeout`.
   * @default { clusterRetryStrategy: 100 ms doubling to at most 1 s, forever }
   */
  ioredis?: ClusterOptions;
  /** How long `start()` waits for both connections and the subscription before it rejects. @default 10000 */
  connectTimeoutMs?: number;
  /** How long `checkHealth()` waits for the master of the channels' slot to answer. @default 1000 */
  healthCheckTimeoutMs?: number;
  /** A publish that Redis has not acknowledged within this long rejects. @default 2000 */
  publishTimeoutMs?: number;
  /** Where connection loss and recovery are reported. @default silent */
  logger?: Logger;
}

/**
 * A {@link TransportV2} over a Redis Cluster. Routing keys are channels `${prefix}#r#<key>` (no hash
 * tag): with `shardedPubsub` they are SSUBSCRIBEd on, and SPUBLISHed to, the master of their slot.
 *
 * @example
 * ```ts
 * const transport = createRedisClusterTransport({
 *   nodes: ['127.0.0.1:7000', '127.0.0.1:7001', '127.0.0.1:7002'],
 *   shardedPubsub: true,
 * });
 * ```
 */
export function createRedisClusterTransport(options: RedisClusterTransportOptions): TransportV2 {
  if (!Array.isArray(options?.nodes) || options.nodes.length === 0) {
    throw new ConfigError('redis cluster transport: `nodes` must list at least one cluster node', {
      key: 'nodes',
    });
  }
  const sharded = options.shardedPubsub ?? false;
  const channels = redisClusterChannels(options.prefix ?? DEFAULT_REDIS_PREFIX);
  const nodes = options.nodes.map((node) => (typeof node === 'string' ? node : { ...node })) as ClusterNode[];
  const publishTimeoutMs = options.publishTimeoutMs ?? 2000;
  const healthCheckTimeoutMs = options.healthCheckTimeoutMs ?? 1000;
  const shared: ClusterOptions = {
    clusterRetryStrategy: cappedBackoff,
    ...options.ioredis,
    redisOptions: { connectionName: 'sockudo', ...options.ioredis?.redisOptions, keyPrefix: undefined },
    keyPrefix: undefined,
    lazyConnect: true,
  };
  const publisher = new Cluster(nodes, {
    ...shared,
    // The transport itself refuses to publish unless the cluster is ready, so nothing queues while it
    // is unreachable. The queue stays on because with it off ioredis fails commands to a node whose
    // connection is still opening over to a random node, which reorders them.
    enableOfflineQueue: true,
    shardedSubscribers: false,
    redisOptions: { ...shared.redisOptions, commandTimeout: publishTimeoutMs },
  });
  const subscriber = new Cluster(nodes, {
    ...shared,
    enableOfflineQueue: true, // only the one (S)SUBSCRIBE waits here
    // One connection per master that owns a subscribed slot, re-established and re-subscribed by
    // ioredis after a failover or a slot move.
    shardedSubscribers: sharded,
  });

  // NUMSUB/SHARDNUMSUB count one node's subscribers only; every Sockudo node subscribes on exactly one
  // Redis node, so the sum over all of them is the number of Sockudo nodes.
  const countSubscribers = async (subcommand: 'NUMSUB' | 'SHARDNUMSUB') => {
    const counts = await Promise.all(
      publisher
        .nodes('all')
        .map(
          (node: Redis) => node.call('PUBSUB', subcommand, channels.requests) as Promise<[string, number]>,
        ),
    );
    return counts.reduce((sum, reply) => sum + Number(reply[1]), 0);
  };

  const slotOf = (channel: string) => new Command('ssubscribe', [channel]).getSlot();
  const bySlot = (names: string[]) => {
    const groups = new Map<number | null, string[]>();
    for (const name of names) {
      const slot = slotOf(name);
      const group = groups.get(slot);
      if (group) group.push(name);
      else groups.set(slot, [name]);
    }
    return groups;
  };
  const inBatches = async (names: string[], command: (batch: string[]) => Promise<unknown>) => {
    const batches: Array<Promise<unknown>> = [];
    for (let i = 0; i < names.length; i += 1000) batches.push(command(names.slice(i, i + 1000)));
    await Promise.all(batches);
  };

  // Classic PUBLISH has no key, so ioredis would send each one to a random node and the cluster bus
  // could deliver them out of order. Pinning them to the master of the channels' slot keeps one
  // node's messages in order (as SPUBLISH, which is routed by its channel, does by itself).
  const slot = new Command('spublish', [channels.broadcast]).getSlot();
  const publishPinned = (channel: string, payload: string) => {
    const command = new Command('publish', [channel, payload], { replyEncoding: 'utf8' });
    publisher.sendCommand(command, undefined, { slot });
    return command.promise;
  };

  return createPubSubTransport({
    name: sharded ? 'RedisClusterTransport(sharded)' : 'RedisClusterTransport',
    publisher,
    subscriber,
    channels,
    messageEvent: sharded ? 'smessage' : 'message',
    subscribe: (names) => (sharded ? subscriber.ssubscribe(...names) : subscriber.subscribe(...names)),
    publish: (channel, payload) =>
      sharded ? publisher.spublish(channel, payload) : publishPinned(channel, payload),
    routed: sharded
      ? {
          messageEvent: 'smessage',
          // SSUBSCRIBE takes channels of one slot only: one command per slot, all in flight at once.
          subscribe: (names) =>
            Promise.all([...bySlot(names).values()].map((group) => subscriber.ssubscribe(...group))),
          unsubscribe: (names) =>
            Promise.all([...bySlot(names).values()].map((group) => subscriber.sunsubscribe(...group))),
          publish: (channel, payload) => publisher.spublish(channel, payload),
        }
      : {
          // Classic pub/sub on a cluster: one subscriber connection, every PUBLISH copied to every
          // Redis node over the bus; routing still spares the Sockudo nodes the events they do not want.
          messageEvent: 'message',
          subscribe: (names) => inBatches(names, (batch) => subscriber.subscribe(...batch)),
          unsubscribe: (names) => inBatches(names, (batch) => subscriber.unsubscribe(...batch)),
          publish: (channel, payload) => publishPinned(channel, payload),
        },
    // ioredis re-subscribes sharded channels after a failover or slot move by itself, but does not say
    // when it is done; the transport re-subscribes everything (idempotent) once the subscribers are ready.
    watchSubscriber: (lost, ready) => {
      subscriber.on('close', lost);
      subscriber.on('ready', ready);
      if (sharded) {
        subscriber.on('-subscriber', lost);
        subscriber.on('-node', lost);
        subscriber.on('subscribersReady', ready);
      }
    },
    nodeCount: () =>
      withTimeout(
        countSubscribers(sharded ? 'SHARDNUMSUB' : 'NUMSUB'),
        healthCheckTimeoutMs,
        () => new Error(`PUBSUB ${sharded ? 'SHARDNUMSUB' : 'NUMSUB'} timed out`),
      ),
    // Reading a key of the channels' slot checks the master that carries this cluster's messages,
    // where a plain PING would go to any node.
    ping: () => publisher.exists(channels.broadcast),
    connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
    healthCheckTimeoutMs,
    logger: options.logger ?? silentLogger,
  });
}
