// The broker dies under three connected nodes and comes back where it was: shared by the Redis, Redis
// Cluster, NATS and RabbitMQ transports. What a transport does with a publish while down (reject at once,
// or hold it in a bounded buffer) differs per package and is asserted by the package's `whileDown`. A
// TransportV2 also shows that its routing keys survive the outage (`routed`).

import { randomUUID } from 'node:crypto';
import type { TransportV2 } from '@sockudo/core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { watchProcessErrors } from './process-errors.js';
import { type Recorder, recorder, routedOn } from './recorder.js';
import type { BrokerControl } from './throwaway-broker.js';
import type { AnyTransport } from './transport-cases.js';
import { eventually, settle, sleep } from './wait.js';

export interface BrokerFaultCasesOptions<B extends BrokerControl> {
  /** The throwaway broker, as returned by `useBroker` (called before this, so it starts first). */
  broker: () => B;
  /** A prefix no other test uses. */
  newPrefix(): string;
  /** Creates node `index` (0, 1 or 2) of the cluster under test on `broker` (the close case makes a node 0). */
  createNode(broker: B, prefix: string, index: number): AnyTransport;
  /** Whether a node receives its own messages. */
  hearsItself: boolean;
  /** Publishes from node 0 in flight at the moment the broker dies: every one must settle in time. */
  burstAtKill: { count: number; settleWithinMs: number };
  /** Once every node noticed, its checkHealth() rejects this fast, with this error. */
  healthWhileDown: { withinMs: number; error?: RegExp };
  /**
   * The package's own assertions on publishes while the broker is down (after every node noticed).
   * Whatever it publishes there starting with `during` must never be delivered.
   */
  whileDown(nodes: AnyTransport[]): Promise<void>;
  /** How long reconnecting and resuming may take once the broker is back. */
  recoverWithinMs: number;
  /** The package's own assertions once delivery has resumed (node counts, what was logged, …). */
  afterRecovery?(nodes: AnyTransport[]): Promise<void>;
  /**
   * For a TransportV2: a second outage, with routing keys held by node 1 (and one dropped while down).
   * `subscribe()` while the broker is down rejects within `subscribeWhileDownWithinMs`, yet the key is
   * bound after the reconnect; `onRestored` is called; keys from before, from while down and from after
   * the outage route again, and the dropped one does not.
   */
  routed?: { subscribeWhileDownWithinMs: number };
  /** A single transport, started and then closed while the broker is down: close() settles this fast. */
  closeWhileDown?: {
    withinMs: number;
    /** Close only after the transport's checkHealth() rejects (the client noticed); else right after the kill. */
    afterNoticing: boolean;
  };
}

/**
 * Each publish rejects at once with `error`: nothing waits for the broker or queues. "At once" is a
 * bound far from both a real rejection (microseconds) and a wait for the broker (seconds, or forever),
 * so a loaded CI machine cannot make it flaky.
 */
export async function expectRejectsAtOnce(
  publishes: Array<() => Promise<void>>,
  error: RegExp,
): Promise<void> {
  for (const publish of publishes) {
    const result = await settle(publish());
    expect(result.fulfilled).toBe(false);
    expect(String(result.error)).toMatch(error);
    expect(result.ms).toBeLessThan(1000);
  }
}

/**
 * Registers the cases in the enclosing `describe`: three nodes are started on `broker()` before them and
 * closed after them; the cases kill the broker and restart it, leaving it running.
 */
export function brokerFaultCases<B extends BrokerControl>(options: BrokerFaultCasesOptions<B>): void {
  const nodes: AnyTransport[] = [];
  const seen: Recorder[] = [];
  const hears = (node: number, from: number) => options.hearsItself || node !== from;

  beforeAll(async () => {
    const prefix = options.newPrefix();
    for (let i = 0; i < 3; i++) {
      nodes.push(options.createNode(options.broker(), prefix, i));
      seen.push(recorder());
    }
    await Promise.all(nodes.map((node, i) => node.start(seen[i]!)));
  });

  afterAll(async () => {
    await Promise.all(nodes.map((node) => node.close()));
  });

  it('fails fast while the broker is down, never crashes, and resumes delivery by itself', async () => {
    const processErrors = watchProcessErrors();
    try {
      await nodes[0]!.publishBroadcast('before');
      await eventually(() => {
        expect(seen.map((s) => s.broadcasts)).toEqual(nodes.map((_, i) => (hears(i, 0) ? ['before'] : [])));
      });
      // A TransportV2's interest set must survive the fault: keys held before it are re-subscribed.
      const routed = nodes.every((node) => node.specVersion === 2) ? (nodes as TransportV2[]) : undefined;
      if (routed) {
        await routed[1]!.subscribe(['c.app.before']);
        await routed[2]!.subscribe(['c.app.before']);
        await routed[0]!.publishTo('c.app.before', 'routed-before');
        await eventually(() => {
          expect(seen[1]!.on('c.app.before')).toEqual(['routed-before']);
          expect(seen[2]!.on('c.app.before')).toEqual(['routed-before']);
        });
      }

      // A burst in flight at the moment the broker dies: every publish settles, none is left hanging.
      const { count, settleWithinMs } = options.burstAtKill;
      const burst = Array.from({ length: count }, (_, i) => settle(nodes[0]!.publishBroadcast(`burst-${i}`)));
      await options.broker().kill();
      const burstResults = await Promise.race([
        Promise.all(burst),
        sleep(settleWithinMs).then(() => 'hung' as const),
      ]);
      expect(burstResults).not.toBe('hung');

      // The clients notice the closed sockets; from then on health checks fail without waiting.
      await eventually(async () => {
        for (const node of nodes) {
          const health = await settle(node.checkHealth());
          expect(health.fulfilled).toBe(false);
          if (options.healthWhileDown.error)
            expect(String(health.error)).toMatch(options.healthWhileDown.error);
          expect(health.ms).toBeLessThan(options.healthWhileDown.withinMs);
        }
      }, 5000);
      await options.whileDown(nodes);
      if (routed) {
        // Subscribing while down fails fast; the key is still held and subscribed after recovery.
        const during = await settle(routed[1]!.subscribe(['c.app.during']));
        expect(during.fulfilled).toBe(false);
        expect(during.ms).toBeLessThan(1500);
      }

      await sleep(1500); // several reconnect attempts fail meanwhile; none may crash the process
      await options.broker().restart();
      await eventually(() => Promise.all(nodes.map((node) => node.checkHealth())), options.recoverWithinMs);

      // Delivery resumes in every direction, without anyone calling start() again.
      let round = 0;
      await eventually(async () => {
        round++;
        await Promise.all(nodes.map((node, i) => node.publishBroadcast(`after-${i}-${round}`)));
        for (const [i, s] of seen.entries()) {
          for (let from = 0; from < nodes.length; from++) {
            if (!hears(i, from)) continue;
            expect(
              s.broadcasts.some((m) => m.startsWith(`after-${from}-`)),
              `node ${i} hears node ${from}`,
            ).toBe(true);
          }
        }
      }, options.recoverWithinMs);
      if (routed) {
        let attempt = 0;
        await eventually(async () => {
          attempt++;
          await routed[0]!.publishTo('c.app.before', `routed-after-${attempt}`);
          await routed[0]!.publishTo('c.app.during', `routed-during-${attempt}`);
          expect(seen[1]!.on('c.app.before').some((m) => m.startsWith('routed-after-'))).toBe(true);
          expect(seen[2]!.on('c.app.before').some((m) => m.startsWith('routed-after-'))).toBe(true);
          expect(seen[1]!.on('c.app.during').some((m) => m.startsWith('routed-during-'))).toBe(true);
        }, options.recoverWithinMs);
        for (const [i, s] of seen.entries())
          expect(s.restored, `node ${i} reported restored`).toBeGreaterThan(0);
      }
      const delivered = seen.flatMap((s) => [...s.broadcasts, ...s.requests, ...s.responses]);
      expect(delivered.filter((m) => m.startsWith('during'))).toEqual([]);
      await options.afterRecovery?.(nodes);
      expect(processErrors.errors).toEqual([]);
    } finally {
      processErrors.stop();
    }
  });

  const { routed } = options;
  if (routed) {
    it('keeps its routing keys through an outage: binds them again, calls onRestored, and routes again', async () => {
      const processErrors = watchProcessErrors();
      try {
        expect(nodes.map((node) => node.specVersion)).toEqual(nodes.map(() => 2));
        const [publisher, holder, latecomer] = nodes as [TransportV2, TransportV2, TransportV2];
        const tag = randomUUID().slice(0, 8);
        const [before, during, dropped, after] = ['before', 'during', 'dropped', 'after'].map(
          (name) => `c.fault.${name}-${tag}`,
        ) as [string, string, string, string];
        await holder.subscribe([before, dropped]);
        await publisher.publishTo(before, 'before');
        await eventually(() => expect(routedOn(seen[1]!, before)).toEqual(['before']));
        const restoredBefore = seen[1]!.restored;

        await options.broker().kill();
        for (const node of nodes) await eventually(() => expect(node.checkHealth()).rejects.toThrow(), 5000);
        // Rejects without waiting for the broker, but the key stays in the interest set...
        const subscribing = await settle(holder.subscribe([during]));
        expect(subscribing.fulfilled, 'subscribe() while the broker is down').toBe(false);
        expect(subscribing.ms).toBeLessThan(routed.subscribeWhileDownWithinMs);
        // ...and one dropped while down is not bound again.
        const unsubscribing = await settle(holder.unsubscribe([dropped]));
        expect(unsubscribing.fulfilled, 'unsubscribe() while the broker is down').toBe(true);
        expect(unsubscribing.ms).toBeLessThan(routed.subscribeWhileDownWithinMs);
        await expectRejectsAtOnce([() => publisher.publishTo(before, 'during')], /./);

        await options.broker().restart();
        await eventually(() => Promise.all(nodes.map((node) => node.checkHealth())), options.recoverWithinMs);
        expect(seen[1]!.restored, 'onRestored was called').toBeGreaterThan(restoredBefore);
        await latecomer.subscribe([after]);

        let round = 0;
        await eventually(async () => {
          round++;
          await publisher.publishTo(before, `again-${round}`);
          await publisher.publishTo(during, `bound-late-${round}`);
          await publisher.publishTo(after, `after-${round}`);
          await publisher.publishTo(dropped, `dropped-${round}`);
          expect(routedOn(seen[1]!, before).some((m) => m.startsWith('again-'))).toBe(true);
          expect(routedOn(seen[1]!, during).some((m) => m.startsWith('bound-late-'))).toBe(true);
          expect(routedOn(seen[2]!, after).some((m) => m.startsWith('after-'))).toBe(true);
        }, options.recoverWithinMs);
        await sleep(200);
        expect(routedOn(seen[1]!, dropped), 'the key dropped while down').toEqual([]);
        const delivered = seen.flatMap((s) => s.routed.map((m) => m.payload));
        expect(delivered.filter((m) => m.startsWith('during'))).toEqual([]);
        expect(processErrors.errors).toEqual([]);
      } finally {
        processErrors.stop();
      }
    });
  }

  const { closeWhileDown } = options;
  if (closeWhileDown) {
    it('closes promptly while the broker is down', async () => {
      const transport = options.createNode(options.broker(), options.newPrefix(), 0);
      await transport.start(recorder());
      await options.broker().kill();
      if (closeWhileDown.afterNoticing) {
        const noticed = options.healthWhileDown.error ?? /./;
        await eventually(() => expect(transport.checkHealth()).rejects.toThrow(noticed), 5000);
      }
      const closed = await settle(transport.close());
      expect(closed.fulfilled).toBe(true);
      expect(closed.ms).toBeLessThan(closeWhileDown.withinMs);
      await options.broker().restart();
    });
  }
}
