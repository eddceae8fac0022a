import { Registry } from 'prom-client';
import { describe, expect, it, vi } from 'vitest';
import { startEventLoopLagSampler } from '../src/event-loop-lag.js';
import {
  createPrometheusMetrics,
  DEFAULT_LATENCY_BUCKETS_MS,
  prometheusLabelName,
  prometheusMetricName,
  SOCKUDO_METRICS,
} from '../src/index.js';
import { parseSamples, sampleValue } from './scrape.js';

function quiet(options: Parameters<typeof createPrometheusMetrics>[0] = {}) {
  return createPrometheusMetrics({ collectDefaultMetrics: false, eventLoopLagIntervalMs: 0, ...options });
}

describe('names', () => {
  it('maps engine label keys to Prometheus label names', () => {
    expect(prometheusLabelName('appId')).toBe('app_id');
    expect(prometheusLabelName('code')).toBe('code');
    expect(prometheusLabelName('statusCode')).toBe('status_code');
    expect(prometheusLabelName('channel-type')).toBe('channel_type');
    expect(prometheusLabelName('2xx')).toBe('_2xx');
    expect(prometheusLabelName('__name')).toBe('_name');
  });

  it('makes any metric name acceptable to Prometheus', () => {
    expect(prometheusMetricName('sockudo_connected')).toBe('sockudo_connected');
    expect(prometheusMetricName('sockudo_my-metric.total')).toBe('sockudo_my_metric_total');
    expect(prometheusMetricName('1st')).toBe('_1st');
  });
});

describe('createPrometheusMetrics', () => {
  it('declares every known metric up front with the sockudo_ prefix, its type and help text', async () => {
    const metrics = quiet();
    const text = await metrics.metricsText();
    for (const [name, definition] of Object.entries(SOCKUDO_METRICS)) {
      expect(text).toContain(`# HELP sockudo_${name} ${definition.help}`);
      expect(text).toContain(`# TYPE sockudo_${name} ${definition.type}`);
    }
    expect(metrics.contentType).toMatch(/^text\/plain/);
    expect(metrics.specVersion).toBe(1);
  });

  it('uses Rust Sockudo names for the connection and message metrics', () => {
    for (const name of [
      'connected',
      'new_connections_total',
      'new_disconnections_total',
      'socket_received_bytes',
      'socket_transmitted_bytes',
      'ws_messages_received_total',
      'ws_messages_sent_total',
      'http_calls_received_total',
      'broadcast_latency_ms',
      'channel_subscriptions_total',
      'horizontal_adapter_sent_requests',
      'horizontal_adapter_received_responses',
      'horizontal_adapter_uncomplete_promises',
      'idempotency_publish_total',
      'idempotency_duplicates_total',
      'ephemeral_messages_total',
      'event_filter_suppressed_total',
      'tag_filter_suppressed_total',
      'delta_compression_delta_messages_total',
      'delta_compression_full_messages_total',
      'delta_compression_bandwidth_original_bytes',
      'delta_compression_bandwidth_saved_bytes',
      'history_writes_total',
      'history_write_failures_total',
      'history_recovery_success_total',
      'history_recovery_failures_total',
    ]) {
      expect(SOCKUDO_METRICS[name], name).toBeDefined();
    }
  });

  it('turns appId into app_id and keeps the other labels', async () => {
    const metrics = quiet();
    metrics.increment('new_disconnections_total', { appId: 'app-1', code: 4200 });
    metrics.increment('new_disconnections_total', { appId: 'app-1', code: 4200 }, 2);
    metrics.increment('http_calls_received_total', {
      appId: 'app-1',
      route: '/apps/:id/events',
      status: 200,
    });
    const text = await metrics.metricsText();
    expect(sampleValue(text, 'sockudo_new_disconnections_total', { app_id: 'app-1', code: '4200' })).toBe(3);
    expect(text).toContain(
      'sockudo_http_calls_received_total{app_id="app-1",route="/apps/:id/events",status="200"} 1',
    );
  });

  it('sets gauges to the value reported and counts histogram observations', async () => {
    const metrics = quiet();
    const labels = Object.freeze({ appId: 'a' });
    metrics.gauge('connected', labels, 5);
    metrics.gauge('connected', labels, 3);
    metrics.observe('broadcast_latency_ms', labels, 2);
    metrics.observe('broadcast_latency_ms', labels, 40);
    const text = await metrics.metricsText();
    expect(sampleValue(text, 'sockudo_connected', { app_id: 'a' })).toBe(3);
    expect(sampleValue(text, 'sockudo_broadcast_latency_ms_count', { app_id: 'a' })).toBe(2);
    expect(sampleValue(text, 'sockudo_broadcast_latency_ms_sum', { app_id: 'a' })).toBe(42);
    expect(sampleValue(text, 'sockudo_broadcast_latency_ms_bucket', { app_id: 'a', le: '2.5' })).toBe(1);
  });

  it('converts a frozen label object once, so labels the engine reuses cost no conversion per report', async () => {
    const metrics = quiet();
    let reads = 0;
    const labels = Object.freeze({
      get appId() {
        reads++;
        return 'a';
      },
    });
    metrics.increment('ws_messages_received_total', labels);
    metrics.increment('ws_messages_received_total', labels);
    metrics.increment('ws_messages_received_total', labels);
    expect(reads).toBe(1);
    const text = await metrics.metricsText();
    expect(sampleValue(text, 'sockudo_ws_messages_received_total', { app_id: 'a' })).toBe(3);
  });

  it('registers unknown names on first use: counter, gauge or histogram by the call, labels from the call', async () => {
    const metrics = quiet();
    metrics.increment('custom_things_total', { appId: 'a', shardName: 'x' });
    metrics.gauge('custom_level', undefined, 7);
    metrics.observe('custom_duration_ms', { appId: 'a' }, 3);
    const text = await metrics.metricsText();
    expect(text).toContain('# TYPE sockudo_custom_things_total counter');
    expect(text).toContain('sockudo_custom_things_total{app_id="a",shard_name="x"} 1');
    expect(text).toContain('# TYPE sockudo_custom_level gauge');
    expect(sampleValue(text, 'sockudo_custom_level')).toBe(7);
    expect(text).toContain('# TYPE sockudo_custom_duration_ms histogram');
    expect(sampleValue(text, 'sockudo_custom_duration_ms_count', { app_id: 'a' })).toBe(1);
  });

  it('never throws: unknown labels are dropped, impossible values ignored, mismatched calls skipped', async () => {
    const metrics = quiet();
    expect(() => {
      metrics.increment('connected_things_total', { appId: 'a' });
      metrics.increment('connected_things_total', { appId: 'a', extra: 'dropped' });
      metrics.increment('ws_messages_sent_total', { appId: 'a' }, -1);
      metrics.increment('ws_messages_sent_total', { appId: 'a' }, Number.NaN);
      metrics.gauge('ws_messages_sent_total', { appId: 'a' }, 10);
      metrics.observe('connected', { appId: 'a' }, 1);
      metrics.gauge('connected', { appId: 'a' }, Number.NaN);
      metrics.increment('webhooks_sent_total', { appId: undefined, status: 200 });
    }).not.toThrow();
    const text = await metrics.metricsText();
    expect(sampleValue(text, 'sockudo_connected_things_total', { app_id: 'a' })).toBe(2);
    expect(text).not.toContain('extra=');
    expect(sampleValue(text, 'sockudo_ws_messages_sent_total', { app_id: 'a' })).toBeUndefined();
    expect(text).toContain('sockudo_webhooks_sent_total{status="200"} 1');
  });

  it('increments a gauge when asked to', async () => {
    const metrics = quiet();
    metrics.increment('connected', { appId: 'a' });
    metrics.increment('connected', { appId: 'a' }, -1);
    metrics.increment('connected', { appId: 'a' }, 4);
    expect(sampleValue(await metrics.metricsText(), 'sockudo_connected', { app_id: 'a' })).toBe(4);
  });

  it('takes a prefix, a shared registry and histogram buckets', async () => {
    const registry = new Registry();
    const metrics = quiet({ prefix: 'rt_', registry, buckets: [1, 10] });
    metrics.observe('broadcast_latency_ms', { appId: 'a' }, 5);
    expect(metrics.registry).toBe(registry);
    const text = await registry.metrics();
    expect(text).toContain('# TYPE rt_connected gauge');
    expect(text).not.toContain('sockudo_');
    const les = parseSamples(text)
      .filter((s) => s.name === 'rt_broadcast_latency_ms_bucket')
      .map((s) => s.labels.le);
    expect(les).toEqual(['1', '10', '+Inf']);
  });

  it('uses millisecond buckets by default', async () => {
    const metrics = quiet();
    metrics.observe('broadcast_latency_ms', { appId: 'a' }, 1);
    const les = parseSamples(await metrics.metricsText())
      .filter((s) => s.name === 'sockudo_broadcast_latency_ms_bucket')
      .map((s) => s.labels.le);
    expect(les).toEqual([...DEFAULT_LATENCY_BUCKETS_MS.map(String), '+Inf']);
  });

  it("adds Node's default process metrics, unprefixed, unless told not to", async () => {
    const withDefaults = createPrometheusMetrics({ eventLoopLagIntervalMs: 0 });
    expect(await withDefaults.metricsText()).toMatch(/^process_cpu_user_seconds_total /m);
    expect(await quiet().metricsText()).not.toContain('process_cpu_user_seconds_total');
  });

  it('reports event-loop lag as gauges from its sampler, and stops it on close', async () => {
    const metrics = createPrometheusMetrics({ collectDefaultMetrics: false, eventLoopLagIntervalMs: 20 });
    await vi.waitFor(
      async () => {
        const text = await metrics.metricsText();
        expect(sampleValue(text, 'sockudo_event_loop_lag_seconds')).toBeGreaterThan(0);
        expect(sampleValue(text, 'sockudo_event_loop_lag_p99_seconds')).toBeGreaterThan(0);
      },
      { timeout: 5000, interval: 25 },
    );
    await metrics.close();
  });
});

describe('startEventLoopLagSampler', () => {
  it('reports mean and p99 in seconds until stopped', async () => {
    const reports: Array<[number, number]> = [];
    const sampler = startEventLoopLagSampler(20, (mean, p99) => reports.push([mean, p99]));
    await vi.waitFor(() => expect(reports.length).toBeGreaterThan(0), { timeout: 5000, interval: 10 });
    sampler.stop();
    const [mean, p99] = reports[0]!;
    expect(Number.isFinite(mean)).toBe(true);
    expect(p99).toBeGreaterThanOrEqual(0);
    expect(mean).toBeLessThan(60); // seconds, not nanoseconds
  });
});
