// MetricsV1 over prom-client. The engine calls it on hot paths (every inbound frame, every fan-out), so
// a report never throws, never logs, and converts a label object the engine reuses only once.

import type { MetricLabels, MetricsV1 } from '@sockudo/core';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { type EventLoopLagSampler, startEventLoopLagSampler } from './event-loop-lag.js';
import {
  DEFAULT_LATENCY_BUCKETS_MS,
  type MetricDefinition,
  type MetricType,
  SOCKUDO_METRICS,
} from './metric-definitions.js';
import { prometheusLabelName, prometheusMetricName } from './prometheus-names.js';

/** Options of {@link createPrometheusMetrics}. */
export interface PrometheusMetricsOptions {
  /** Put before every Sockudo metric name (not before Node's default `process_*`/`nodejs_*` ones). @default 'sockudo_' */
  prefix?: string;
  /** The prom-client registry to register in; share one to expose your own metrics beside Sockudo's. @default a new Registry */
  registry?: Registry;
  /**
   * Also register prom-client's default Node metrics (`process_cpu_seconds_total`, `nodejs_heap_*`, ...),
   * unprefixed as in Rust Sockudo. Turn off when the registry already has them.
   * @default true
   */
  collectDefaultMetrics?: boolean;
  /** Buckets of the millisecond histograms (`broadcast_latency_ms`, `horizontal_adapter_resolve_time`). */
  buckets?: number[];
  /**
   * How often `event_loop_lag_seconds` and `event_loop_lag_p99_seconds` are refreshed from
   * `perf_hooks.monitorEventLoopDelay`, in ms; 0 turns the sampler off.
   * @default 5000
   */
  eventLoopLagIntervalMs?: number;
}

/** Metrics for `createServer({ metrics })` that also render themselves for Prometheus. */
export interface PrometheusMetrics extends MetricsV1 {
  readonly registry: Registry;
  /** The `Content-Type` of {@link PrometheusMetrics.metricsText}'s output. */
  readonly contentType: string;
  /** The registry in Prometheus' text exposition format, as `GET /metrics` serves it. */
  metricsText(): Promise<string>;
  /** Stops the event-loop sampler. The registry keeps its metrics. */
  close(): Promise<void>;
}

type Values = Record<string, string | number>;
type AnyMetric = Counter<string> | Gauge<string> | Histogram<string>;

/** A registered metric and how to turn the engine's labels into its own. */
class Entry {
  /** Conversions of label objects the engine reuses (it freezes those), so a hot path converts once. */
  private readonly converted = new WeakMap<MetricLabels, Values>();

  constructor(
    readonly type: MetricType,
    readonly metric: AnyMetric,
    private readonly labelNames: ReadonlySet<string>,
  ) {}

  values(labels: MetricLabels | undefined): Values | undefined {
    if (labels === undefined || this.labelNames.size === 0) return undefined;
    const frozen = Object.isFrozen(labels);
    if (frozen) {
      const known = this.converted.get(labels);
      if (known) return known;
    }
    const values: Values = {};
    for (const key in labels) {
      const value = labels[key];
      if (value === undefined) continue;
      const name = prometheusLabelName(key);
      // A label the metric was not registered with is dropped: prom-client would throw.
      if (this.labelNames.has(name)) values[name] = value;
    }
    if (frozen) this.converted.set(labels, values);
    return values;
  }
}

const TYPE_OF_CALL = { increment: 'counter', gauge: 'gauge', observe: 'histogram' } as const;

/**
 * Creates Prometheus metrics for Sockudo: Rust Sockudo's `sockudo_*` names, `app_id` labels, an
 * event-loop lag gauge, and Node's default process metrics.
 *
 * @example
 * ```ts
 * const metrics = createPrometheusMetrics();
 * const server = createServer({ apps, metrics });
 * await server.listen();
 * await startMetricsServer(metrics, { port: 9601 }); // GET /metrics
 * ```
 */
export function createPrometheusMetrics(options: PrometheusMetricsOptions = {}): PrometheusMetrics {
  const prefix = options.prefix ?? 'sockudo_';
  const registry = options.registry ?? new Registry();
  const buckets = options.buckets ?? [...DEFAULT_LATENCY_BUCKETS_MS];
  if (options.collectDefaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  const entries = new Map<string, Entry>();

  function register(name: string, definition: MetricDefinition): Entry {
    const config = {
      name: prometheusMetricName(prefix + name),
      help: definition.help,
      labelNames: [...definition.labels],
      registers: [registry],
    };
    let metric: AnyMetric;
    if (definition.type === 'counter') metric = new Counter(config);
    else if (definition.type === 'gauge') metric = new Gauge(config);
    else metric = new Histogram({ ...config, buckets });
    const entry = new Entry(definition.type, metric, new Set(definition.labels));
    entries.set(name, entry);
    return entry;
  }

  for (const [name, definition] of Object.entries(SOCKUDO_METRICS)) register(name, definition);

  /** A declared metric, or one registered now with the type of the call and the labels it carries. */
  function entryFor(name: string, call: keyof typeof TYPE_OF_CALL, labels: MetricLabels | undefined): Entry {
    const known = entries.get(name);
    if (known) return known;
    const labelNames: string[] = [];
    if (labels) {
      for (const key in labels) if (labels[key] !== undefined) labelNames.push(prometheusLabelName(key));
    }
    return register(name, {
      type: TYPE_OF_CALL[call],
      help: `Sockudo metric ${name}`,
      labels: [...new Set(labelNames)],
    });
  }

  const sampler: EventLoopLagSampler | undefined =
    (options.eventLoopLagIntervalMs ?? 5000) > 0
      ? startEventLoopLagSampler(options.eventLoopLagIntervalMs ?? 5000, (mean, p99) => {
          metrics.gauge('event_loop_lag_seconds', undefined, mean);
          metrics.gauge('event_loop_lag_p99_seconds', undefined, p99);
        })
      : undefined;

  const metrics: PrometheusMetrics = {
    specVersion: 1,
    registry,
    contentType: registry.contentType,
    increment(name, labels, value = 1) {
      try {
        const entry = entryFor(name, 'increment', labels);
        const values = entry.values(labels);
        if (entry.type === 'counter') {
          if (value > 0) (entry.metric as Counter<string>).inc(values ?? {}, value);
        } else if (entry.type === 'gauge') {
          (entry.metric as Gauge<string>).inc(values ?? {}, value);
        }
      } catch {
        // Metrics never break the engine: a bad value (NaN, say) is dropped.
      }
    },
    gauge(name, labels, value) {
      try {
        const entry = entryFor(name, 'gauge', labels);
        if (entry.type === 'gauge') (entry.metric as Gauge<string>).set(entry.values(labels) ?? {}, value);
      } catch {
        // as above
      }
    },
    observe(name, labels, value) {
      try {
        const entry = entryFor(name, 'observe', labels);
        if (entry.type === 'histogram')
          (entry.metric as Histogram<string>).observe(entry.values(labels) ?? {}, value);
      } catch {
        // as above
      }
    },
    metricsText: () => registry.metrics(),
    async close() {
      sampler?.stop();
    },
  };
  return metrics;
}
