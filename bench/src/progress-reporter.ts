// The once-a-second status line on stderr, so a long run shows it is alive and where it stands.
import { performance } from 'node:perf_hooks';

/** Prints `[<scenario> <seconds>s] <status()>` to stderr every second until stopped. */
export class ProgressReporter {
  private readonly timer: NodeJS.Timeout;
  private readonly startedAt = performance.now();

  constructor(scenario: string, status: () => string) {
    this.timer = setInterval(() => {
      const seconds = Math.round((performance.now() - this.startedAt) / 1000);
      process.stderr.write(`[${scenario} ${seconds}s] ${statusOrError(status)}\n`);
    }, 1000);
    // Never keep the process alive just to print progress.
    this.timer.unref();
  }

  /** Stops printing. */
  stop(): void {
    clearInterval(this.timer);
  }
}

/** Counts per one-second tick: `rate(total)` returns how much `total` grew since the previous call. */
export function createRateMeter(): (total: number) => number {
  let previous = 0;
  let previousAt = performance.now();
  return (total) => {
    const now = performance.now();
    const perSecond = ((total - previous) * 1000) / Math.max(1, now - previousAt);
    previous = total;
    previousAt = now;
    return Math.round(perSecond);
  };
}

// A status that cannot be read (e.g. the server process is gone) must not crash the run from a timer.
function statusOrError(status: () => string): string {
  try {
    return status();
  } catch (error) {
    return `(status unavailable: ${(error as Error).message})`;
  }
}
