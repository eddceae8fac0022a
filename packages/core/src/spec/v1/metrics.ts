/** Labels every metric carries: the app it concerns (empty for node-wide figures). */
export interface MetricLabels {
  appId?: string;
  [label: string]: string | number | undefined;
}

/**
 * Counters, gauges and histograms the engine reports. Names are Rust Sockudo's metric family
 * without the `sockudo_` prefix (`connected`, `new_connections_total`, `ws_messages_sent_total`, ...).
 */
export interface MetricsV1 {
  readonly specVersion: 1;
  increment(name: string, labels?: MetricLabels, value?: number): void;
  gauge(name: string, labels: MetricLabels | undefined, value: number): void;
  observe(name: string, labels: MetricLabels | undefined, value: number): void;
  close?(): Promise<void>;
}
