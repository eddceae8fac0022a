// End to end: a real node with Prometheus metrics, real WebSocket and HTTP traffic, and /metrics
// scraped over HTTP from the metrics server.

import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createMemoryBus,
  createMemoryTransport,
  createServer,
  type HorizontalAdapter,
  type SockudoServer,
} from '@sockudo/core';
import Pusher from 'pusher';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  createPrometheusMetrics,
  type MetricsServer,
  type PrometheusMetrics,
  startMetricsServer,
} from '../src/index.js';
import { RawClient } from './raw-client.js';
import { sampleValue } from './scrape.js';

const APP = { id: 'app-1', key: 'app-key', secret: 'app-secret' };
const A = { app_id: 'app-1' };

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A port nothing listens on: webhooks sent there fail with a connection error. */
async function closedPort(): Promise<number> {
  const server = createHttpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

interface Node {
  server: SockudoServer;
  port: number;
  metrics: PrometheusMetrics;
  backend: Pusher;
  scrape(): Promise<string>;
}

async function startNode(options: Parameters<typeof createServer>[0] = {}): Promise<Node> {
  const metrics = createPrometheusMetrics({ eventLoopLagIntervalMs: 50 });
  const server = createServer({ host: '127.0.0.1', port: 0, apps: [APP], metrics, ...options });
  const { port } = await server.listen();
  cleanups.push(() => server.close({ gracePeriodMs: 1000 }));
  const metricsServer: MetricsServer = await startMetricsServer(metrics, { host: '127.0.0.1', port: 0 });
  cleanups.push(() => metricsServer.close());
  cleanups.push(() => metrics.close());
  const backend = new Pusher({
    appId: APP.id,
    key: APP.key,
    secret: APP.secret,
    host: '127.0.0.1',
    port: String(port),
    useTLS: false,
  });
  return {
    server,
    port,
    metrics,
    backend,
    async scrape() {
      const response = await fetch(`http://127.0.0.1:${metricsServer.port}/metrics`);
      expect(response.status).toBe(200);
      return response.text();
    },
  };
}

async function connect(port: number): Promise<RawClient> {
  const client = await RawClient.connect(port, APP.key);
  cleanups.push(() => client.close());
  return client;
}

describe('a node with Prometheus metrics', () => {
  it('reports connections, messages, bytes, deliveries, subscriptions and presence as traffic flows', async () => {
    const node = await startNode();
    const alice = await connect(node.port);
    const bob = await connect(node.port);

    let text = await node.scrape();
    expect(sampleValue(text, 'sockudo_connected', A)).toBe(2);
    expect(sampleValue(text, 'sockudo_new_connections_total', A)).toBe(2);

    await alice.subscribe('news');
    await bob.subscribe('news');
    const join = (client: RawClient, userId: string) =>
      client.subscribe(
        'presence-room',
        node.backend.authorizeChannel(client.socketId, 'presence-room', { user_id: userId, user_info: {} }),
      );
    await join(alice, 'u1');
    await join(bob, 'u2');

    text = await node.scrape();
    expect(sampleValue(text, 'sockudo_channel_subscriptions_total', { ...A, type: 'public' })).toBe(2);
    expect(sampleValue(text, 'sockudo_channel_subscriptions_total', { ...A, type: 'presence' })).toBe(2);
    expect(sampleValue(text, 'sockudo_presence_members', A)).toBe(2);
    expect(sampleValue(text, 'sockudo_active_channels', A)).toBe(2);
    expect(sampleValue(text, 'sockudo_ws_messages_received_total', A)).toBe(4);
    expect(sampleValue(text, 'sockudo_socket_received_bytes', A)).toBeGreaterThan(0);
    const sentBefore = sampleValue(text, 'sockudo_ws_messages_sent_total', A)!;
    const bytesBefore = sampleValue(text, 'sockudo_socket_transmitted_bytes', A)!;
    const deliveriesBefore = sampleValue(text, 'sockudo_deliveries_total', A) ?? 0;
    const broadcastsBefore = sampleValue(text, 'sockudo_broadcasts_total', A) ?? 0;
    // connection_established ×2, subscription_succeeded ×4, member_added to alice
    expect(sentBefore).toBe(7);
    expect(bytesBefore).toBeGreaterThan(0);

    const payload = JSON.stringify({ text: 'x'.repeat(100) });
    await node.backend.trigger('news', 'headline', payload);
    await Promise.all([alice, bob].map((c) => c.next((f) => f.event === 'headline')));

    text = await node.scrape();
    expect(sampleValue(text, 'sockudo_broadcasts_total', A)).toBe(broadcastsBefore + 1);
    expect(sampleValue(text, 'sockudo_deliveries_total', A)).toBe(deliveriesBefore + 2);
    expect(sampleValue(text, 'sockudo_ws_messages_sent_total', A)).toBe(sentBefore + 2);
    const frameBytes = Buffer.byteLength(
      JSON.stringify({ event: 'headline', channel: 'news', data: payload }),
    );
    expect(sampleValue(text, 'sockudo_socket_transmitted_bytes', A)).toBe(bytesBefore + 2 * frameBytes);
    expect(sampleValue(text, 'sockudo_http_events_published_total', A)).toBe(1);
    expect(sampleValue(text, 'sockudo_broadcast_latency_ms_count', A)).toBe(1);
    expect(
      sampleValue(text, 'sockudo_http_calls_received_total', {
        ...A,
        route: '/apps/:id/events',
        status: '200',
      }),
    ).toBe(1);

    await alice.close();
    await bob.close();
    await vi.waitFor(
      async () => {
        const after = await node.scrape();
        expect(sampleValue(after, 'sockudo_connected', A)).toBe(0);
        expect(sampleValue(after, 'sockudo_presence_members', A)).toBe(0);
        expect(sampleValue(after, 'sockudo_active_channels', A)).toBe(0);
        expect(sampleValue(after, 'sockudo_channel_unsubscriptions_total', A)).toBe(4);
        expect(sampleValue(after, 'sockudo_new_disconnections_total', { ...A, code: '1005' })).toBe(2);
      },
      { timeout: 5000, interval: 20 },
    );
  });

  it('labels HTTP calls by route template and status, never by raw path or unknown app', async () => {
    const node = await startNode();
    await node.backend.get({ path: '/channels' });
    await node.backend.get({ path: '/channels/some-channel' });
    await node.backend.get({ path: '/channels/other-channel' });
    const base = `http://127.0.0.1:${node.port}`;
    await (await fetch(`${base}/apps/app-1/channels`)).text(); // unsigned: 401
    await (await fetch(`${base}/apps/made-up/channels`)).text(); // unknown app: 404
    await (await fetch(`${base}/no/such/path`)).text();
    await (await fetch(`${base}/up/app-1`)).text();

    const text = await node.scrape();
    const calls = (labels: Record<string, string>) =>
      sampleValue(text, 'sockudo_http_calls_received_total', labels);
    expect(calls({ ...A, route: '/apps/:id/channels', status: '200' })).toBe(1);
    expect(calls({ ...A, route: '/apps/:id/channels/:channel_name', status: '200' })).toBe(2);
    expect(calls({ ...A, route: '/apps/:id/channels', status: '401' })).toBe(1);
    expect(calls({ route: '/apps/:id/channels', status: '404' })).toBe(1);
    expect(calls({ route: 'unmatched', status: '404' })).toBe(1);
    expect(calls({ route: '/up/:id', status: '200' })).toBe(1);
    expect(text).not.toContain('made-up');
    expect(text).not.toContain('some-channel');
  });

  it('counts webhook failures against a closed port, by app', async () => {
    const port = await closedPort();
    const node = await startNode({
      apps: [
        { ...APP, webhooks: [{ url: `http://127.0.0.1:${port}/hook`, event_types: ['channel_occupied'] }] },
      ],
      webhooks: { batchDurationMs: 5, initialBackoffMs: 10, maxBackoffMs: 20, maxElapsedTimeMs: 100 },
    });
    const client = await connect(node.port);
    await client.subscribe('orders');
    await vi.waitFor(
      async () => {
        const text = await node.scrape();
        expect(sampleValue(text, 'sockudo_webhook_failures_total', { ...A, status: '0' })).toBeGreaterThan(0);
      },
      { timeout: 10_000, interval: 25 },
    );
  });

  it('serves event-loop lag and the default process metrics on the same scrape', async () => {
    const node = await startNode();
    await vi.waitFor(
      async () => {
        const text = await node.scrape();
        expect(sampleValue(text, 'sockudo_event_loop_lag_seconds')).toBeGreaterThan(0);
        expect(text).toMatch(/^process_cpu_user_seconds_total /m);
      },
      { timeout: 5000, interval: 25 },
    );
  });

  it('reports horizontal adapter requests, responses and incomplete ones', async () => {
    const bus = createMemoryBus();
    const horizontal = { requestTimeoutMs: 300, heartbeatIntervalMs: 60_000, nodeTimeoutMs: 120_000 };
    const first = await startNode({ transport: createMemoryTransport(bus), horizontal });
    const second = await startNode({ transport: createMemoryTransport(bus), horizontal });
    const adapterOf = (node: Node) => node.server.context.adapter as HorizontalAdapter;
    await vi.waitFor(() => {
      expect(adapterOf(first).peerIds()).toHaveLength(1);
      expect(adapterOf(second).peerIds()).toHaveLength(1);
    });

    // A cluster-wide count: one request out, one answered by the peer, one response back.
    await first.backend.get({ path: '/channels/news', params: { info: 'subscription_count' } });
    let text = await first.scrape();
    expect(sampleValue(text, 'sockudo_horizontal_adapter_sent_requests', A)).toBe(1);
    expect(sampleValue(text, 'sockudo_horizontal_adapter_received_responses', A)).toBe(1);
    expect(sampleValue(text, 'sockudo_horizontal_adapter_resolved_promises', A)).toBe(1);
    expect(sampleValue(text, 'sockudo_horizontal_adapter_resolve_time_count', A)).toBe(1);
    expect(sampleValue(await second.scrape(), 'sockudo_horizontal_adapter_received_requests', A)).toBe(1);

    // The peer stops answering without saying goodbye: the next request times out.
    await adapterOf(second).transport.close();
    await first.backend.get({ path: '/channels/news', params: { info: 'subscription_count' } });
    text = await first.scrape();
    expect(sampleValue(text, 'sockudo_horizontal_adapter_sent_requests', A)).toBe(2);
    expect(sampleValue(text, 'sockudo_horizontal_adapter_uncomplete_promises', A)).toBe(1);
    expect(sampleValue(text, 'sockudo_horizontal_adapter_resolve_time_count', A)).toBe(2);
  });

  it('reports the routing keys held and the events that arrived with no local recipient', async () => {
    for (const routed of [true, false]) {
      const bus = createMemoryBus();
      const horizontal = { heartbeatIntervalMs: 60_000, nodeTimeoutMs: 120_000, interestLingerMs: 0 };
      const transport = () =>
        routed ? createMemoryTransport(bus, { routed: true }) : createMemoryTransport(bus);
      const sender = await startNode({ transport: transport(), horizontal });
      const receiver = await startNode({ transport: transport(), horizontal });
      const idle = await startNode({ transport: transport(), horizontal });
      const adapterOf = (node: Node) => node.server.context.adapter as HorizontalAdapter;
      await vi.waitFor(() => {
        for (const node of [sender, receiver, idle]) expect(adapterOf(node).peerIds()).toHaveLength(2);
      });
      const client = await connect(receiver.port);
      await client.subscribe('news');
      await client.subscribe('sports');
      for (let i = 0; i < 3; i++) await sender.backend.trigger('news', 'headline', String(i));
      await client.next((f) => f.event === 'headline' && f.data === '2');
      // The idle node has heard everything the sender published before its next request answer.
      await idle.backend.get({ path: '/channels' });

      const held = sampleValue(await receiver.scrape(), 'sockudo_horizontal_adapter_subscriptions');
      const unrouted = sampleValue(await idle.scrape(), 'sockudo_horizontal_adapter_unrouted_messages', A);
      if (routed) {
        expect(held).toBe(2);
        expect(unrouted ?? 0).toBe(0);
      } else {
        expect(held ?? 0).toBe(0);
        expect(unrouted).toBe(3);
      }
    }
  });
});
