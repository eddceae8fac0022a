// Latency percentiles from node's native HDR histogram: one cheap call per sample, no arrays to sort.
import { createHistogram, type RecordableHistogram } from 'node:perf_hooks';

/** Percentiles of recorded latencies, in milliseconds. */
export interface LatencySummary {
  count: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
  meanMs: number;
}

/** Records latencies in milliseconds at microsecond resolution. */
export class LatencyRecorder {
  private readonly histogram: RecordableHistogram = createHistogram();

  /** Adds one sample; negative or sub-microsecond values count as 1 µs (the histogram's floor). */
  record(milliseconds: number): void {
    this.histogram.record(Math.max(1, Math.round(milliseconds * 1000)));
  }

  /** Percentiles so far; all zero when nothing was recorded. */
  summary(): LatencySummary {
    const h = this.histogram;
    const count = h.count;
    const ms = (micros: number) => (count === 0 ? 0 : round(micros / 1000));
    return {
      count,
      p50Ms: ms(h.percentile(50)),
      p90Ms: ms(h.percentile(90)),
      p99Ms: ms(h.percentile(99)),
      p999Ms: ms(h.percentile(99.9)),
      maxMs: ms(h.max),
      meanMs: ms(h.mean),
    };
  }
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
