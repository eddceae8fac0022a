/** A string key/value store with per-entry TTL: cache channels, the app cache. */
export interface CacheV1 {
  readonly specVersion: 1;
  get(key: string): Promise<string | undefined>;
  /** @param ttlSeconds 0 or omitted = no expiry */
  set(key: string, value: string, ttlSeconds?: number): Promise<void>;
  delete(key: string): Promise<void>;
  /** Seconds until `key` expires; `undefined` when missing, -1 when it never expires. */
  ttl?(key: string): Promise<number | undefined>;
  checkHealth?(): Promise<void>;
  close?(): Promise<void>;
}
