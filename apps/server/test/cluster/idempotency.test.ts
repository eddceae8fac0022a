// Idempotent publish across three `sockudo start` nodes over the redis adapter: with the redis cache
// every node agrees on a key (one delivery, one response for all), with the memory cache each node
// remembers only its own keys.

import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { redisBroker } from './brokers.js';
import { type SockudoNode, startCluster, testApp } from './nodes.js';
import { Scope } from './scope.js';
import { flush, is, type Tab, Tabs } from './tabs.js';
import { uid } from './waits.js';

const REDIS_URL = 'redis://127.0.0.1:6379/0';

/** A tab on every node, subscribed to `channel`. */
async function subscribers(tabs: Tabs, nodes: SockudoNode[], channel: string): Promise<Tab[]> {
  const opened: Tab[] = [];
  for (const node of nodes) {
    const tab = await tabs.add(`${node.name}-tab`, node);
    await tab.subscribe(channel);
    opened.push(tab);
  }
  return opened;
}

/** Sends the same idempotent trigger `count` times at once, round-robin over `nodes`. */
async function duplicates(nodes: SockudoNode[], channel: string, key: string, count: number) {
  return Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const node = nodes[i % nodes.length]!;
      const response = await node.backend.trigger(channel, 'order-placed', { attempt: i }, {
        idempotency_key: key,
        info: 'subscription_count',
      } as never);
      return { status: response.status, body: await response.text() };
    }),
  );
}

describe('idempotent publish over three nodes', () => {
  const broker = redisBroker(REDIS_URL);
  const scope = new Scope();
  const tabs = new Tabs();
  afterEach(() => tabs.closeAll());
  afterAll(() => scope.close(), 30_000);

  it('with the redis cache: 50 concurrent duplicates deliver once and answer 50 identical responses', async () => {
    await broker.require();
    const app = testApp();
    const nodes = await startCluster(scope, 3, broker.adapter(`sockudo_test_${uid()}`), app, {
      database: { redis: { url: REDIS_URL } },
      // A fresh prefix: no other run shares these keys.
      cache: { driver: 'redis', redis: { prefix: `sockudo_test_idem_${uid()}:` } },
    });
    const channel = `orders-${uid()}`;
    const subscribed = await subscribers(tabs, nodes, channel);

    const responses = await duplicates(nodes, channel, `order-${uid()}`, 50);

    expect(new Set(responses.map((r) => JSON.stringify(r))).size, JSON.stringify(responses)).toBe(1);
    expect(responses[0]!.status).toBe(200);
    // The winner's own answer: the channel had one subscriber per node when it published.
    expect(JSON.parse(responses[0]!.body)).toEqual({ channels: { [channel]: { subscription_count: 3 } } });
    await flush(channel, nodes, subscribed);
    for (const tab of subscribed) {
      expect(tab.all(is('order-placed', channel)), tab.name).toHaveLength(1);
    }
    // Every tab got the same attempt: one publish, fanned out once.
    const attempts = new Set(
      subscribed.map((tab) => JSON.stringify(tab.all(is('order-placed', channel))[0]?.data)),
    );
    expect(attempts.size).toBe(1);
  }, 60_000);

  it('(control) with the memory cache each node deduplicates only what it received itself', async () => {
    await broker.require();
    const app = testApp();
    const nodes = await startCluster(scope, 3, broker.adapter(`sockudo_test_${uid()}`), app, {
      cache: { driver: 'memory' },
    });
    const channel = `orders-${uid()}`;
    const subscribed = await subscribers(tabs, nodes, channel);

    // Sequential, so each node's first request has finished before its duplicates arrive.
    const key = `order-${uid()}`;
    for (const node of [...nodes, ...nodes]) {
      const response = await node.backend.trigger(channel, 'order-placed', { from: node.name }, {
        idempotency_key: key,
      } as never);
      expect(response.status).toBe(200);
    }

    await flush(channel, nodes, subscribed);
    for (const tab of subscribed) {
      const from = tab.all(is('order-placed', channel)).map((m) => m.data.from);
      expect(from.sort(), tab.name).toEqual(nodes.map((n) => n.name).sort());
    }
  }, 60_000);
});
