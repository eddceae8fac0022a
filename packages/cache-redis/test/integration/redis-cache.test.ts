// The Redis cache against a real Redis and a real Redis Cluster: round trips, TTLs, prefixes, what
// happens while Redis is unreachable, and ownership of the connection.

import { randomUUID } from 'node:crypto';
import type { CacheV1 } from '@sockudo/core';
import {
  freePort,
  REDIS_CLUSTER_NODES,
  REDIS_URL,
  requireRedis,
  requireRedisCluster,
  sleep,
} from '@sockudo/test-helpers/services';
import { Cluster, Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createRedisCache, type RedisCacheOptions } from '../../src/index.js';

const opened: CacheV1[] = [];
afterEach(async () => {
  await Promise.allSettled(opened.splice(0).map((cache) => cache.close?.()));
});

/** Every key the tests wrote (with its prefix), removed after each test. */
const written = new Set<string>();

function cache(options: RedisCacheOptions): CacheV1 {
  const created = createRedisCache(options);
  opened.push(created);
  const set = created.set.bind(created);
  created.set = (key, value, ttl) => {
    written.add(`${options.prefix ?? 'sockudo_cache:'}${key}`);
    return set(key, value, ttl);
  };
  return created;
}

const modes = [
  {
    name: 'redis',
    require: requireRedis,
    options: (prefix: string): RedisCacheOptions => ({ url: REDIS_URL, prefix }),
    raw: () => new Redis(REDIS_URL) as Redis | Cluster,
  },
  {
    name: 'redis cluster',
    require: requireRedisCluster,
    options: (prefix: string): RedisCacheOptions => ({ nodes: REDIS_CLUSTER_NODES, prefix }),
    raw: () => new Cluster(REDIS_CLUSTER_NODES) as Redis | Cluster,
  },
];

describe.each(modes)('$name cache', (mode) => {
  let raw: Redis | Cluster;
  beforeAll(async () => {
    await mode.require();
    raw = mode.raw();
  });
  afterEach(async () => {
    const keys = [...written];
    written.clear();
    // One DEL per key: on a cluster the keys are in different slots.
    await Promise.all(keys.map((key) => raw.del(key)));
  });
  afterAll(async () => {
    await raw?.quit();
  });
  const prefix = () => `test_cache:${randomUUID()}:`;

  it('is reachable (scripts/services.sh must have started it)', async () => {
    // A new cluster client first discovers the slots; on a loaded machine that can outlast one health
    // check's deadline, so allow a few attempts before calling the service missing.
    const c = cache(mode.options(prefix()));
    let lastError: unknown;
    for (let attempt = 0; attempt < 8; attempt++) {
      try {
        await c.checkHealth?.();
        return;
      } catch (error) {
        lastError = error;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
    throw new Error(`Redis${mode.name === 'redis' ? '' : ' Cluster'} is not reachable: ${String(lastError)}`);
  });

  it('round-trips values, overwrites, and answers undefined for a missing key', async () => {
    const c = cache(mode.options(prefix()));
    expect(await c.get('missing')).toBeUndefined();
    const frame = JSON.stringify({ event: 'e', channel: 'cache-x', data: '{"ünï":"código ✓"}' });
    await c.set('a', frame);
    expect(await c.get('a')).toBe(frame);
    await c.set('a', 'second');
    expect(await c.get('a')).toBe('second');
    await c.set('empty', '');
    expect(await c.get('empty')).toBe('');
    await Promise.all([c.delete('a'), c.delete('empty')]);
  });

  it('spreads independent keys over the cluster (or one server) and reads each back', async () => {
    const c = cache(mode.options(prefix()));
    const keys = Array.from({ length: 50 }, (_, i) => `app:1:channel:cache-${i}:cache_miss`);
    await Promise.all(keys.map((key, i) => c.set(key, `v${i}`, 60)));
    expect(await Promise.all(keys.map((key) => c.get(key)))).toEqual(keys.map((_, i) => `v${i}`));
  });

  it('expires entries after their TTL (SET … PX)', async () => {
    const p = prefix();
    const c = cache(mode.options(p));
    await c.set('short', 'v', 0.3);
    await c.set('forever', 'v');
    await c.set('zero', 'v', 0);
    expect(await c.get('short')).toBe('v');
    const pttl = await raw.pttl(`${p}short`);
    expect(pttl).toBeGreaterThan(0);
    expect(pttl).toBeLessThanOrEqual(300);
    await sleep(450);
    expect(await c.get('short')).toBeUndefined();
    expect(await c.get('forever')).toBe('v');
    expect(await c.get('zero')).toBe('v');
    await Promise.all([c.delete('forever'), c.delete('zero')]);
  });

  it('reports ttl() in seconds, -1 without expiry and undefined for a missing key', async () => {
    const c = cache(mode.options(prefix()));
    await c.set('ttl', 'v', 1800);
    const ttl = await c.ttl?.('ttl');
    expect(ttl).toBeGreaterThanOrEqual(1799);
    expect(ttl).toBeLessThanOrEqual(1800);
    await c.set('sub-second', 'v', 0.5);
    expect(await c.ttl?.('sub-second')).toBe(1); // rounded up: still there
    await c.set('never', 'v');
    expect(await c.ttl?.('never')).toBe(-1);
    expect(await c.ttl?.('missing')).toBeUndefined();
    await c.delete('never');
  });

  it('deletes entries', async () => {
    const c = cache(mode.options(prefix()));
    await c.set('gone', 'v', 60);
    await c.delete('gone');
    expect(await c.get('gone')).toBeUndefined();
    expect(await c.ttl?.('gone')).toBeUndefined();
    await expect(c.delete('never-existed')).resolves.toBeUndefined();
  });

  it('keeps prefixes apart and shares entries between instances with the same prefix', async () => {
    const p1 = prefix();
    const p2 = prefix();
    const a = cache(mode.options(p1));
    const b = cache(mode.options(p2));
    const a2 = cache(mode.options(p1));
    await a.set('k', 'from-a', 60);
    await b.set('k', 'from-b', 60);
    expect(await a.get('k')).toBe('from-a');
    expect(await b.get('k')).toBe('from-b');
    expect(await a2.get('k')).toBe('from-a');
    // The key layout is `${prefix}${key}`.
    expect(await raw.get(`${p1}k`)).toBe('from-a');
    expect(await raw.get(`${p2}k`)).toBe('from-b');
    await b.delete('k');
    expect(await a.get('k')).toBe('from-a');
  });

  it('uses a client it is given and leaves it open on close()', async () => {
    const client = mode.raw();
    try {
      const p = prefix();
      const c = createRedisCache({ client, prefix: p });
      await c.set('k', 'v', 60);
      expect(await client.get(`${p}k`)).toBe('v');
      await c.close?.();
      expect(await client.get(`${p}k`)).toBe('v');
      await client.del(`${p}k`);
    } finally {
      await client.quit();
    }
  });
});

describe('default prefix', () => {
  beforeAll(requireRedis);

  it("is Rust Sockudo's sockudo_cache:", async () => {
    const raw = new Redis(REDIS_URL);
    try {
      const key = `test_default_prefix:${randomUUID()}`;
      const c = cache({ url: REDIS_URL });
      await c.set(key, 'v', 30);
      expect(await raw.get(`sockudo_cache:${key}`)).toBe('v');
      await c.delete(key);
    } finally {
      await raw.quit();
    }
  });
});

describe('while Redis is unreachable', () => {
  it('rejects within the command timeout instead of waiting, and never crashes the process', async () => {
    const port = await freePort(); // nothing listens here
    const c = cache({ url: `redis://127.0.0.1:${port}`, commandTimeoutMs: 300 });
    for (const operation of [() => c.get('k'), () => c.set('k', 'v', 10), () => c.checkHealth?.()]) {
      const started = Date.now();
      await expect(operation()).rejects.toThrow();
      expect(Date.now() - started).toBeLessThan(1500);
    }
    const closing = Date.now();
    await c.close?.();
    expect(Date.now() - closing).toBeLessThan(1500);
  });

  it('does the same for a Redis Cluster whose nodes are all down', async () => {
    const ports = [await freePort(), await freePort()];
    const c = cache({ nodes: ports.map((port) => `127.0.0.1:${port}`), commandTimeoutMs: 300 });
    const started = Date.now();
    await expect(c.get('k')).rejects.toThrow();
    await expect(c.checkHealth?.()).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(3000);
    await c.close?.();
  });
});
