// Direct tests of the Redis and Redis Cluster transports against the machine's Redis and Redis Cluster:
// the cases every transport shares, then what only a Redis transport does.

import { randomUUID } from 'node:crypto';
import { recorder } from '@sockudo/test-helpers/recorder';
import { REDIS_CLUSTER_NODES, REDIS_URL, requireService } from '@sockudo/test-helpers/services';
import { type TransportCasesOptions, transportCases } from '@sockudo/test-helpers/transport-cases';
import { eventually } from '@sockudo/test-helpers/wait';
import { Redis } from 'ioredis';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRedisClusterTransport, createRedisTransport } from '../../src/index.js';

const redisCases = {
  newPrefix: () => `t-${randomUUID()}:`,
  extendPrefix: (base: string) => `${base}child:`,
  hearsItself: true,
  countsNodes: true,
} satisfies Partial<TransportCasesOptions>;

const unreachable = (create: TransportCasesOptions['unreachable']['create']) => ({
  create,
  connectTimeoutMs: 400,
  error: /could not connect and subscribe within 400 ms/,
});

describe('createRedisTransport', () => {
  beforeAll(() => requireService('Redis', REDIS_URL, 6379));
  transportCases({
    ...redisCases,
    create: (prefix) => createRedisTransport({ url: REDIS_URL, prefix }),
    unreachable: unreachable((port, connectTimeoutMs) =>
      createRedisTransport({ url: `redis://127.0.0.1:${port}`, connectTimeoutMs }),
    ),
  });

  it('copies a given client’s settings and leaves that client alone', async () => {
    const client = new Redis(REDIS_URL, { lazyConnect: true, db: 3, keyPrefix: 'ignored:' });
    client.on('error', () => {});
    const prefix = `client-${randomUUID()}:`;
    const fromClient = createRedisTransport({ client, prefix });
    const fromUrl = createRedisTransport({ url: REDIS_URL, prefix });
    const seen = recorder();
    try {
      await Promise.all([fromClient.start(seen), fromUrl.start(recorder())]);
      // Pub/sub ignores the db number, so both nodes share the cluster.
      await fromUrl.publishBroadcast('hello');
      await eventually(() => expect(seen.broadcasts).toEqual(['hello']));
      expect(await fromUrl.nodeCount!()).toBe(2);
      await fromClient.close();
      expect(client.status).toBe('wait'); // never connected, never closed by the transport
    } finally {
      await Promise.all([fromClient.close(), fromUrl.close()]);
      client.disconnect();
    }
  });
});

for (const shardedPubsub of [false, true]) {
  describe(`createRedisClusterTransport (shardedPubsub: ${shardedPubsub})`, () => {
    beforeAll(() => requireService('Redis Cluster', REDIS_CLUSTER_NODES[0]!, 7000));
    transportCases({
      ...redisCases,
      create: (prefix) => createRedisClusterTransport({ nodes: REDIS_CLUSTER_NODES, prefix, shardedPubsub }),
      unreachable: unreachable((port, connectTimeoutMs) =>
        createRedisClusterTransport({ nodes: [`127.0.0.1:${port}`], shardedPubsub, connectTimeoutMs }),
      ),
    });
  });
}
