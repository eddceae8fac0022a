import type { MetricsV1 } from '../spec/v1/index.js';

/** Metrics that go nowhere: the default when no metrics driver is configured. */
export const noopMetrics: MetricsV1 = Object.freeze({
  specVersion: 1 as const,
  increment() {},
  gauge() {},
  observe() {},
});
