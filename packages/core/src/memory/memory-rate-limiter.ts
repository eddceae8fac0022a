import type { RateLimiterV1 } from '../spec/v1/index.js';

interface Window {
  startedAt: number;
  used: number;
}

/** A fixed-window limiter in process. Windows past their end are swept, so keys never accumulate. */
export function createMemoryRateLimiter(): RateLimiterV1 {
  const windows = new Map<string, Window>();
  let lastSweep = Date.now();
  const sweep = (now: number, windowMs: number) => {
    if (now - lastSweep < 10_000) return;
    lastSweep = now;
    for (const [key, w] of windows) if (now - w.startedAt >= windowMs) windows.delete(key);
  };
  return {
    specVersion: 1,
    async consume(key, points, limit, windowSeconds) {
      const now = Date.now();
      const windowMs = windowSeconds * 1000;
      sweep(now, windowMs);
      let w = windows.get(key);
      if (!w || now - w.startedAt >= windowMs) {
        w = { startedAt: now, used: 0 };
        windows.set(key, w);
      }
      const resetSeconds = Math.max(0, Math.ceil((w.startedAt + windowMs - now) / 1000));
      if (w.used + points > limit)
        return { allowed: false, limit, remaining: Math.max(0, limit - w.used), resetSeconds };
      w.used += points;
      return { allowed: true, limit, remaining: limit - w.used, resetSeconds };
    },
    async checkHealth() {},
    async close() {
      windows.clear();
    },
  };
}
