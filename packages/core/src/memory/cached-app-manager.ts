// An app cache in front of any app manager, so a reconnect storm of thousands of sockets becomes one
// query per app per TTL rather than one per socket. Concurrent lookups of the same key share one query,
// and unknown ids/keys are remembered briefly too, so a flood with a wrong key cannot reach the store.

import type { App } from '../apps/app.js';
import type { AppManagerV1 } from '../spec/v1/index.js';

/** Options of {@link createCachedAppManager}. */
export interface CachedAppManagerOptions {
  /** Seconds an app found in the store is served from the cache. @default 300 (Rust Sockudo's) */
  ttlSeconds?: number;
  /** Seconds an unknown id or key is remembered as unknown. @default min(ttlSeconds, 5) */
  missTtlSeconds?: number;
  /** Most entries kept; the oldest are dropped first. @default 10000 */
  maxEntries?: number;
}

interface Entry {
  app: App | undefined;
  expiresAt: number;
}

/**
 * Wraps `inner` with a TTL cache by id and by key. Writes through the wrapper update the cache at once;
 * changes made in the store directly show up after the TTL.
 */
export function createCachedAppManager(
  inner: AppManagerV1,
  options: CachedAppManagerOptions = {},
): AppManagerV1 {
  const ttlMs = (options.ttlSeconds ?? 300) * 1000;
  const missTtlMs = (options.missTtlSeconds ?? Math.min(options.ttlSeconds ?? 300, 5)) * 1000;
  const maxEntries = options.maxEntries ?? 10_000;
  const entries = new Map<string, Entry>();
  const inflight = new Map<string, Promise<App | undefined>>();

  const remember = (cacheKey: string, app: App | undefined) => {
    entries.delete(cacheKey);
    entries.set(cacheKey, { app, expiresAt: Date.now() + (app ? ttlMs : missTtlMs) });
    if (entries.size > maxEntries) entries.delete(entries.keys().next().value as string);
  };
  const rememberApp = (app: App) => {
    remember(`id:${app.id}`, app);
    remember(`key:${app.key}`, app);
  };
  const forget = (app: App | undefined) => {
    if (!app) return;
    entries.delete(`id:${app.id}`);
    entries.delete(`key:${app.key}`);
  };

  const lookup = (cacheKey: string, load: () => Promise<App | undefined>): Promise<App | undefined> => {
    const entry = entries.get(cacheKey);
    if (entry && entry.expiresAt > Date.now()) return Promise.resolve(entry.app);
    const running = inflight.get(cacheKey);
    if (running) return running;
    const query = load()
      .then((app) => {
        if (app) rememberApp(app);
        else remember(cacheKey, undefined);
        return app;
      })
      .finally(() => inflight.delete(cacheKey));
    inflight.set(cacheKey, query);
    return query;
  };

  const manager: AppManagerV1 = {
    specVersion: 1,
    findById: (id) => lookup(`id:${id}`, () => inner.findById(id)),
    findByKey: (key) => lookup(`key:${key}`, () => inner.findByKey(key)),
  };
  if (inner.getApps) manager.getApps = () => inner.getApps!();
  if (inner.createApp) {
    manager.createApp = async (app) => {
      await inner.createApp!(app);
      rememberApp(app);
    };
  }
  if (inner.updateApp) {
    manager.updateApp = async (app) => {
      forget(entries.get(`id:${app.id}`)?.app);
      await inner.updateApp!(app);
      rememberApp(app);
    };
  }
  if (inner.deleteApp) {
    manager.deleteApp = async (id) => {
      forget(entries.get(`id:${id}`)?.app);
      entries.delete(`id:${id}`);
      await inner.deleteApp!(id);
    };
  }
  if (inner.checkHealth) manager.checkHealth = () => inner.checkHealth!();
  manager.close = async () => {
    entries.clear();
    await inner.close?.();
  };
  return manager;
}
