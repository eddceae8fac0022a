// The two Redis deployments every Redis-backed driver runs its conformance suite against (one server,
// and the cluster on 7000–7005), and the clean-up of the keys each test's namespace wrote.

import { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { REDIS_CLUSTER_NODES, REDIS_URL, requireRedis, requireRedisCluster } from './services.js';

/** One Redis deployment, with the connection settings the Redis drivers take. */
export interface RedisMode {
  name: string;
  /** Fails the tests (never skips them) when the deployment is not running. */
  require(): Promise<void>;
  connection: { url: string } | { nodes: string[] };
  /** A raw client for clean-up. */
  raw(): Redis | Cluster;
}

/** Redis on `REDIS_URL`, then the Redis Cluster on `REDIS_CLUSTER_NODES`: for `describe.each`. */
export const REDIS_MODES: readonly RedisMode[] = [
  { name: 'redis', require: requireRedis, connection: { url: REDIS_URL }, raw: () => new Redis(REDIS_URL) },
  {
    name: 'redis cluster',
    require: requireRedisCluster,
    connection: { nodes: REDIS_CLUSTER_NODES },
    raw: () => new Cluster(REDIS_CLUSTER_NODES),
  },
];

/** Deletes every key under `prefixes`, on every master of a cluster. */
export async function deleteKeysUnder(mode: RedisMode, prefixes: Iterable<string>): Promise<void> {
  const raw = mode.raw();
  try {
    await raw.ping(); // a cluster lists its nodes only once connected
    const nodes = raw instanceof Cluster ? raw.nodes('master') : [raw];
    for (const node of nodes) {
      for (const prefix of prefixes) {
        const keys = await node.keys(`${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`);
        for (const key of keys) await node.del(key);
      }
    }
  } finally {
    raw.disconnect();
  }
}

/**
 * For the enclosing `describe`: requires `mode` before its tests and, after them, deletes every key under
 * each namespace passed through the returned function (which gives the namespace back, as a prefix).
 */
export function useRedisNamespaces(mode: RedisMode): (namespace: string) => string {
  const namespaces = new Set<string>();
  beforeAll(() => mode.require());
  afterAll(() => deleteKeysUnder(mode, namespaces));
  return (namespace) => {
    namespaces.add(namespace);
    return namespace;
  };
}
