import { describe, expect, it } from 'vitest';
import { type App, type AppManagerV1, appFromRecord, createCachedAppManager } from '../../src/index.js';

/** A store that counts its queries, to see what the cache saves it. */
function countingStore(apps: App[]) {
  const calls = { byId: 0, byKey: 0 };
  const data = new Map(apps.map((app) => [app.id, app]));
  const store: AppManagerV1 = {
    specVersion: 1,
    async findById(id) {
      calls.byId++;
      await new Promise((resolve) => setTimeout(resolve, 5));
      return data.get(id);
    },
    async findByKey(key) {
      calls.byKey++;
      await new Promise((resolve) => setTimeout(resolve, 5));
      return [...data.values()].find((app) => app.key === key);
    },
  };
  return { store, calls, data };
}

const app = appFromRecord({ id: 'a1', key: 'k1', secret: 's1' });

describe('createCachedAppManager', () => {
  it('turns a storm of lookups into one query', async () => {
    const { store, calls } = countingStore([app]);
    const cached = createCachedAppManager(store, { ttlSeconds: 60 });
    const found = await Promise.all(Array.from({ length: 500 }, () => cached.findByKey('k1')));
    expect(found.every((a) => a?.id === 'a1')).toBe(true);
    expect(calls.byKey).toBe(1);
    // Found by key, it is cached by id too.
    expect((await cached.findById('a1'))?.key).toBe('k1');
    expect(calls.byId).toBe(0);
  });

  it('remembers unknown keys briefly, so a flood with a wrong key does not reach the store', async () => {
    const { store, calls } = countingStore([app]);
    const cached = createCachedAppManager(store, { ttlSeconds: 60, missTtlSeconds: 0.05 });
    for (let i = 0; i < 20; i++) expect(await cached.findByKey('nope')).toBeUndefined();
    expect(calls.byKey).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 80));
    await cached.findByKey('nope');
    expect(calls.byKey).toBe(2);
  });

  it('shows a change made in the store after the TTL', async () => {
    const { store, data } = countingStore([app]);
    const cached = createCachedAppManager(store, { ttlSeconds: 0.05 });
    expect((await cached.findById('a1'))?.enabled).toBe(true);
    data.set('a1', { ...app, enabled: false });
    expect((await cached.findById('a1'))?.enabled).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect((await cached.findById('a1'))?.enabled).toBe(false);
  });

  it('does not cache a failed query', async () => {
    let fail = true;
    const store: AppManagerV1 = {
      specVersion: 1,
      findById: async () => {
        if (fail) throw new Error('database unreachable');
        return app;
      },
      findByKey: async () => app,
    };
    const cached = createCachedAppManager(store);
    await expect(cached.findById('a1')).rejects.toThrow('database unreachable');
    fail = false;
    expect((await cached.findById('a1'))?.id).toBe('a1');
  });
});
