// `sockudo start` with each cluster adapter, as real processes against the machine's brokers (Redis
// 6379, the Redis Cluster 7000-7005 of `bash scripts/services.sh start`, NATS 4222): two nodes of one
// cluster, a pusher-js client on one, a signed trigger through the other.

import { describe, expect, it } from 'vitest';
import { DEFAULT_APP } from '../src/index.js';
import { runSockudo, startNode, triggerAcross, uniqueId } from './driver-helpers.js';
import { tempDir } from './helpers.js';

/** Two nodes started from the same config.json (plus `env`). */
async function twoNodes(config: Record<string, unknown>, env: Record<string, string> = {}) {
  const cwd = tempDir({ 'sockudo.json': { host: '127.0.0.1', port: 0, ...config } });
  const args = ['-c', 'sockudo.json'];
  return Promise.all([startNode(args, { cwd, env }), startNode(args, { cwd, env })]);
}

describe('sockudo start with ADAPTER_DRIVER=redis and REDIS_URL', () => {
  it('joins the nodes of one prefix: pusher-js on one node receives a trigger sent to the other', async () => {
    const [a, b] = await twoNodes(
      { adapter: { redis: { prefix: `sockudo_test_${uniqueId()}:` } } },
      { ADAPTER_DRIVER: 'redis', REDIS_URL: 'redis://127.0.0.1:6379' },
    );
    expect(a.output()).toMatch(/Sockudo listening on .* adapter=redis/);
    expect(await triggerAcross(a.port, b.port, DEFAULT_APP)).toEqual({ hello: 'drivers' });
    expect(await triggerAcross(b.port, a.port, DEFAULT_APP)).toEqual({ hello: 'drivers' });
  });
});

// The shapes exactly as our issue documents them (plus host and port).
describe('the documented adapter shapes start, listen and deliver across nodes', () => {
  it('"redis" with redis_settings.dsn', async () => {
    const [a, b] = await twoNodes({
      adapter: { driver: 'redis', redis_settings: { dsn: 'redis://127.0.0.1:6379/0' } },
    });
    expect(a.output()).toMatch(/adapter=redis\b/);
    expect(await triggerAcross(a.port, b.port, DEFAULT_APP)).toEqual({ hello: 'drivers' });
  });

  it('"redis_cluster" with redis_cluster_settings.dsns', async () => {
    const [a, b] = await twoNodes({
      adapter: {
        driver: 'redis_cluster',
        redis_cluster_settings: { dsns: ['redis://127.0.0.1:7000', 'redis://127.0.0.1:7001'] },
      },
    });
    expect(a.output()).toMatch(/adapter=redis-cluster\b/);
    expect(await triggerAcross(a.port, b.port, DEFAULT_APP)).toEqual({ hello: 'drivers' });
  });

  it('"nats" with nats_settings.url and subject_prefix', async () => {
    const [a, b] = await twoNodes({
      adapter: {
        driver: 'nats',
        nats_settings: { url: 'nats://127.0.0.1:4222', subject_prefix: 'sockudo_events' },
      },
    });
    expect(a.output()).toMatch(/adapter=nats\b/);
    expect(await triggerAcross(a.port, b.port, DEFAULT_APP)).toEqual({ hello: 'drivers' });
  });
});

describe('an unreachable broker at start', () => {
  // Nothing listens on port 1; the URL carries a password that must never be printed.
  const unreachable = { driver: 'redis', redis_settings: { dsn: 'redis://:do-not-print-me@127.0.0.1:1/0' } };

  it('with fallback_to_local false: exits 1 naming the driver and address, before listening', async () => {
    const cwd = tempDir({
      'sockudo.json': { host: '127.0.0.1', port: 0, adapter: { ...unreachable, fallback_to_local: false } },
    });
    const result = await runSockudo(['start', '-c', 'sockudo.json'], { cwd });
    const output = result.stdout + result.stderr;
    expect(result.code).toBe(1);
    expect(output).toContain(
      'failed to start: adapter.driver redis: cannot connect to redis://127.0.0.1:1/0',
    );
    expect(output).not.toContain('listening');
    expect(output).not.toContain('do-not-print-me');
  });

  it('with fallback_to_local true (the default): warns and serves on the local adapter', async () => {
    const cwd = tempDir({ 'sockudo.json': { host: '127.0.0.1', port: 0, adapter: unreachable } });
    const node = await startNode(['-c', 'sockudo.json'], { cwd, timeoutMs: 15_000 });
    expect(node.output()).toContain('adapter.driver redis: cannot connect to redis://127.0.0.1:1/0');
    expect(node.output()).toContain('running on the local adapter (this node alone)');
    expect(node.output()).toMatch(/Sockudo listening on .* adapter=local/);
    expect(node.output()).not.toContain('do-not-print-me');
    expect(await triggerAcross(node.port, node.port, DEFAULT_APP)).toEqual({ hello: 'drivers' });
  });
});
