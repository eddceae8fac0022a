// Where the Redis-backed drivers connect, worked out from Rust Sockudo's keys: `database.redis` is the
// Redis every driver shares unless it names its own URL or seed nodes.

import type { RedisNode, ResolvedConfig } from '../resolved-config.js';

/** ioredis authentication for cluster nodes whose seed entries carry none. */
export interface RedisAuth {
  username?: string;
  password?: string;
}

/** Seed nodes and where they came from (the key an error should name). */
export interface RedisSeeds {
  nodes: RedisNode[];
  /** The config key the nodes were read from. */
  key: string;
}

function hostForUrl(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/**
 * The URL of `database.redis`: its `url` (REDIS_URL sets it), else one built from host, port, db,
 * username and password as Rust Sockudo's `RedisConnection::to_url` does (a host may carry its own
 * `redis://` or `rediss://` scheme).
 */
export function sharedRedisUrl(config: ResolvedConfig): string {
  const redis = config.database.redis;
  if (redis.url !== undefined && redis.url !== '') return redis.url;
  let scheme = 'redis://';
  let host = redis.host;
  const schemeMatch = /^(rediss?:\/\/)(.*)$/i.exec(host);
  if (schemeMatch) {
    scheme = schemeMatch[1]!.toLowerCase();
    host = schemeMatch[2]!;
  }
  let auth = '';
  const password = redis.password !== undefined && redis.password !== '' ? redis.password : undefined;
  const username = redis.username !== undefined && redis.username !== '' ? redis.username : undefined;
  if (username !== undefined) {
    auth = `${encodeURIComponent(username)}${password !== undefined ? `:${encodeURIComponent(password)}` : ''}@`;
  } else if (password !== undefined) {
    auth = `:${encodeURIComponent(password)}@`;
  }
  return `${scheme}${auth}${hostForUrl(host)}:${redis.port}/${redis.db}`;
}

/** A Redis URL without its credentials, for messages: `redis://127.0.0.1:6379/0`. */
export function redisAddress(url: string): string {
  try {
    const parsed = new URL(url);
    const port = parsed.port === '' ? '6379' : parsed.port;
    const db = parsed.pathname.replace(/^\//, '');
    return `${parsed.protocol}//${parsed.hostname}:${port}${db === '' ? '' : `/${db}`}`;
  } catch {
    return '(an invalid Redis URL)';
  }
}

/** The password inside a URL, decoded, so errors can be scrubbed of it. */
export function urlPassword(url: string): string | undefined {
  try {
    const password = new URL(url).password;
    return password === '' ? undefined : decodeURIComponent(password);
  } catch {
    return undefined;
  }
}

/** Seed nodes without credentials, for messages: `127.0.0.1:7000, 127.0.0.1:7001`. */
export function nodesAddress(nodes: readonly RedisNode[]): string {
  return nodes
    .map((node) => {
      if (typeof node !== 'string') return `${node.host}:${node.port ?? 6379}`;
      return /^rediss?:\/\//i.test(node) ? redisAddress(node).replace(/\/\d*$/, '') : node;
    })
    .join(', ');
}

/** Seed nodes as ioredis takes them: strings as they are, objects with a numeric port. */
export function ioredisNodes(nodes: readonly RedisNode[]): Array<string | { host: string; port: number }> {
  return nodes.map((node) =>
    typeof node === 'string' ? node.trim() : { host: node.host, port: Number(node.port ?? 6379) },
  );
}

/** Passwords inside seed URLs, so errors can be scrubbed of them. */
export function nodesPasswords(nodes: readonly RedisNode[]): string[] {
  return nodes.flatMap((node) => {
    const password = typeof node === 'string' ? urlPassword(node) : undefined;
    return password === undefined ? [] : [password];
  });
}

/**
 * The seed nodes of the shared Redis Cluster: `database.redis.cluster.nodes`, else Rust Sockudo's older
 * `database.redis.cluster_nodes`, else the adapter's `adapter.cluster.nodes` (which REDIS_CLUSTER_NODES
 * sets). Empty when none is configured.
 */
export function sharedClusterSeeds(config: ResolvedConfig): RedisSeeds {
  const redis = config.database.redis;
  if (redis.cluster.nodes.length > 0)
    return { nodes: redis.cluster.nodes, key: 'database.redis.cluster.nodes' };
  if (redis.cluster_nodes.length > 0)
    return { nodes: redis.cluster_nodes, key: 'database.redis.cluster_nodes' };
  return { nodes: config.adapter.cluster.nodes, key: 'adapter.cluster.nodes' };
}

/** Credentials of the shared Redis Cluster: `database.redis.cluster.*`, else `database.redis.*`. */
export function sharedClusterAuth(config: ResolvedConfig): RedisAuth {
  const redis = config.database.redis;
  const pick = (value: string | undefined) => (value === undefined || value === '' ? undefined : value);
  const username = pick(redis.cluster.username) ?? pick(redis.username);
  const password = pick(redis.cluster.password) ?? pick(redis.password);
  return {
    ...(username !== undefined && { username }),
    ...(password !== undefined && { password }),
  };
}
