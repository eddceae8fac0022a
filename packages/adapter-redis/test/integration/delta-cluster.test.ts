// Delta compression across two Sockudo nodes over the Redis Cluster: updates published on one node reach
// delta sockets on both, and the wire-format client (core's test helpers) rebuilds every one of 10,000
// byte for byte, as a plain V2 socket on the other node receives it.

import { REDIS_CLUSTER_NODES, requireService } from '@sockudo/test-helpers/services';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cleanup } from '../../../core/test/helpers/cleanup.js';
import { type Frame, RawClient } from '../../../core/test/helpers/clients.js';
import { DeltaReader } from '../../../core/test/helpers/delta-client.js';
import { stateUpdates } from '../../../core/test/helpers/delta-updates.js';
import { startServer } from '../../../core/test/helpers/server.js';
import { waitUntil } from '../../../core/test/helpers/wait.js';
import { createRedisClusterTransport } from '../../src/index.js';

afterEach(cleanup);

const isStreamFrame = (f: Frame) => f.event === 'sockudo:delta' || !f.event.startsWith('sockudo');

async function deltaSocket(port: number): Promise<RawClient & { socketId: string }> {
  const client = await RawClient.v2(port);
  client.send({ event: 'sockudo:enable_delta_compression', data: { algorithms: ['fossil'] } });
  await client.waitFor('sockudo:delta_compression_enabled');
  return client;
}

describe('delta compression on a two-node cluster over the Redis Cluster', () => {
  beforeAll(() => requireService('Redis Cluster', REDIS_CLUSTER_NODES[0]!, 7000));

  it('rebuilds 10,000 updates byte for byte on the publishing node and on the other one', async () => {
    const prefix = `delta-${process.pid}-${Date.now()}:`;
    const node = () =>
      startServer({ transport: createRedisClusterTransport({ nodes: REDIS_CLUSTER_NODES, prefix }) });
    const a = await node();
    const b = await node();
    const onA = await deltaSocket(a.port);
    const onB = await deltaSocket(b.port);
    const plainB = await RawClient.v2(b.port);
    for (const client of [onA, onB, plainB]) await client.subscribe('state', undefined, 'sockudo');
    // Node A learns of B's subscription through the cluster before publishing.
    const sdk = a.backend();
    await waitUntil(async () => {
      const probe = plainB.mark();
      await sdk.trigger('state', 'probe', {});
      return waitUntil(() => plainB.frames.length > probe, 'the probe', 300).catch(() => false);
    }, 'node B to receive node A’s events');

    const updates = stateUpdates(10_000, 7);
    for (let i = 0; i < updates.length; i += 10) {
      await sdk.triggerBatch(
        updates.slice(i, i + 10).map((data) => ({ channel: 'state', name: 'update', data })),
      );
    }
    const updatesOf = (client: RawClient) => client.all((f) => isStreamFrame(f) && f.event !== 'probe');
    for (const client of [onA, onB, plainB]) {
      await waitUntil(() => updatesOf(client).length === updates.length, 'every update', 60_000);
    }
    const expected = updatesOf(plainB).map((f) => f.raw);
    for (const client of [onA, onB]) {
      const reader = new DeltaReader();
      const rebuilt = updatesOf(client).map((f) => {
        const read = reader.read(f.raw);
        if (read.kind === 'desync') throw new Error(`desync: ${read.reason}`);
        return read.text;
      });
      expect(rebuilt).toEqual(expected);
      expect(reader.deltas).toBeGreaterThan(7_000);
    }
  }, 180_000);
});
