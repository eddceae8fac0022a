// Event-loop lag from perf_hooks' histogram of timer delays, summarised every few seconds. Sampled on a
// timer rather than on scrape so that two scrapers (or none) do not change what the figure means.

import { monitorEventLoopDelay } from 'node:perf_hooks';

/** A running sampler; `stop()` ends its timer and the histogram. */
export interface EventLoopLagSampler {
  stop(): void;
}

/**
 * Calls `report(meanSeconds, p99Seconds)` every `intervalMs` with the event-loop delay seen since the
 * previous report. The timer is unref'd: it never keeps a process alive.
 */
export function startEventLoopLagSampler(
  intervalMs: number,
  report: (meanSeconds: number, p99Seconds: number) => void,
): EventLoopLagSampler {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  const timer = setInterval(() => {
    // With no sample yet the mean is NaN; report nothing rather than a made-up zero.
    if (histogram.count > 0) report(histogram.mean / 1e9, histogram.percentile(99) / 1e9);
    histogram.reset();
  }, intervalMs);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      histogram.disable();
    },
  };
}
