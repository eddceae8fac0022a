// The broker goes away while triggers flow, and comes back. Each test runs its OWN throwaway
// redis-server / nats-server on a free port (never the machine's shared 6379 / 4222).
// While it is down every node keeps serving its own clients; once it is back on the same port,
// cross-node delivery resumes by itself.

import { closeRabbitMqConnections, freePort } from '@sockudo/test-helpers/services';
import { sleep } from '@sockudo/test-helpers/wait';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ChildBroker, natsBroker, rabbitmqBroker, redisBroker } from './brokers.js';
import { httpStatus, httpText, type SockudoNode, startCluster, testApp } from './nodes.js';
import { Scope } from './scope.js';
import { is, type Tab, Tabs } from './tabs.js';
import { eventually, uid, withTimeout } from './waits.js';

/** Triggers round-robin through `nodes` until stopped (at most `max` of them); keeps every status. */
function startTraffic(nodes: SockudoNode[], channel: string, max = 2000) {
  const statuses: Array<number | string> = [];
  let stopped = false;
  const done = (async () => {
    for (let i = 0; i < max && !stopped; i++) {
      const node = nodes[i % nodes.length]!;
      try {
        statuses.push((await node.backend.trigger(channel, 'tick', { i, via: node.name })).status);
      } catch (error) {
        statuses.push(`${node.name}: ${(error as { status?: number }).status ?? String(error)}`);
      }
      await sleep(25);
    }
  })();
  return {
    statuses,
    async stop() {
      stopped = true;
      await withTimeout(done, 'the trigger loop to stop');
    },
  };
}

/** A trigger to `node` with a unique id, and the wait until each of `tabs` has it. */
async function deliver(node: SockudoNode, channel: string, tabs: Tab[], timeoutMs: number): Promise<void> {
  const id = uid();
  const response = await node.backend.trigger(channel, 'probe', { id });
  expect(response.status).toBe(200);
  await Promise.all(
    tabs.map((tab) =>
      tab.waitFor(
        is('probe', channel, (d) => d?.id === id),
        `probe ${id} sent to ${node.name}`,
        { timeoutMs },
      ),
    ),
  );
}

for (const kind of ['redis', 'nats'] as const) {
  describe(`a throwaway ${kind} broker restarted during traffic`, () => {
    const scope = new Scope();
    const tabs = new Tabs();
    afterEach(() => tabs.closeAll());
    afterAll(() => scope.close(), 30_000);

    it('keeps every node up and serving its own clients, then cross-node delivery resumes', async () => {
      const port = await freePort();
      const broker = kind === 'redis' ? ChildBroker.redis(port) : ChildBroker.nats(port);
      await broker.start();
      scope.defer(() => broker.kill());
      const spec = kind === 'redis' ? redisBroker(broker.url) : natsBroker(broker.url);
      const app = testApp();
      const nodes = await startCluster(scope, 3, spec.adapter(`sockudo_test_${uid()}`), app);
      const channel = `restart-${uid()}`;
      const local: Tab[] = [];
      for (const node of nodes) {
        const tab = await tabs.add(`tab@${node.name}`, node);
        await tab.subscribe(channel);
        local.push(tab);
      }
      // The cluster works before the outage.
      for (const node of nodes) await deliver(node, channel, local, 10_000);

      const traffic = startTraffic(nodes, channel);
      await sleep(200); // some traffic before the outage (only for realism; nothing depends on it)
      await broker.kill('SIGKILL');
      const sentBeforeOutage = traffic.statuses.length;

      // Broker down: every node still answers /up and delivers a trigger to its own clients.
      for (const [i, node] of nodes.entries()) {
        expect(await httpStatus(node.port, '/up'), `/up of ${node.name}`).toBe(200);
        await deliver(node, channel, [local[i]!], 10_000);
      }
      // Through the node timeout (1.5 s) and beyond, with triggers flowing, every check passes every
      // time: nodes running, /up 200, local delivery.
      const outageDeadline = Date.now() + 30_000;
      while (traffic.statuses.length - sentBeforeOutage < 100) {
        if (Date.now() > outageDeadline)
          throw new Error('timed out waiting for 100 triggers during the outage');
        for (const [i, node] of nodes.entries()) {
          expect(node.alive(), `${node.name} is running`).toBe(true);
          expect(await httpStatus(node.port, '/up'), `/up of ${node.name}`).toBe(200);
          await deliver(node, channel, [local[i]!], 10_000);
        }
        await sleep(100);
      }

      // ...and says so: /up is DEGRADED (still 200) while the broker is away.
      for (const node of nodes) {
        await eventually(
          `/up of ${node.name} says DEGRADED while the broker is down`,
          async () => {
            expect(await httpText(node.port, '/up')).toBe('DEGRADED');
          },
          { timeoutMs: 10_000, intervalMs: 100 },
        );
      }

      await broker.start();

      // /up is OK again once the transport has reconnected.
      for (const node of nodes) {
        await eventually(
          `/up of ${node.name} says OK after the broker came back`,
          async () => {
            expect(await httpText(node.port, '/up')).toBe('OK');
          },
          { timeoutMs: 30_000, intervalMs: 200 },
        );
      }

      // Cross-node delivery resumes: a trigger to one node reaches the clients of the others.
      for (const [from, to] of [
        [0, [1, 2]],
        [2, [0, 1]],
      ] as const) {
        await eventually(
          `delivery from node${from} to nodes ${to.join(', ')} after the broker came back`,
          () =>
            deliver(
              nodes[from]!,
              channel,
              to.map((i) => local[i]!),
              1000,
            ),
          { timeoutMs: 30_000, intervalMs: 200 },
        );
      }
      await traffic.stop();

      for (const node of nodes) {
        expect(node.alive(), `${node.name} is still running`).toBe(true);
        expect(node.process.output(), `${node.name} logged no crash`).not.toMatch(/unhandled|uncaught/i);
      }
      // Not one trigger failed: the HTTP API never depended on the broker.
      expect(traffic.statuses.filter((s) => s !== 200)).toEqual([]);
      for (const tab of local) expect(tab.state).toBe('connected');
    }, 90_000);
  });
}

describe('the RabbitMQ broker closing every connection of a cluster during traffic', () => {
  const scope = new Scope();
  const tabs = new Tabs();
  afterEach(() => tabs.closeAll());
  afterAll(() => scope.close(), 30_000);

  it('keeps every node serving, and cross-node delivery resumes on channels subscribed before and after', async () => {
    const spec = rabbitmqBroker();
    await spec.require();
    const prefix = `sockudo_test_${uid()}`;
    const nodes = await startCluster(scope, 3, spec.adapter(prefix), testApp());
    const before = `before-${uid()}`;
    const local: Tab[] = [];
    for (const node of nodes) {
      const tab = await tabs.add(`tab@${node.name}`, node);
      await tab.subscribe(before);
      local.push(tab);
    }
    for (const node of nodes) await deliver(node, before, local, 10_000);

    const traffic = startTraffic(nodes, before);
    await sleep(200);
    // rabbitmqctl close_connection on this cluster's connections only (named "sockudo <prefix>").
    const closed = await closeRabbitMqConnections(`sockudo ${prefix}`, 'test: forced close');
    expect(closed).toBeGreaterThanOrEqual(3);
    for (const [i, node] of nodes.entries()) await deliver(node, before, [local[i]!], 10_000);

    // A channel first subscribed after the fault: its keys are bound on the new queues.
    const after = `after-${uid()}`;
    const later: Tab[] = [];
    for (const node of nodes) {
      const tab = await tabs.add(`later@${node.name}`, node);
      await tab.subscribe(after);
      later.push(tab);
    }
    for (const [channel, subscribers] of [
      [before, local],
      [after, later],
    ] as const) {
      await eventually(
        `cross-node delivery on ${channel} after the forced close`,
        async () => {
          for (const node of nodes) await deliver(node, channel, subscribers, 1000);
        },
        { timeoutMs: 30_000, intervalMs: 200 },
      );
    }
    await traffic.stop();
    for (const node of nodes) {
      expect(node.alive(), `${node.name} is still running`).toBe(true);
      expect(node.process.output(), `${node.name} logged no crash`).not.toMatch(/unhandled|uncaught/i);
      expect(await httpText(node.port, '/up')).toBe('OK');
    }
    expect(traffic.statuses.filter((s) => s !== 200)).toEqual([]);
  }, 90_000);
});
