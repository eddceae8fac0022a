import { afterEach, describe, expect, it } from 'vitest';
import { createPrometheusMetrics, type MetricsServer, startMetricsServer } from '../src/index.js';

let server: MetricsServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('startMetricsServer', () => {
  it('serves /metrics as Prometheus text, / as a probe, and nothing else', async () => {
    const metrics = createPrometheusMetrics({ collectDefaultMetrics: false, eventLoopLagIntervalMs: 0 });
    metrics.increment('new_connections_total', { appId: 'a' });
    server = await startMetricsServer(metrics, { host: '127.0.0.1', port: 0 });
    expect(server.port).toBeGreaterThan(0);
    const base = `http://127.0.0.1:${server.port}`;

    const scrape = await fetch(`${base}/metrics`);
    expect(scrape.status).toBe(200);
    expect(scrape.headers.get('content-type')).toBe(metrics.contentType);
    expect(await scrape.text()).toContain('sockudo_new_connections_total{app_id="a"} 1');

    const head = await fetch(`${base}/metrics`, { method: 'HEAD' });
    expect(head.status).toBe(200);

    const root = await fetch(`${base}/`);
    expect(root.status).toBe(200);
    await root.text();

    const missing = await fetch(`${base}/nope`);
    expect(missing.status).toBe(404);
    await missing.text();

    const post = await fetch(`${base}/metrics`, { method: 'POST' });
    expect(post.status).toBe(405);
    await post.text();
  });

  it('answers 500 when collecting fails', async () => {
    server = await startMetricsServer(
      { contentType: 'text/plain', metricsText: () => Promise.reject(new Error('boom')) },
      { host: '127.0.0.1', port: 0 },
    );
    const response = await fetch(`http://127.0.0.1:${server.port}/metrics`);
    expect(response.status).toBe(500);
    expect(await response.text()).toContain('boom');
  });

  it('rejects when the port is taken', async () => {
    const metrics = createPrometheusMetrics({ collectDefaultMetrics: false, eventLoopLagIntervalMs: 0 });
    server = await startMetricsServer(metrics, { host: '127.0.0.1', port: 0 });
    await expect(startMetricsServer(metrics, { host: '127.0.0.1', port: server.port })).rejects.toThrow(
      /EADDRINUSE/,
    );
  });
});
