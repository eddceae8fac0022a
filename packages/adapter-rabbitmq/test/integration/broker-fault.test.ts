// Faults under connected nodes: the broker unreachable and back (a proxy in front of the machine's
// RabbitMQ is killed and restarted, so nobody else's connections suffer), the broker closing the nodes'
// connections (`rabbitmqctl close_connection`, what `close_all_connections` does to each), the broker
// deleting a node's queue, and a broker that hangs until heartbeats give up on it.

import { randomUUID } from 'node:crypto';
import { brokerFaultCases, expectRejectsAtOnce } from '@sockudo/test-helpers/broker-fault-cases';
import { type BrokerProxy, startBrokerProxy } from '@sockudo/test-helpers/broker-proxy';
import { watchProcessErrors } from '@sockudo/test-helpers/process-errors';
import { type Recorder, recorder, routedOn } from '@sockudo/test-helpers/recorder';
import { recordingLogger } from '@sockudo/test-helpers/recording-logger';
import {
  closeRabbitMqConnections,
  listRabbitMq,
  RABBITMQ_URL,
  rabbitmqctl,
  requireRabbitMq,
} from '@sockudo/test-helpers/services';
import { useBroker } from '@sockudo/test-helpers/throwaway-broker';
import { eventually, settle, sleep } from '@sockudo/test-helpers/wait';
import { connect } from 'amqplib';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createRabbitMqTransport,
  type RabbitMqTransport,
  type RabbitMqTransportOptions,
} from '../../src/index.js';

beforeAll(requireRabbitMq);

describe('createRabbitMqTransport when the broker is unreachable and comes back', () => {
  const broker = useBroker<BrokerProxy>(() => startBrokerProxy(RABBITMQ_URL, 5672));

  brokerFaultCases({
    broker,
    newPrefix: () => `fault_${randomUUID()}`,
    createNode: ({ url }, prefix) => createRabbitMqTransport({ url, prefix }),
    hearsItself: true,
    burstAtKill: { count: 2000, settleWithinMs: 3000 },
    healthWhileDown: { withinMs: 1500, error: /disconnected from amqp:\/\/guest:\*\*\*@127\.0\.0\.1:\d+/ },
    async whileDown(nodes) {
      // Nothing is held while disconnected: every publish rejects at once.
      const node = nodes[0] as RabbitMqTransport;
      await expectRejectsAtOnce(
        [
          () => node.publishBroadcast('during'),
          () => node.publishRequest('during'),
          () => node.publishResponse('during'),
          () => node.publishTo('c.app.any', 'during'),
        ],
        /RabbitMqTransport: publish to .* failed: disconnected from amqp:\/\/guest:\*\*\*@/,
      );
    },
    recoverWithinMs: 10_000,
    routed: { subscribeWhileDownWithinMs: 1500 },
    closeWhileDown: { withinMs: 1500, afterNoticing: true },
  });
});

describe('createRabbitMqTransport when the broker drops its side', () => {
  const open: RabbitMqTransport[] = [];
  const proxies: BrokerProxy[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((transport) => transport.close()));
    await Promise.all(proxies.splice(0).map((proxy) => proxy.destroy()));
  });

  /** Three started nodes of a new cluster, with what each received and logged. */
  async function cluster(extra: RabbitMqTransportOptions = {}) {
    const prefix = `fault_${randomUUID()}`;
    const logs = [recordingLogger(), recordingLogger(), recordingLogger()];
    const nodes = logs.map((logger) =>
      createRabbitMqTransport({ url: RABBITMQ_URL, prefix, logger, ...extra }),
    ) as [RabbitMqTransport, RabbitMqTransport, RabbitMqTransport];
    open.push(...nodes);
    const seen = nodes.map(() => recorder()) as [Recorder, Recorder, Recorder];
    await Promise.all(nodes.map((node, i) => node.start(seen[i]!)));
    return { prefix, nodes, seen, logs };
  }

  /** Every node hears every node's broadcasts again, and the routed keys reach their holders. */
  async function deliveryResumes(
    nodes: RabbitMqTransport[],
    seen: Recorder[],
    routes: Array<{ key: string; holder: number }>,
  ) {
    let round = 0;
    await eventually(async () => {
      round++;
      await Promise.all(nodes.map((node, i) => node.publishBroadcast(`after-${i}-${round}`)));
      for (const { key } of routes) await nodes[0]!.publishTo(key, `routed-${round}`);
      for (const [i, s] of seen.entries()) {
        for (let from = 0; from < nodes.length; from++) {
          expect(
            s.broadcasts.some((m) => m.startsWith(`after-${from}-`)),
            `node ${i} hears node ${from}`,
          ).toBe(true);
        }
      }
      for (const { key, holder } of routes) {
        expect(
          routedOn(seen[holder]!, key).some((m) => m.startsWith('routed-')),
          key,
        ).toBe(true);
      }
    }, 10_000);
  }

  it('rabbitmqctl closing the connections during traffic: publishes settle, it reconnects, re-binds and delivery resumes', async () => {
    const processErrors = watchProcessErrors();
    let traffic: Promise<void> | undefined;
    try {
      const { prefix, nodes, seen, logs } = await cluster();
      const before = `c.app.before-${randomUUID()}`;
      const after = `c.app.after-${randomUUID()}`;
      await nodes[1].subscribe([before]);
      await nodes[0].publishTo(before, 'first');
      await eventually(() => expect(routedOn(seen[1], before)).toEqual(['first']));

      // Traffic from node 0 on both paths throughout the fault; every publish settles one way or the other.
      let running = true;
      let published = 0;
      let failed = 0;
      traffic = (async () => {
        while (running) {
          const results = await Promise.all([
            settle(nodes[0].publishBroadcast(`traffic-${published}`)),
            settle(nodes[0].publishTo(before, `traffic-${published}`)),
          ]);
          published++;
          failed += results.filter((r) => !r.fulfilled).length;
          await sleep(2);
        }
      })();
      await sleep(100);
      expect(await closeRabbitMqConnections(prefix, 'test')).toBe(3);

      await eventually(() => Promise.all(nodes.map((node) => node.checkHealth())), 10_000);
      expect(seen.map((s) => s.restored)).toEqual([1, 1, 1]);
      await nodes[2].subscribe([after]);
      await deliveryResumes(nodes, seen, [
        { key: before, holder: 1 },
        { key: after, holder: 2 },
      ]);
      running = false;
      await traffic;
      expect(published).toBeGreaterThan(20);
      expect(failed).toBeLessThan(published * 2);
      for (const log of logs) {
        expect(log.lines.some((l) => l.level === 'warn' && /CONNECTION_FORCED - test/.test(l.message))).toBe(
          true,
        );
        expect(
          log.lines.some(
            (l) => l.level === 'info' && /reconnected to amqp:\/\/guest:\*\*\*@/.test(l.message),
          ),
        ).toBe(true);
      }
      expect(logs.flatMap((log) => log.lines).some((l) => l.message.includes('guest:guest'))).toBe(false);
      expect(processErrors.errors).toEqual([]);
    } finally {
      processErrors.stop();
    }
  });

  it('the broker deleting a node queue: the node declares a new one, binds its keys again and says so', async () => {
    const processErrors = watchProcessErrors();
    try {
      const { prefix, nodes, seen } = await cluster();
      const key = `c.app.kept-${randomUUID()}`;
      await nodes[1].subscribe([key]);
      const queues = await listRabbitMq('queues', ['name'], prefix);
      expect(queues.length).toBe(3);
      // Which queue is node 1's: the one bound to the key.
      const bindings = await listRabbitMq(
        'bindings',
        ['source_name', 'destination_name', 'routing_key'],
        prefix,
      );
      const queue = bindings.find(([, , routingKey]) => routingKey === key)![1]!;
      await rabbitmqctl(['delete_queue', queue]);

      await eventually(() => expect(seen[1].restored).toBe(1), 10_000);
      await nodes[1].checkHealth();
      expect(seen.map((s) => s.restored)).toEqual([0, 1, 0]);
      await deliveryResumes(nodes, seen, [{ key, holder: 1 }]);
      expect(processErrors.errors).toEqual([]);
    } finally {
      processErrors.stop();
    }
  });

  it('on a given connection: recovers a lost channel on it, and stays down (saying why) once it closes', async () => {
    const processErrors = watchProcessErrors();
    const connection = await connect(RABBITMQ_URL);
    try {
      const prefix = `fault_${randomUUID()}`;
      const given = createRabbitMqTransport({ connection, prefix });
      const other = createRabbitMqTransport({ url: RABBITMQ_URL, prefix });
      open.push(given, other);
      const [seenGiven, seenOther] = [recorder(), recorder()];
      await Promise.all([given.start(seenGiven), other.start(seenOther)]);
      const key = `c.app.given-${randomUUID()}`;
      await given.subscribe([key]);
      const bindings = await listRabbitMq(
        'bindings',
        ['source_name', 'destination_name', 'routing_key'],
        prefix,
      );
      await rabbitmqctl(['delete_queue', bindings.find(([, , routingKey]) => routingKey === key)![1]!]);

      await eventually(() => expect(seenGiven.restored).toBe(1), 10_000);
      await given.checkHealth();
      await deliveryResumes([other, given], [seenOther, seenGiven], [{ key, holder: 1 }]);
      expect((await listRabbitMq('queues', ['name'], prefix)).length).toBe(2);

      await connection.close();
      await eventually(() => expect(given.checkHealth()).rejects.toThrow(/the given connection is closed/));
      await expectRejectsAtOnce([() => given.publishBroadcast('during')], /disconnected/);
      expect(processErrors.errors).toEqual([]);
    } finally {
      processErrors.stop();
      await connection.close().catch(() => {});
    }
  });

  it('a broker that hangs: heartbeats give up on it, publishes are bounded meanwhile, and it reconnects once it answers', async () => {
    const processErrors = watchProcessErrors();
    try {
      const proxy = await startBrokerProxy(RABBITMQ_URL, 5672);
      proxies.push(proxy);
      const prefix = `fault_${randomUUID()}`;
      const url = `${proxy.url}?heartbeat=1`;
      const hanging = createRabbitMqTransport({
        url,
        prefix,
        publishTimeoutMs: 300,
        connectionTimeoutMs: 1000,
      });
      const other = createRabbitMqTransport({ url: RABBITMQ_URL, prefix });
      open.push(hanging, other);
      const [seenHanging, seenOther] = [recorder(), recorder()];
      await Promise.all([hanging.start(seenHanging), other.start(seenOther)]);
      const key = `c.app.hang-${randomUUID()}`;
      await hanging.subscribe([key]);

      proxy.freeze();
      const stuck = await settle(hanging.publishBroadcast('during-hang'));
      expect(stuck.fulfilled).toBe(false);
      expect(stuck.ms).toBeLessThan(1000);
      // Two missed heartbeats (1 s each) and amqplib declares the connection dead.
      await eventually(() => expect(hanging.checkHealth()).rejects.toThrow(/disconnected/), 6000);
      await sleep(1500); // reconnect attempts into the hung proxy time out meanwhile
      proxy.thaw();

      await eventually(() => hanging.checkHealth(), 10_000);
      expect(seenHanging.restored).toBe(1);
      await deliveryResumes([other, hanging], [seenOther, seenHanging], [{ key, holder: 1 }]);
      expect(processErrors.errors).toEqual([]);
    } finally {
      processErrors.stop();
    }
  });
});
