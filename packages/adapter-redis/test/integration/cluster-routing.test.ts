// Routing keys over a throwaway Redis Cluster of three masters with a replica each, sharded pub/sub:
// the keys and their publishes spread over the masters, and a master lost to a failover costs no key
// for long — those subscribed before the fault and those subscribed after are delivered.

import { randomUUID } from 'node:crypto';
import type { TransportV2 } from '@sockudo/core';
import { type Recorder, recorder } from '@sockudo/test-helpers/recorder';
import { useBroker } from '@sockudo/test-helpers/throwaway-broker';
import { eventually } from '@sockudo/test-helpers/wait';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { createRedisClusterTransport } from '../../src/index.js';
import { startThrowawayCluster } from '../helpers/throwaway-cluster.js';

const cluster = useBroker(() => startThrowawayCluster({ replicas: 1 }));

/** `cmdstat_spublish` calls on the master at `port`. */
async function spublishCalls(port: number): Promise<number> {
  const client = new Redis({ port, host: '127.0.0.1', lazyConnect: true });
  try {
    await client.connect();
    const info = await client.info('commandstats');
    return Number(/cmdstat_spublish:calls=(\d+)/.exec(info)?.[1] ?? 0);
  } finally {
    client.disconnect();
  }
}

describe('routing keys on a Redis Cluster with sharded pub/sub', () => {
  const open: TransportV2[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((transport) => transport.close()));
  });

  async function pair(): Promise<{ sender: TransportV2; receiver: TransportV2; seen: Recorder }> {
    const prefix = `route-${randomUUID()}:`;
    const make = () => {
      const transport = createRedisClusterTransport({ nodes: cluster().nodes, prefix, shardedPubsub: true });
      open.push(transport);
      return transport;
    };
    const [sender, receiver] = [make(), make()];
    const seen = recorder();
    await Promise.all([sender.start(recorder()), receiver.start(seen)]);
    return { sender, receiver, seen };
  }

  it('spreads the keys’ publishes over the masters: the busiest carries at most half', async () => {
    const { sender, receiver, seen } = await pair();
    const keys = Array.from({ length: 300 }, (_, i) => `c.app.private-user-${i}`);
    await receiver.subscribe(keys);
    const masters = await cluster().masters();
    expect(masters).toHaveLength(3);
    const before = await Promise.all(masters.map(spublishCalls));
    for (const key of keys) await sender.publishTo(key, key);
    await eventually(() => expect(seen.routed).toHaveLength(keys.length), 10_000);
    const after = await Promise.all(masters.map(spublishCalls));
    const counts = after.map((calls, i) => calls - before[i]!);
    const total = counts.reduce((sum, count) => sum + count, 0);
    expect(total).toBeGreaterThanOrEqual(keys.length);
    expect(Math.max(...counts) / total, `SPUBLISH per master: ${counts.join(', ')}`).toBeLessThanOrEqual(0.5);
    expect(Math.min(...counts), `SPUBLISH per master: ${counts.join(', ')}`).toBeGreaterThan(0);
  });

  it('after a master fails over to its replica, keys subscribed before and after are delivered', async () => {
    const { sender, receiver, seen } = await pair();
    const before = Array.from({ length: 60 }, (_, i) => `c.app.before-${i}`);
    await receiver.subscribe(before);
    for (const key of before) await sender.publishTo(key, `${key}:0`);
    await eventually(() => expect(seen.routed).toHaveLength(before.length), 10_000);

    const [victim] = await cluster().masters();
    await cluster().failOver(victim!);

    // Delivery resumes on every key by itself: the keys of the lost master included.
    let round = 0;
    await eventually(async () => {
      round++;
      await Promise.all(before.map((key) => sender.publishTo(key, `${key}:${round}`).catch(() => {})));
      for (const key of before) {
        expect(
          seen.on(key).some((payload) => payload !== `${key}:0`),
          `${key} after the failover`,
        ).toBe(true);
      }
    }, 30_000);
    await eventually(() => receiver.checkHealth(), 15_000);

    const after = Array.from({ length: 30 }, (_, i) => `c.app.after-${i}`);
    await receiver.subscribe(after);
    for (const key of after) await sender.publishTo(key, key);
    await eventually(() => {
      for (const key of after) expect(seen.on(key)).toEqual([key]);
    }, 10_000);
  }, 90_000);
});
