// Opens (or adopts) an ioredis connection for a Sockudo driver (cache, queue, rate limiter), with settings
// that keep every command's wait bounded while Redis is away and never let a connection error crash
// the process.

import { Cluster, type ClusterNode, type ClusterOptions, Redis, type RedisOptions } from 'ioredis';

/** Where Redis is: a URL, Redis Cluster start-up nodes, or a ready client. */
export interface RedisConnectionOptions {
  /**
   * A `redis://[[user]:password@]host[:port][/db]` (or `rediss://` for TLS) URL. Ignored when `client`
   * or `nodes` is given.
   * @default 'redis://127.0.0.1:6379'
   */
  url?: string;
  /**
   * Redis Cluster start-up nodes (`'127.0.0.1:7000'` or `{ host, port }`); selects cluster mode.
   * Ignored when `client` is given.
   */
  nodes?: Array<string | ClusterNode>;
  /**
   * A ready ioredis client (standalone or Cluster) to use instead of opening a connection. It is
   * never closed by `close()`: its owner closes it.
   */
  client?: Redis | Cluster;
  /**
   * How long one command may wait (including while Redis is unreachable) before it rejects.
   * @default 1000
   */
  commandTimeoutMs?: number;
  /** More ioredis options for a standalone connection (password, tls, db, retryStrategy, …). */
  redis?: RedisOptions;
  /** More ioredis options for a cluster connection; `redisOptions` apply to each node. */
  cluster?: ClusterOptions;
}

/** An open client and whether it was opened here (and so is closed by `closeRedisConnection`). */
export interface RedisConnection {
  client: Redis | Cluster;
  owned: boolean;
}

/** Opens the connection `options` describe, or adopts `options.client`. */
export function openRedisConnection(
  options: RedisConnectionOptions,
  connectionName: string,
  defaultCommandTimeoutMs = 1000,
): RedisConnection {
  const commandTimeout = options.commandTimeoutMs ?? defaultCommandTimeoutMs;
  // A command fails after one reconnection attempt instead of ioredis's default twenty, and never
  // waits longer than commandTimeout: callers fail fast while Redis is down instead of piling up.
  const bounded: RedisOptions = { commandTimeout, maxRetriesPerRequest: 1, connectionName };
  let client: Redis | Cluster;
  if (options.client) {
    client = options.client;
  } else if (options.nodes && options.nodes.length > 0) {
    client = new Cluster(options.nodes, {
      ...options.cluster,
      redisOptions: { ...bounded, ...options.cluster?.redisOptions },
    });
  } else {
    client = new Redis(options.url ?? 'redis://127.0.0.1:6379', { ...bounded, ...options.redis });
  }
  // Connection errors surface as rejected commands and a failing checkHealth(), never as an
  // 'error' event without a listener (which would throw and end the process).
  client.on('error', () => {});
  return { client, owned: options.client === undefined };
}

/**
 * Rejects when `promise` has not settled within `ms`. ioredis bounds a standalone command with
 * `commandTimeout`, but a Cluster that is not ready queues commands with no deadline; this covers both.
 */
export function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Redis did not answer ${what} within ${ms} ms`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

/** Closes a connection that was opened (not adopted): QUIT (bounded), then a hard disconnect. */
export async function closeRedisConnection(connection: RedisConnection, timeoutMs = 1000): Promise<void> {
  if (!connection.owned) return;
  const { client } = connection;
  try {
    await withDeadline(client.quit(), timeoutMs, 'QUIT');
  } catch {
    // Unreachable or slow: drop the sockets; nothing of ours is waiting on them any more.
  } finally {
    client.disconnect();
  }
}
