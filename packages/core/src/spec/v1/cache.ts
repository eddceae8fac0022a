/**
 * A string key/value store with per-entry TTL: cache channels, the app cache.
 *
 * What every implementation promises (checked by `cacheTestSuite` of `@sockudo/test-suite`):
 * keys are independent whatever characters they hold (no pattern or prefix matching); values come back
 * byte for byte, the empty string included; instances configured with different prefixes/namespaces
 * never see each other's entries.
 */
export interface CacheV1 {
  readonly specVersion: 1;
  /** The value stored under `key`, or `undefined` when it was never set, was deleted or has expired. */
  get(key: string): Promise<string | undefined>;
  /**
   * Stores `value` under `key`, replacing any previous value **and its TTL**: a set without a TTL makes
   * the entry permanent again.
   * @param ttlSeconds seconds until the entry expires; 0, a negative number or omitted = no expiry.
   */
  set(key: string, value: string, ttlSeconds?: number): Promise<void>;
  /**
   * Stores `value` under `key` only if no live entry is there, **atomically**: when several callers on
   * any number of nodes race for the same key, exactly one resolves `true`. Idempotent publish uses it to
   * claim a key before publishing. Optional so that caches written before it still load; without it the
   * engine falls back to `get` then `set`, and two racing duplicates may both publish.
   * @param ttlSeconds seconds until the entry expires; rounded up to at least 1.
   * @returns `true` when `value` was stored, `false` when a live entry was already there (left as it was).
   */
  setIfAbsent?(key: string, value: string, ttlSeconds: number): Promise<boolean>;
  /** Removes `key`; resolves whether or not it existed. */
  delete(key: string): Promise<void>;
  /** Seconds until `key` expires (rounded up); `undefined` when missing, -1 when it never expires. */
  ttl?(key: string): Promise<number | undefined>;
  checkHealth?(): Promise<void>;
  /** Releases the connection; calling it again resolves. */
  close?(): Promise<void>;
}
