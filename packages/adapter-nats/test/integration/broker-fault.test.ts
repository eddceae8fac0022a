// NATS dies under three connected nodes and comes back on the same port. Runs against a throwaway
// nats-server this test starts and SIGKILLs, never the machine's shared one.

import { randomUUID } from 'node:crypto';
import type { TransportV1 } from '@sockudo/core';
import { watchProcessErrors } from '@sockudo/test-helpers/process-errors';
import { type Recorder, recorder } from '@sockudo/test-helpers/recorder';
import { freePort, startNatsServer, type ThrowawayServer } from '@sockudo/test-helpers/services';
import { eventually, settle, sleep } from '@sockudo/test-helpers/wait';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNatsTransport } from '../../src/index.js';

describe('createNatsTransport when NATS dies and comes back', () => {
  let port: number;
  let server: ThrowawayServer | undefined;
  const nodes: TransportV1[] = [];
  const seen: Recorder[] = [];
  const url = () => `nats://127.0.0.1:${port}`;

  beforeAll(async () => {
    port = await freePort();
    server = await startNatsServer(port);
    const prefix = `fault_${randomUUID()}`;
    // No reconnect buffer, a 100-byte one, and the default (8 MiB).
    for (const reconnectBufferBytes of [0, 100, undefined]) {
      nodes.push(createNatsTransport({ servers: url(), prefix, reconnectBufferBytes }));
      seen.push(recorder());
    }
    await Promise.all(nodes.map((node, i) => node.start(seen[i]!)));
  });

  afterAll(async () => {
    await Promise.all(nodes.map((node) => node.close()));
    await server?.kill();
  });

  it('fails fast (or buffers within its bound) while NATS is down, never crashes, and resumes by itself', async () => {
    const processErrors = watchProcessErrors();
    try {
      await nodes[0]!.publishBroadcast('before');
      await eventually(() => {
        expect(seen.map((s) => s.broadcasts)).toEqual([[], ['before'], ['before']]); // no echo
      });

      await server!.kill();
      // The client notices the closed socket asynchronously; from then on health checks fail fast.
      await eventually(async () => {
        for (const node of nodes) {
          const health = await settle(node.checkHealth());
          expect(health.fulfilled).toBe(false);
          expect(String(health.error)).toMatch(/disconnected/);
          expect(health.ms).toBeLessThan(100);
        }
      }, 3000);

      // No buffer: every publish rejects at once.
      for (const publish of [
        () => nodes[0]!.publishBroadcast('during'),
        () => nodes[0]!.publishRequest('during'),
        () => nodes[0]!.publishResponse('during'),
      ]) {
        const result = await settle(publish());
        expect(result.fulfilled).toBe(false);
        expect(String(result.error)).toMatch(/NatsTransport: publish to .* failed: disconnected/);
        expect(result.ms).toBeLessThan(100);
      }
      // A 100-byte buffer: the first 60 bytes are held, the next 60 do not fit.
      await expect(nodes[1]!.publishBroadcast('b'.repeat(60))).resolves.toBeUndefined();
      await expect(nodes[1]!.publishBroadcast('c'.repeat(60))).rejects.toThrow(
        /reconnect buffer \(100 bytes\) is full/,
      );
      // The default buffer takes a burst without blocking, and is bounded.
      const burst = await Promise.all(
        Array.from({ length: 1000 }, () => settle(nodes[2]!.publishBroadcast('x'))),
      );
      expect(burst.every((r) => r.fulfilled)).toBe(true);
      await expect(nodes[2]!.publishBroadcast('y'.repeat(9 * 1024 * 1024))).rejects.toThrow(
        /reconnect buffer/,
      );

      await sleep(1500); // reconnect attempts fail meanwhile; none may crash the process

      server = await startNatsServer(port);
      await eventually(() => Promise.all(nodes.map((node) => node.checkHealth())), 10_000);

      let round = 0;
      await eventually(async () => {
        round++;
        await Promise.all(nodes.map((node, i) => node.publishBroadcast(`after-${i}-${round}`)));
        for (const [i, s] of seen.entries()) {
          for (let from = 0; from < nodes.length; from++) {
            if (from === i) continue; // no echo
            expect(
              s.broadcasts.some((m) => m.startsWith(`after-${from}-`)),
              `node ${i} hears node ${from}`,
            ).toBe(true);
          }
        }
      }, 10_000);
      expect(seen.flatMap((s) => s.broadcasts).filter((m) => m === 'during' || m.startsWith('c'))).toEqual(
        [],
      );
      expect(processErrors.errors).toEqual([]);
    } finally {
      processErrors.stop();
    }
  });

  it('closes promptly while NATS is down', async () => {
    const transport = createNatsTransport({ servers: url(), prefix: `close_${randomUUID()}` });
    await transport.start(recorder());
    await server!.kill();
    await eventually(() => expect(transport.checkHealth()).rejects.toThrow(/disconnected/), 3000);
    const closed = await settle(transport.close());
    expect(closed.fulfilled).toBe(true);
    expect(closed.ms).toBeLessThan(500);
    server = await startNatsServer(port);
  });
});
