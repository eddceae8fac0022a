// A MetricsV1 that adds up what an adapter reports, so a test can read a counter or the last value of
// a gauge by name.

import type { MetricLabels, MetricsV1 } from '@sockudo/core';

/** Sums counters and keeps the last value of each gauge, over all labels. */
export class RecordingMetrics implements MetricsV1 {
  readonly specVersion = 1 as const;
  private readonly counters = new Map<string, number>();
  private readonly gauges = new Map<string, number>();

  increment(name: string, _labels?: MetricLabels, value = 1): void {
    this.counters.set(name, (this.counters.get(name) ?? 0) + value);
  }

  gauge(name: string, _labels: MetricLabels | undefined, value: number): void {
    this.gauges.set(name, value);
  }

  observe(): void {}

  /** The sum of every `increment(name)` so far (0 when never reported). */
  counter(name: string): number {
    return this.counters.get(name) ?? 0;
  }

  /** The last value reported for gauge `name`, or `undefined`. */
  lastGauge(name: string): number | undefined {
    return this.gauges.get(name);
  }
}
