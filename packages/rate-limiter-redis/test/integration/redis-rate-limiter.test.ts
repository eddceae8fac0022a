import { randomUUID } from 'node:crypto';
import { createServer, type RateLimiterV1, type SockudoServer } from '@sockudo/core';
import Pusher from 'pusher';
import { afterEach, describe, expect, it } from 'vitest';
import { createRedisRateLimiter } from '../../src/index.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const CLUSTER_NODES = (
  process.env.REDIS_CLUSTER_NODES ?? '127.0.0.1:7000,127.0.0.1:7001,127.0.0.1:7002'
).split(',');

const opened: Array<{ close?: () => Promise<void> }> = [];
afterEach(async () => {
  await Promise.allSettled(opened.splice(0).map((o) => o.close?.()));
});

function limiter(options: Parameters<typeof createRedisRateLimiter>[0]): RateLimiterV1 {
  const created = createRedisRateLimiter(options);
  opened.push(created);
  return created;
}

describe.each([
  ['redis', (prefix: string) => ({ url: REDIS_URL, prefix })],
  ['redis cluster', (prefix: string) => ({ nodes: CLUSTER_NODES, prefix })],
])('%s rate limiter', (_name, optionsFor) => {
  it('is reachable (the services script must have started it)', async () => {
    await expect(limiter(optionsFor(`t:${randomUUID()}:`)).checkHealth?.()).resolves.toBeUndefined();
  });

  it('counts points in a window and refuses without consuming', async () => {
    const rl = limiter(optionsFor(`t:${randomUUID()}:`));
    expect(await rl.consume('k', 2, 3, 5)).toMatchObject({ allowed: true, remaining: 1, limit: 3 });
    const refused = await rl.consume('k', 2, 3, 5);
    expect(refused).toMatchObject({ allowed: false, remaining: 1 });
    expect(refused.resetSeconds).toBeGreaterThan(0);
    expect(refused.resetSeconds).toBeLessThanOrEqual(5);
    // The refusal consumed nothing: one more point still fits.
    expect(await rl.consume('k', 1, 3, 5)).toMatchObject({ allowed: true, remaining: 0 });
  });

  it('shares one limit between two clients (two instances)', async () => {
    const prefix = `t:${randomUUID()}:`;
    const a = limiter(optionsFor(prefix));
    const b = limiter(optionsFor(prefix));
    expect((await a.consume('shared', 1, 2, 5)).allowed).toBe(true);
    expect((await b.consume('shared', 1, 2, 5)).allowed).toBe(true);
    expect((await a.consume('shared', 1, 2, 5)).allowed).toBe(false);
    expect((await b.consume('shared', 1, 2, 5)).allowed).toBe(false);
  });

  it('starts a new window when the old one expires', async () => {
    const rl = limiter(optionsFor(`t:${randomUUID()}:`));
    expect((await rl.consume('w', 1, 1, 0.2)).allowed).toBe(true);
    expect((await rl.consume('w', 1, 1, 0.2)).allowed).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 350));
    expect((await rl.consume('w', 1, 1, 0.2)).allowed).toBe(true);
  });
});

describe('two Sockudo instances sharing the redis rate limiter', () => {
  const servers: SockudoServer[] = [];
  afterEach(async () => {
    await Promise.allSettled(servers.splice(0).map((s) => s.close({ gracePeriodMs: 100 })));
  });

  it('enforce one max_backend_events_per_second across both', async () => {
    const prefix = `t:${randomUUID()}:`;
    const apps = [{ id: 'app-id', key: 'app-key', secret: 'app-secret', max_backend_events_per_second: 3 }];
    const ports: number[] = [];
    for (let i = 0; i < 2; i++) {
      const server = createServer({
        host: '127.0.0.1',
        port: 0,
        apps,
        rateLimiter: limiter({ url: REDIS_URL, prefix }),
      });
      servers.push(server);
      ports.push((await server.listen()).port);
    }
    const backend = (port: number) =>
      new Pusher({
        appId: 'app-id',
        key: 'app-key',
        secret: 'app-secret',
        host: '127.0.0.1',
        port: String(port),
        useTLS: false,
      });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      try {
        statuses.push((await backend(ports[i % 2]!).trigger('ch', 'ev', { i })).status);
      } catch (error) {
        statuses.push((error as { status: number }).status);
      }
    }
    // Both instances drew from one budget of 3 per second: not 3 each.
    expect(statuses.filter((s) => s === 200).length).toBe(3);
    expect(statuses.filter((s) => s === 429).length).toBe(2);
  });
});
