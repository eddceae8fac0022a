// Idempotent publish, as Rust Sockudo does it: a request's key is claimed in the app's cache with a
// `__processing__` sentinel (an atomic set-if-absent), the first response is stored under it for the
// TTL, and a duplicate gets that response and publishes nothing. Cache keys and values are Rust
// Sockudo's, so Node and Rust nodes sharing one Redis cache agree on what was published.

import type { App } from '../apps/app.js';
import type { IdempotencySettings } from '../engine/extension-settings.js';
import type { CacheV1 } from '../spec/v1/index.js';
import type { Logger } from '../util/logger.js';
import { sleep } from '../util/with-timeout.js';
import { HttpError } from './respond.js';

/** What a claimed key holds until the first request has its response. */
export const IDEMPOTENCY_PROCESSING = '__processing__';
/** What a batch event's key holds once the event is published (Rust Sockudo's marker). */
const EVENT_PUBLISHED = '1';

/** The cache key of a trigger's (or a batch event's) idempotency key. */
export function idempotencyCacheKey(appId: string, key: string): string {
  return `app:${appId}:idempotency:${key}`;
}

/** The cache key of a whole batch's key (`X-Idempotency-Key` on `/batch_events`): a namespace of its own. */
export function batchIdempotencyCacheKey(appId: string, key: string): string {
  return `app:${appId}:batch-idempotency:${key}`;
}

/** The server's settings with the app's `policy.idempotency` over them. */
export function idempotencyFor(app: App, server: IdempotencySettings): IdempotencySettings {
  const own = app.idempotency;
  if (!own) return server;
  return {
    enabled: own.enabled ?? server.enabled,
    ttlSeconds: own.ttlSeconds ?? server.ttlSeconds,
    maxKeyLength: server.maxKeyLength,
  };
}

/** Checks a key Rust Sockudo's way (400 when empty or longer than `maxKeyLength` bytes). */
function checkKey(key: unknown, where: string, settings: IdempotencySettings): string {
  if (typeof key !== 'string') throw new HttpError(400, `${where} must be a string`);
  if (key === '') throw new HttpError(400, 'Idempotency key must not be empty');
  if (Buffer.byteLength(key) > settings.maxKeyLength) {
    throw new HttpError(400, `Idempotency key exceeds maximum length of ${settings.maxKeyLength} characters`);
  }
  return key;
}

/** A batch event's own `idempotency_key`, checked; undefined when absent or idempotency is off. */
export function eventIdempotencyKey(
  raw: unknown,
  where: string,
  settings: IdempotencySettings,
): string | undefined {
  const key = (raw as { idempotency_key?: unknown } | null)?.idempotency_key;
  if (!settings.enabled || key === undefined || key === null) return undefined;
  return checkKey(key, `${where}.idempotency_key`, settings);
}

/** The `X-Idempotency-Key` header, checked; undefined when absent or idempotency is off. */
export function headerIdempotencyKey(
  header: string | string[] | undefined,
  settings: IdempotencySettings,
): string | undefined {
  if (!settings.enabled || header === undefined) return undefined;
  return checkKey(Array.isArray(header) ? header[0] : header, 'X-Idempotency-Key', settings);
}

/** Outcome of {@link IdempotencyStore.claim}: publish (and then commit or release), or replay `body`. */
export type ClaimResult = { claimed: true } | { claimed: false; body: unknown };

const unavailable = () => new HttpError(503, 'Idempotency coordination is temporarily unavailable');

/** The idempotency records of the app cache. Every cache failure fails closed (503), as in Rust Sockudo. */
export class IdempotencyStore {
  /**
   * @param waitMs how long a duplicate waits for the first request's response before answering 503
   *   with `Retry-After: 1` (Rust Sockudo waits 300 ms; a loaded node can take longer to publish).
   */
  constructor(
    private readonly cache: CacheV1,
    private readonly logger: Logger,
    private readonly waitMs = 5000,
    private readonly pollMs = 25,
  ) {}

  /**
   * Claims `cacheKey` for this request, or returns the response of the request that did. While that one
   * is still publishing, waits (polling) for its response; if it fails and releases the key, one of the
   * waiting duplicates claims it and publishes instead.
   */
  async claim(cacheKey: string, ttlSeconds: number): Promise<ClaimResult> {
    const deadline = performance.now() + this.waitMs;
    for (;;) {
      const current = await this.read(cacheKey);
      if (current !== undefined && current !== IDEMPOTENCY_PROCESSING) {
        return { claimed: false, body: storedBody(current) };
      }
      if (current === undefined && (await this.setIfAbsent(cacheKey, IDEMPOTENCY_PROCESSING, ttlSeconds))) {
        return { claimed: true };
      }
      if (performance.now() >= deadline) {
        throw new HttpError(503, 'Idempotent publish is still in progress', { 'Retry-After': '1' });
      }
      await sleep(this.pollMs);
    }
  }

  /**
   * Claims a batch event's key: true when this request should publish the event, false when the key
   * was seen before (published or being published), in which case the event is skipped, as in Rust
   * Sockudo.
   */
  async claimEvent(cacheKey: string, ttlSeconds: number): Promise<boolean> {
    if ((await this.read(cacheKey)) !== undefined) return false;
    return this.setIfAbsent(cacheKey, IDEMPOTENCY_PROCESSING, ttlSeconds);
  }

  /** Stores the first response under a claimed key; a failure is logged, as the event is already out. */
  async commit(cacheKey: string, body: unknown, ttlSeconds: number): Promise<void> {
    await this.store(cacheKey, JSON.stringify(body), ttlSeconds);
  }

  /** Marks a batch event's claimed key as published. */
  async commitEvent(cacheKey: string, ttlSeconds: number): Promise<void> {
    await this.store(cacheKey, EVENT_PUBLISHED, ttlSeconds);
  }

  /** Gives a claimed key up after a failed publish, so a retry publishes (best effort). */
  async release(cacheKey: string): Promise<void> {
    try {
      if ((await this.cache.get(cacheKey)) === IDEMPOTENCY_PROCESSING) await this.cache.delete(cacheKey);
    } catch (error) {
      this.logger.warn('could not release an idempotency key', { cacheKey, error: String(error) });
    }
  }

  private async read(cacheKey: string): Promise<string | undefined> {
    try {
      return await this.cache.get(cacheKey);
    } catch (error) {
      this.logger.warn('idempotency cache unavailable; rejecting the publish', { error: String(error) });
      throw unavailable();
    }
  }

  /** The cache's atomic claim, or (for a cache without one) get-then-set, which two racers can both win. */
  private async setIfAbsent(cacheKey: string, value: string, ttlSeconds: number): Promise<boolean> {
    const ttl = Math.max(1, ttlSeconds);
    try {
      if (this.cache.setIfAbsent) return await this.cache.setIfAbsent(cacheKey, value, ttl);
      if ((await this.cache.get(cacheKey)) !== undefined) return false;
      await this.cache.set(cacheKey, value, ttl);
      return true;
    } catch (error) {
      this.logger.warn('idempotency cache unavailable; rejecting the publish', { error: String(error) });
      throw unavailable();
    }
  }

  private async store(cacheKey: string, value: string, ttlSeconds: number): Promise<void> {
    try {
      await this.cache.set(cacheKey, value, Math.max(1, ttlSeconds));
    } catch (error) {
      this.logger.warn('could not store an idempotent response', { cacheKey, error: String(error) });
    }
  }
}

/** A stored response body; a value that is not a JSON object (a batch event's marker) answers `{}`. */
function storedBody(text: string): unknown {
  try {
    const body: unknown = JSON.parse(text);
    if (typeof body === 'object' && body !== null && !Array.isArray(body)) return body;
  } catch {
    // fall through: written by something else (Rust Sockudo's cross-node marker, say)
  }
  return {};
}
