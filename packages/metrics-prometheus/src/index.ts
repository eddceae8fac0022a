export {
  DEFAULT_LATENCY_BUCKETS_MS,
  type MetricDefinition,
  type MetricType,
  SOCKUDO_METRICS,
} from './metric-definitions.js';
export {
  type MetricsServer,
  type MetricsServerOptions,
  type MetricsSource,
  startMetricsServer,
} from './metrics-server.js';
export {
  createPrometheusMetrics,
  type PrometheusMetrics,
  type PrometheusMetricsOptions,
} from './prometheus-metrics.js';
export { prometheusLabelName, prometheusMetricName } from './prometheus-names.js';
