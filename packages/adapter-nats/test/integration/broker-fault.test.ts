// NATS dies under three connected nodes and comes back on the same port. Runs against a throwaway
// nats-server this test starts and SIGKILLs, never the machine's shared one.

import { randomUUID } from 'node:crypto';
import { brokerFaultCases, expectRejectsAtOnce } from '@sockudo/test-helpers/broker-fault-cases';
import { startThrowawayBroker, useBroker } from '@sockudo/test-helpers/throwaway-broker';
import { settle } from '@sockudo/test-helpers/wait';
import { describe, expect } from 'vitest';
import { createNatsTransport } from '../../src/index.js';

describe('createNatsTransport when NATS dies and comes back', () => {
  const nats = useBroker(() => startThrowawayBroker('nats'));

  brokerFaultCases({
    broker: nats,
    newPrefix: () => `fault_${randomUUID()}`,
    // Node 0 has no reconnect buffer, node 1 a 100-byte one, node 2 the default (8 MiB).
    createNode: ({ url }, prefix, i) =>
      createNatsTransport({ servers: url, prefix, reconnectBufferBytes: [0, 100, undefined][i] }),
    hearsItself: false,
    burstAtKill: { count: 2000, settleWithinMs: 3000 },
    healthWhileDown: { withinMs: 1500, error: /disconnected/ },
    async whileDown(nodes) {
      // No buffer: every publish rejects at once.
      await expectRejectsAtOnce(
        [
          () => nodes[0]!.publishBroadcast('during'),
          () => nodes[0]!.publishRequest('during'),
          () => nodes[0]!.publishResponse('during'),
        ],
        /NatsTransport: publish to .* failed: disconnected/,
      );
      // A 100-byte buffer: the first 60 bytes are held, the next 60 do not fit (and never arrive).
      await expect(nodes[1]!.publishBroadcast('b'.repeat(60))).resolves.toBeUndefined();
      await expect(nodes[1]!.publishBroadcast('during'.padEnd(60, 'c'))).rejects.toThrow(
        /reconnect buffer \(100 bytes\) is full/,
      );
      // The default buffer takes a burst without blocking, and is bounded.
      const burst = await Promise.all(
        Array.from({ length: 1000 }, () => settle(nodes[2]!.publishBroadcast('x'))),
      );
      expect(burst.every((r) => r.fulfilled)).toBe(true);
      await expect(nodes[2]!.publishBroadcast('during'.padEnd(9 * 1024 * 1024, 'y'))).rejects.toThrow(
        /reconnect buffer/,
      );
    },
    recoverWithinMs: 10_000,
    closeWhileDown: { withinMs: 1500, afterNoticing: true },
  });
});
