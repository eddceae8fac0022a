// The config.json and environment S1 gives each of its `sockudo` nodes: one adapter driver, one routing
// mode, a prefix of this run only, and nothing else running that would spend CPU (metrics off).
import type { S1Options } from './s1-options.js';

/** The app every S1 node serves and every trigger and subscription is signed for. */
export const S1_APP = { id: 'app-id', key: 'app-key', secret: 'app-secret' } as const;

/** The config.json of every node (the port is 0: each node gets its own from the OS). */
export function s1NodeConfig(options: S1Options): Record<string, unknown> {
  return {
    host: '127.0.0.1',
    port: 0,
    // Stopping after the run should not take the default 10 s per node.
    shutdown_grace_period: 1,
    metrics: { enabled: false },
    adapter: {
      driver: options.driver,
      routing: options.routing,
      // A node that silently ran alone would lose its subscribers' events; better not to start.
      fallback_to_local: false,
      ...driverSettings(options),
    },
  };
}

/** The environment of every node, on top of PATH and HOME. */
export function s1NodeEnv(): Record<string, string> {
  return {
    SOCKUDO_DEFAULT_APP_ID: S1_APP.id,
    SOCKUDO_DEFAULT_APP_KEY: S1_APP.key,
    SOCKUDO_DEFAULT_APP_SECRET: S1_APP.secret,
    METRICS_ENABLED: 'false',
    // Every request comes from 127.0.0.1; no limit may throttle the generator.
    RATE_LIMITER_ENABLED: 'false',
  };
}

function driverSettings(options: S1Options): Record<string, unknown> {
  switch (options.driver) {
    case 'redis':
      return { redis: { prefix: `${options.prefix}:`, redis_pub_options: { url: options.redisUrl } } };
    case 'redis_cluster':
      return {
        cluster: {
          nodes: options.clusterNodes,
          prefix: `${options.prefix}:`,
          use_sharded_pubsub: options.shardedPubsub,
        },
      };
    case 'nats':
      return { nats: { servers: [options.natsUrl], prefix: options.prefix } };
    case 'rabbitmq':
      return { rabbitmq: { url: options.rabbitmqUrl, prefix: options.prefix } };
  }
}
