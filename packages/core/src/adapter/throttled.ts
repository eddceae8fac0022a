// Rate-limited reporting: a broker that is down fails every publish, and one log line per few seconds
// says so as well as thousands would.

/** Wraps `report` so that it runs at most once per `intervalMs`; calls in between are dropped. */
export function throttled<Args extends unknown[]>(
  intervalMs: number,
  report: (...args: Args) => void,
): (...args: Args) => void {
  let last = Number.NEGATIVE_INFINITY;
  return (...args) => {
    const now = Date.now();
    if (now - last < intervalMs) return;
    last = now;
    report(...args);
  };
}
