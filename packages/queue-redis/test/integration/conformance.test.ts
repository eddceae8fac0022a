// @sockudo/test-suite's queueTestSuite against a real Redis and a real Redis Cluster, exactly as an
// outside driver author runs it: each test's namespace is the key prefix, removed afterwards.

import {
  REDIS_CLUSTER_NODES,
  REDIS_URL,
  requireRedis,
  requireRedisCluster,
} from '@sockudo/test-helpers/services';
import { queueTestSuite } from '@sockudo/test-suite';
import { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { createRedisQueue } from '../../src/index.js';

/** Deletes every key under the prefixes the suite used, on every master of a cluster. */
async function deleteKeys(raw: Redis | Cluster, prefixes: Iterable<string>): Promise<void> {
  await raw.ping(); // a cluster lists its nodes only once connected
  const nodes = raw instanceof Cluster ? raw.nodes('master') : [raw];
  for (const node of nodes) {
    for (const prefix of prefixes) {
      const keys = await node.keys(`${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`);
      for (const key of keys) await node.del(key);
    }
  }
}

describe.each([
  { name: 'redis', require: requireRedis, connection: { url: REDIS_URL }, raw: () => new Redis(REDIS_URL) },
  {
    name: 'redis cluster',
    require: requireRedisCluster,
    connection: { nodes: REDIS_CLUSTER_NODES },
    raw: () => new Cluster(REDIS_CLUSTER_NODES),
  },
])('$name', (mode) => {
  const namespaces = new Set<string>();
  beforeAll(() => mode.require());
  afterAll(async () => {
    const raw: Redis | Cluster = mode.raw();
    try {
      await deleteKeys(raw, namespaces);
    } finally {
      raw.disconnect();
    }
  });

  queueTestSuite(
    it,
    ({ namespace }) => {
      namespaces.add(namespace);
      // Quick polls, back-off and close keep the suite short; the defaults suit production.
      return createRedisQueue({
        ...mode.connection,
        prefix: namespace,
        pollIntervalMs: 50,
        retryBaseDelayMs: 200,
        closeTimeoutMs: 300,
      });
    },
    { describe, durable: true },
  );
});
