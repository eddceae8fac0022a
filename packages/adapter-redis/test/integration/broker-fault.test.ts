// Redis dies under three connected nodes and comes back on the same port. Runs against a throwaway
// redis-server this test starts, SIGKILLs and SIGSTOPs, never the machine's shared Redis.

import { randomUUID } from 'node:crypto';
import { brokerFaultCases, expectRejectsAtOnce } from '@sockudo/test-helpers/broker-fault-cases';
import { recorder } from '@sockudo/test-helpers/recorder';
import { recordingLogger } from '@sockudo/test-helpers/recording-logger';
import { startThrowawayBroker, useBroker } from '@sockudo/test-helpers/throwaway-broker';
import { eventually, settle } from '@sockudo/test-helpers/wait';
import { describe, expect, it } from 'vitest';
import { createRedisTransport } from '../../src/index.js';

describe('createRedisTransport when Redis dies and comes back', () => {
  const redis = useBroker(() => startThrowawayBroker('redis'));
  const logger = recordingLogger();

  brokerFaultCases({
    broker: redis,
    newPrefix: () => `fault-${randomUUID()}:`,
    createNode: ({ url }, prefix, i) => createRedisTransport({ url, prefix, ...(i === 0 && { logger }) }),
    hearsItself: true,
    burstAtKill: { count: 2000, settleWithinMs: 3000 },
    healthWhileDown: { withinMs: 1500 },
    async whileDown(nodes) {
      // Publishes reject at once, nothing is queued.
      await expectRejectsAtOnce(
        [
          () => nodes[0]!.publishBroadcast('during'),
          () => nodes[1]!.publishRequest('during'),
          () => nodes[2]!.publishResponse('during'),
        ],
        /RedisTransport: publish to .* failed/,
      );
      const many = await Promise.all(
        Array.from({ length: 1000 }, () => settle(nodes[1]!.publishBroadcast('during'))),
      );
      expect(many.every((r) => !r.fulfilled)).toBe(true);
      await expect(nodes[0]!.nodeCount!()).rejects.toThrow();
    },
    recoverWithinMs: 10_000,
    async afterRecovery(nodes) {
      await eventually(async () => expect(await nodes[0]!.nodeCount!()).toBe(3), 10_000);
      const reported = logger.lines.filter((line) => line.level !== 'debug').map((line) => line.message);
      expect(reported).toContain('RedisTransport: publisher connection lost; reconnecting');
      expect(reported).toContain('RedisTransport: subscriber connection restored');
    },
    closeWhileDown: { withinMs: 1500, afterNoticing: false },
  });

  it('drops and re-opens the connection when Redis stops answering (SIGSTOP), so nothing piles up', async () => {
    const prefix = `hung-${randomUUID()}:`;
    const hungLogger = recordingLogger();
    const options = { url: redis().url, prefix, publishTimeoutMs: 300, healthCheckTimeoutMs: 300 };
    const sender = createRedisTransport({ ...options, logger: hungLogger });
    const receiver = createRedisTransport(options);
    const received = recorder();
    await Promise.all([sender.start(recorder()), receiver.start(received)]);
    const stopped = redis().process;
    try {
      stopped.kill('SIGSTOP');
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
      stopped.kill('SIGCONT');
    }
    await eventually(() => Promise.all([sender.checkHealth(), receiver.checkHealth()]), 15_000);
    await eventually(async () => {
      await sender.publishBroadcast('after');
      expect(received.broadcasts).toContain('after');
    }, 10_000);
    await Promise.all([sender.close(), receiver.close()]);
  });
});
