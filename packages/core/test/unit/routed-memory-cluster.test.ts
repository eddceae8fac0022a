// Two HorizontalAdapters over the routed memory transport: what a broker outage does to interest.

import { describe, expect, it } from 'vitest';
import type { AdapterEvents, SocketHandle } from '../../src/adapter/adapter.js';
import { HorizontalAdapter } from '../../src/adapter/horizontal-adapter.js';
import { LocalAdapter } from '../../src/adapter/local-adapter.js';
import { createMemoryBus, createMemoryTransport } from '../../src/adapter/memory-transport.js';

const events: AdapterEvents = {
  userOnline() {},
  userOffline() {},
  membersExpired() {},
  channelsVacated() {},
};

function socket(id: string): SocketHandle & { frames: string[] } {
  const frames: string[] = [];
  return { id, appId: 'app', userId: undefined, frames, send: (f) => frames.push(String(f)), close() {} };
}

async function until(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 3000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('interest routing over the routed memory transport', () => {
  it('a join while the broker is away resolves at once, and the channel is routed once it is back', async () => {
    const bus = createMemoryBus();
    const nodes = [0, 1].map(
      (i) =>
        new HorizontalAdapter(new LocalAdapter(), createMemoryTransport(bus, { routed: true }), {
          nodeId: `node-${i}`,
          heartbeatIntervalMs: 50,
        }),
    );
    for (const node of nodes) await node.start(events);
    const [sender, receiver] = nodes as [HorizontalAdapter, HorizontalAdapter];
    expect(receiver.routing).toBe('interest');
    await until(() => sender.peerIds().length === 1 && receiver.peerIds().length === 1);

    bus.available = false;
    const subscriber = socket('1.1');
    receiver.addSocket(subscriber);
    const started = Date.now();
    await receiver.join(subscriber, 'private-outage');
    expect(Date.now() - started).toBeLessThan(1000);
    bus.available = true;

    await sender.broadcast('app', 'private-outage', '{"event":"after"}');
    await until(() => subscriber.frames.includes('{"event":"after"}'));
    expect(receiver.subscriptionCount()).toBe(1);
    for (const node of nodes) await node.close();
  });

  it('a V1 memory transport routes by broadcast whatever the option says', () => {
    const adapter = new HorizontalAdapter(new LocalAdapter(), createMemoryTransport(createMemoryBus()), {
      routing: 'interest',
    });
    expect(adapter.routing).toBe('broadcast');
  });
});

describe('a publish the broker does not take', () => {
  it('still reaches local clients, and is counted in horizontal_adapter_publish_failures', async () => {
    const counts = new Map<string, number>();
    const metrics = {
      specVersion: 1 as const,
      increment(name: string, _labels: unknown, by = 1) {
        counts.set(name, (counts.get(name) ?? 0) + by);
      },
      gauge() {},
      observe() {},
    };
    const bus = createMemoryBus();
    const node = new HorizontalAdapter(new LocalAdapter(), createMemoryTransport(bus, { routed: true }), {
      nodeId: 'node-0',
      heartbeatIntervalMs: 60_000,
      metrics,
    });
    await node.start(events);
    const local = socket('1.1');
    node.addSocket(local);
    await node.join(local, 'news');
    expect(counts.get('horizontal_adapter_publish_failures') ?? 0).toBe(0);

    bus.available = false;
    await node.broadcast('app', 'news', '{"event":"while-down"}');
    await node.broadcast('app', 'news', '{"event":"still-down"}');
    expect(local.frames).toEqual(['{"event":"while-down"}', '{"event":"still-down"}']);
    await until(() => (counts.get('horizontal_adapter_publish_failures') ?? 0) >= 2);

    bus.available = true;
    const before = counts.get('horizontal_adapter_publish_failures');
    await node.broadcast('app', 'news', '{"event":"back"}');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(counts.get('horizontal_adapter_publish_failures')).toBe(before);
    await node.close();
  });
});
