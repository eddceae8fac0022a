import type { CacheV1 } from '../spec/v1/index.js';

interface Entry {
  value: string;
  expiresAt: number; // ms since epoch; Infinity = never
}

/** Options of {@link createMemoryCache}. */
export interface MemoryCacheOptions {
  /** Most entries kept; the oldest are evicted first. @default 10000 */
  maxEntries?: number;
}

/** An in-process cache with per-entry TTL and a bound on entries, so it cannot grow without limit. */
export function createMemoryCache(options: MemoryCacheOptions = {}): CacheV1 {
  const maxEntries = options.maxEntries ?? 10_000;
  const entries = new Map<string, Entry>();
  const live = (key: string): Entry | undefined => {
    const entry = entries.get(key);
    if (entry && entry.expiresAt <= Date.now()) {
      entries.delete(key);
      return undefined;
    }
    return entry;
  };
  const store = (key: string, value: string, ttlSeconds: number | undefined): void => {
    entries.delete(key); // re-insert so Map order tracks recency
    entries.set(key, {
      value,
      // 0, negative or no TTL = no expiry (CacheV1), as in the Redis cache.
      expiresAt:
        ttlSeconds !== undefined && ttlSeconds > 0
          ? Date.now() + ttlSeconds * 1000
          : Number.POSITIVE_INFINITY,
    });
    if (entries.size > maxEntries) entries.delete(entries.keys().next().value as string);
  };
  return {
    specVersion: 1,
    async get(key) {
      return live(key)?.value;
    },
    async set(key, value, ttlSeconds) {
      store(key, value, ttlSeconds);
    },
    // Atomic because the check and the store run in one synchronous turn: no other call interleaves.
    async setIfAbsent(key, value, ttlSeconds) {
      if (live(key) !== undefined) return false;
      store(key, value, Math.max(1, Math.ceil(ttlSeconds)));
      return true;
    },
    async delete(key) {
      entries.delete(key);
    },
    async ttl(key) {
      const entry = live(key);
      if (!entry) return undefined;
      return entry.expiresAt === Number.POSITIVE_INFINITY
        ? -1
        : Math.ceil((entry.expiresAt - Date.now()) / 1000);
    },
    async checkHealth() {},
    async close() {
      entries.clear();
    },
  };
}
