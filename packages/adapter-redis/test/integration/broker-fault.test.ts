// Redis dies under three connected nodes and comes back on the same port. Runs against a throwaway
// redis-server this test starts and SIGKILLs, never the machine's shared Redis.

import { randomUUID } from 'node:crypto';
import type { TransportV1 } from '@sockudo/core';
import { watchProcessErrors } from '@sockudo/test-helpers/process-errors';
import { type Recorder, recorder } from '@sockudo/test-helpers/recorder';
import { recordingLogger } from '@sockudo/test-helpers/recording-logger';
import { freePort, startRedisServer, type ThrowawayServer } from '@sockudo/test-helpers/services';
import { eventually, settle, sleep } from '@sockudo/test-helpers/wait';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisTransport } from '../../src/index.js';

describe('createRedisTransport when Redis dies and comes back', () => {
  let port: number;
  let server: ThrowawayServer | undefined;
  const nodes: TransportV1[] = [];
  const seen: Recorder[] = [];
  const logger = recordingLogger();

  beforeAll(async () => {
    port = await freePort();
    server = await startRedisServer(port);
    const prefix = `fault-${randomUUID()}:`;
    for (let i = 0; i < 3; i++) {
      nodes.push(
        createRedisTransport({ url: `redis://127.0.0.1:${port}`, prefix, ...(i === 0 && { logger }) }),
      );
      seen.push(recorder());
    }
    await Promise.all(nodes.map((node, i) => node.start(seen[i]!)));
  });

  afterAll(async () => {
    await Promise.all(nodes.map((node) => node.close()));
    await server?.kill();
  });

  it('fails fast while Redis is down, never crashes, and resumes delivery by itself', async () => {
    const processErrors = watchProcessErrors();
    try {
      await nodes[0]!.publishBroadcast('before');
      await eventually(() => {
        for (const s of seen) expect(s.broadcasts).toEqual(['before']);
      });

      // A burst in flight at the moment Redis dies: every publish settles, none is left hanging.
      const burst = Array.from({ length: 2000 }, (_, i) => settle(nodes[0]!.publishBroadcast(`burst-${i}`)));
      await server!.kill();
      const burstResults = await Promise.race([Promise.all(burst), sleep(3000).then(() => 'hung' as const)]);
      expect(burstResults).not.toBe('hung');

      // While down: publishes and checkHealth reject at once, nothing is queued.
      for (const publish of [
        () => nodes[0]!.publishBroadcast('during'),
        () => nodes[1]!.publishRequest('during'),
        () => nodes[2]!.publishResponse('during'),
      ]) {
        const result = await settle(publish());
        expect(result.fulfilled).toBe(false);
        expect(String(result.error)).toMatch(/RedisTransport: publish to .* failed/);
        expect(result.ms).toBeLessThan(100);
      }
      const many = await Promise.all(
        Array.from({ length: 1000 }, () => settle(nodes[1]!.publishBroadcast('x'))),
      );
      expect(many.every((r) => !r.fulfilled)).toBe(true);
      for (const node of nodes) {
        const health = await settle(node.checkHealth());
        expect(health.fulfilled).toBe(false);
        expect(health.ms).toBeLessThan(1500);
      }
      await expect(nodes[0]!.nodeCount!()).rejects.toThrow();

      // Several reconnect attempts fail in the meantime; none may crash the process.
      await sleep(1500);

      server = await startRedisServer(port);
      await eventually(() => Promise.all(nodes.map((node) => node.checkHealth())), 10_000);
      await eventually(async () => expect(await nodes[0]!.nodeCount!()).toBe(3), 10_000);

      // Delivery resumes in every direction, without anyone calling start() again.
      let round = 0;
      await eventually(async () => {
        round++;
        await Promise.all(nodes.map((node, i) => node.publishBroadcast(`after-${i}-${round}`)));
        for (const [i, s] of seen.entries()) {
          for (let from = 0; from < nodes.length; from++) {
            expect(
              s.broadcasts.some((m) => m.startsWith(`after-${from}-`)),
              `node ${i} hears node ${from}`,
            ).toBe(true);
          }
        }
      }, 10_000);
      expect(seen.flatMap((s) => s.broadcasts).filter((m) => m === 'during')).toEqual([]);
      expect(processErrors.errors).toEqual([]);
      const reported = logger.lines.filter((line) => line.level !== 'debug').map((line) => line.message);
      expect(reported).toContain('RedisTransport: publisher connection lost; reconnecting');
      expect(reported).toContain('RedisTransport: subscriber connection restored');
    } finally {
      processErrors.stop();
    }
  });

  it('drops and re-opens the connection when Redis stops answering (SIGSTOP), so nothing piles up', async () => {
    const prefix = `hung-${randomUUID()}:`;
    const hungLogger = recordingLogger();
    const options = {
      url: `redis://127.0.0.1:${port}`,
      prefix,
      publishTimeoutMs: 300,
      healthCheckTimeoutMs: 300,
    };
    const sender = createRedisTransport({ ...options, logger: hungLogger });
    const receiver = createRedisTransport(options);
    const received = recorder();
    await Promise.all([sender.start(recorder()), receiver.start(received)]);
    try {
      server!.process.kill('SIGSTOP');
      const first = await settle(sender.publishBroadcast('while hung'));
      expect(first.fulfilled).toBe(false);
      expect(String(first.error)).toMatch(/Command timed out/);
      expect(first.ms).toBeLessThan(1000);
      expect(hungLogger.lines.map((line) => line.message)).toContain(
        'RedisTransport: Redis did not answer a publish in time; reconnecting',
      );
      // From now on publishes fail at once instead of queueing behind the stalled ones.
      const next = await Promise.all(Array.from({ length: 100 }, () => settle(sender.publishBroadcast('x'))));
      expect(next.every((r) => !r.fulfilled && r.ms < 100)).toBe(true);
      const health = await settle(receiver.checkHealth());
      expect(health.fulfilled).toBe(false);
      expect(health.ms).toBeLessThan(1000);
    } finally {
      server!.process.kill('SIGCONT');
    }
    await eventually(() => Promise.all([sender.checkHealth(), receiver.checkHealth()]), 15_000);
    await eventually(async () => {
      await sender.publishBroadcast('after');
      expect(received.broadcasts).toContain('after');
    }, 10_000);
    await Promise.all([sender.close(), receiver.close()]);
  });

  it('closes promptly while Redis is down', async () => {
    const transport = createRedisTransport({
      url: `redis://127.0.0.1:${port}`,
      prefix: `close-${randomUUID()}:`,
    });
    await transport.start(recorder());
    await server!.kill();
    const closed = await settle(transport.close());
    expect(closed.fulfilled).toBe(true);
    expect(closed.ms).toBeLessThan(1500);
    server = await startRedisServer(port);
  });
});
