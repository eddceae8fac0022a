// What the conformance suite cannot know about the Redis history store: its keys (one hash tag per
// channel, so one slot on a cluster), their expiry, the default prefix, a client it is given, and what
// happens while Redis is unreachable.

import { randomUUID } from 'node:crypto';
import type { HistoryStoreV1 } from '@sockudo/core';
import { deleteKeysUnder, REDIS_MODES } from '@sockudo/test-helpers/redis-modes';
import { freePort, REDIS_URL, requireRedis } from '@sockudo/test-helpers/services';
import { Cluster, Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createRedisHistoryStore, historyKeys, type RedisHistoryStoreOptions } from '../../src/index.js';

const opened: HistoryStoreV1[] = [];
afterEach(async () => {
  await Promise.allSettled(opened.splice(0).map((store) => store.close()));
});
const store = (options: RedisHistoryStoreOptions) => {
  const created = createRedisHistoryStore(options);
  opened.push(created);
  return created;
};

describe.each(REDIS_MODES)('$name', (mode) => {
  const prefixes: string[] = [];
  let raw: Redis | Cluster;
  beforeAll(async () => {
    await mode.require();
    raw = mode.raw();
  });
  afterAll(async () => {
    await raw?.quit();
    await deleteKeysUnder(mode, prefixes);
  });
  const prefix = () => {
    const p = `test_history:${randomUUID()}:`;
    prefixes.push(p);
    return p;
  };

  it('keeps a channel in a hash and a stream under one hash tag, expiring with the retention window', async () => {
    const p = prefix();
    const history = store({ ...mode.connection, prefix: p });
    const appended = await history.append(
      'app:1',
      'presence-{room}',
      { payload: 'ünï', eventName: 'e' },
      {
        retentionWindowSeconds: 120,
      },
    );
    const keys = historyKeys(p, 'app:1', 'presence-{room}');
    expect(keys).toEqual({
      meta: `${p}{app%3A1:presence-%7Broom%7D}:meta`,
      entries: `${p}{app%3A1:presence-%7Broom%7D}:entries`,
    });
    expect(await raw.hgetall(keys.meta)).toMatchObject({ sid: appended.streamId, next: '2', win: '120' });
    const entries = (await raw.xrange(keys.entries, '-', '+')) as Array<[string, string[]]>;
    expect(entries).toEqual([
      ['1-0', ['t', String(appended.publishedAtMs), 'n', '5', 'c', '5', 'o', 'append', 'p', 'ünï', 'e', 'e']],
    ]);
    for (const key of [keys.meta, keys.entries]) {
      const ttl = await raw.pttl(key);
      expect(ttl).toBeGreaterThan(100_000);
      expect(ttl).toBeLessThanOrEqual(120_000);
    }
    if (raw instanceof Cluster) {
      const slots = await Promise.all([keys.meta, keys.entries].map((key) => raw.cluster('KEYSLOT', key)));
      expect(slots[0]).toBe(slots[1]);
    }
  });

  it('spreads channels over the cluster slots and keeps each one consecutive', async () => {
    const history = store({ ...mode.connection, prefix: prefix() });
    const channels = Array.from({ length: 24 }, (_, i) => `chat-${i}`);
    const results = await Promise.all(
      channels.flatMap((channel) =>
        Array.from({ length: 5 }, (_, i) => history.append('app-1', channel, { payload: `${channel}/${i}` })),
      ),
    );
    expect(results).toHaveLength(120);
    for (const channel of channels) {
      const state = await history.state('app-1', channel);
      expect([state.oldestSerial, state.newestSerial, state.nextSerial]).toEqual([1, 5, 6]);
    }
    if (raw instanceof Cluster) {
      const slots = new Set(
        await Promise.all(
          channels.map((channel) => raw.cluster('KEYSLOT', historyKeys('x', 'app-1', channel).meta)),
        ),
      );
      expect(slots.size).toBeGreaterThan(1);
    }
  });

  it('starts a new stream when the channel keys expired', async () => {
    const p = prefix();
    const history = store({ ...mode.connection, prefix: p });
    const first = await history.append('app-1', 'chat', { payload: 'a' });
    const keys = historyKeys(p, 'app-1', 'chat');
    await raw.del(keys.meta); // as if its TTL had run out
    const next = await history.append('app-1', 'chat', { payload: 'b' });
    expect(next.serial).toBe(1);
    expect(next.streamId).not.toBe(first.streamId);
    expect((await history.state('app-1', 'chat')).retainedMessages).toBe(1);
  });

  it('uses a client it is given and leaves it open on close()', async () => {
    const client = mode.raw();
    try {
      const history = createRedisHistoryStore({ client, prefix: prefix() });
      await history.append('app-1', 'chat', { payload: 'x' });
      await history.close();
      expect(await client.ping()).toBe('PONG');
      await expect(history.state('app-1', 'chat')).rejects.toThrow(/after close/);
      await history.close();
    } finally {
      await client.quit();
    }
  });
});

describe('default prefix', () => {
  beforeAll(requireRedis);

  it('is sockudo_history:', async () => {
    const raw = new Redis(REDIS_URL);
    const app = `test-default-${randomUUID()}`;
    try {
      const history = store({ url: REDIS_URL });
      await history.append(app, 'chat', { payload: 'x' }, { retentionWindowSeconds: 30 });
      expect(await raw.exists(`sockudo_history:{${app}:chat}:meta`)).toBe(1);
      await history.reset(app, 'chat');
    } finally {
      await raw.del(`sockudo_history:{${app}:chat}:meta`, `sockudo_history:{${app}:chat}:entries`);
      await raw.quit();
    }
  });
});

describe('while Redis is unreachable', () => {
  it('rejects within the command timeout instead of waiting, and never crashes the process', async () => {
    const port = await freePort(); // nothing listens here
    const history = store({ url: `redis://127.0.0.1:${port}`, commandTimeoutMs: 300 });
    for (const call of [
      () => history.append('app-1', 'chat', { payload: 'x' }),
      () => history.readPage({ appId: 'app-1', channel: 'chat', direction: 'newest_first', limit: 10 }),
      () => history.checkHealth(),
    ]) {
      await expect(call()).rejects.toThrow();
    }
    await history.close();
  });
});
