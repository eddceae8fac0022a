// Direct tests of the RabbitMQ transport against the machine's broker: the cases every transport shares,
// then what only this one does (its exchanges, queue and bindings, hashed keys, a given connection, the
// bound on unconfirmed publishes, a broker that hangs).

import { randomUUID } from 'node:crypto';
import { ConfigError } from '@sockudo/core';
import { type BrokerProxy, startBrokerProxy } from '@sockudo/test-helpers/broker-proxy';
import { recorder, routedOn } from '@sockudo/test-helpers/recorder';
import { listRabbitMq, RABBITMQ_URL, requireRabbitMq } from '@sockudo/test-helpers/services';
import { transportCases } from '@sockudo/test-helpers/transport-cases';
import { eventually, settle, sleep } from '@sockudo/test-helpers/wait';
import { connect } from 'amqplib';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  amqpRoutingKey,
  createRabbitMqTransport,
  type RabbitMqTransport,
  type RabbitMqTransportOptions,
} from '../../src/index.js';

describe('createRabbitMqTransport', () => {
  beforeAll(requireRabbitMq);

  const open: RabbitMqTransport[] = [];
  const proxies: BrokerProxy[] = [];
  const make = (prefix: string, extra: RabbitMqTransportOptions = {}) => {
    const transport = createRabbitMqTransport({ url: RABBITMQ_URL, prefix, ...extra });
    open.push(transport);
    return transport;
  };
  const newPrefix = () => `t_${randomUUID()}`;
  const proxy = async () => {
    const started = await startBrokerProxy(RABBITMQ_URL, 5672);
    proxies.push(started);
    return started;
  };
  afterEach(async () => {
    await Promise.all(open.splice(0).map((transport) => transport.close()));
    await Promise.all(proxies.splice(0).map((started) => started.destroy()));
  });

  transportCases({
    create: (prefix) => createRabbitMqTransport({ url: RABBITMQ_URL, prefix }),
    newPrefix,
    extendPrefix: (base) => `${base}.child`,
    hearsItself: true,
    countsNodes: false,
    unreachable: {
      create: (port, connectionTimeoutMs) =>
        createRabbitMqTransport({
          url: `amqp://guest:guest@127.0.0.1:${port}/%2f`,
          prefix: newPrefix(),
          connectionTimeoutMs,
        }),
      connectTimeoutMs: 600,
      // Names the broker, never the password.
      error: /could not connect to amqp:\/\/guest:\*\*\*@127\.0\.0\.1:\d+\/%2f within 600 ms: .*ECONNREFUSED/,
    },
  });

  it('declares a fanout and a direct exchange and an exclusive queue per node, bound once per key, all gone with the last node', async () => {
    const prefix = newPrefix();
    const [a, b] = [make(prefix), make(prefix)];
    await Promise.all([a.start(recorder()), b.start(recorder())]);
    expect(a.exchanges).toEqual({ broadcast: `${prefix}.broadcast`, routed: `${prefix}.routed` });
    await b.subscribe(['c.app.one', 'c.app.two']);
    await b.subscribe(['c.app.one']);

    const exchanges = await listRabbitMq('exchanges', ['name', 'type', 'durable', 'auto_delete'], prefix);
    expect(exchanges.sort()).toEqual([
      [`${prefix}.broadcast`, 'fanout', 'false', 'true'],
      [`${prefix}.routed`, 'direct', 'false', 'true'],
    ]);
    const queues = await listRabbitMq('queues', ['name', 'exclusive', 'auto_delete', 'durable'], prefix);
    expect(queues.map(([, ...flags]) => flags)).toEqual([
      ['true', 'true', 'false'],
      ['true', 'true', 'false'],
    ]);
    expect(queues.every(([queue]) => queue!.startsWith(`${prefix}.node.`))).toBe(true);
    const bindings = await listRabbitMq(
      'bindings',
      ['source_name', 'destination_name', 'routing_key'],
      prefix,
    );
    const of = (queue: string) =>
      bindings
        .filter(([, destination]) => destination === queue)
        .map(([source, , key]) => `${source} ${key}`);
    const withKeys = queues.map(([queue]) => of(queue!).sort());
    // One node holds the anchor only; the other also holds its two keys, once each.
    expect(withKeys.sort((x, y) => x.length - y.length)).toEqual([
      [`${prefix}.broadcast `, `${prefix}.routed `],
      [
        `${prefix}.broadcast `,
        `${prefix}.routed `,
        `${prefix}.routed c.app.one`,
        `${prefix}.routed c.app.two`,
      ],
    ]);

    await b.unsubscribe(['c.app.two']);
    const after = await listRabbitMq('bindings', ['source_name', 'routing_key'], `${prefix}.routed`);
    expect(after.map(([, key]) => key).sort()).toEqual(['', '', 'c.app.one']);

    await Promise.all([a.close(), b.close()]);
    expect(await listRabbitMq('exchanges', ['name'], prefix)).toEqual([]);
    expect(await listRabbitMq('queues', ['name'], prefix)).toEqual([]);
  });

  it('routes keys longer than AMQP allows by their hash, and hands the handler the key itself', async () => {
    const prefix = newPrefix();
    const [sender, receiver] = [make(prefix), make(prefix)];
    const seen = recorder();
    await Promise.all([sender.start(recorder()), receiver.start(seen)]);
    const long = `u.app.${'ü'.repeat(200)}`; // 406 bytes
    const other = `u.app.${'ü'.repeat(200)}x`;
    expect(amqpRoutingKey(long)).toMatch(/^%sha256\.[0-9a-f]{64}$/);
    expect(amqpRoutingKey('c.app.short')).toBe('c.app.short');
    await receiver.subscribe([long]);
    await sender.publishTo(other, 'not for it');
    await sender.publishTo(long, 'for it');
    await eventually(() => expect(seen.routed).toEqual([{ key: long, payload: 'for it' }]));
    const bindings = await listRabbitMq('bindings', ['source_name', 'routing_key'], `${prefix}.routed`);
    expect(bindings.map(([, key]) => key)).toContain(amqpRoutingKey(long));
  });

  it('drops what arrives for a key it has just unsubscribed, and routes it again once resubscribed', async () => {
    const prefix = newPrefix();
    const [sender, receiver] = [make(prefix), make(prefix)];
    const seen = recorder();
    await Promise.all([sender.start(recorder()), receiver.start(seen)]);
    await receiver.subscribe(['c.a.flip']);
    const unsubscribed = receiver.unsubscribe(['c.a.flip']);
    await receiver.subscribe(['c.a.flip']); // issued after the unbind, so it wins
    await unsubscribed;
    await sender.publishTo('c.a.flip', 'bound');
    await eventually(() => expect(routedOn(seen, 'c.a.flip')).toEqual(['bound']));
  });

  it('uses a connection it is given, and on close deletes its queue and leaves the connection open', async () => {
    const connection = await connect(RABBITMQ_URL);
    try {
      const prefix = newPrefix();
      const shared = make(prefix, { connection });
      const other = make(prefix);
      const seen = recorder();
      await Promise.all([shared.start(seen), other.start(recorder())]);
      await shared.subscribe(['c.app.given']);
      await other.publishBroadcast('to shared');
      await other.publishTo('c.app.given', 'routed to shared');
      await eventually(() => {
        expect(seen.broadcasts).toEqual(['to shared']);
        expect(routedOn(seen, 'c.app.given')).toEqual(['routed to shared']);
      });
      await shared.close();
      expect((await listRabbitMq('queues', ['name'], prefix)).length).toBe(1); // only the other node's
      const channel = await connection.createChannel(); // the connection still works
      await channel.close();
      await other.publishBroadcast('after close');
      await sleep(100);
      expect(seen.broadcasts).toEqual(['to shared']);
    } finally {
      await connection.close();
    }
  });

  it('holds at most maxInFlightPublishes unconfirmed and maxWaitingPublishes waiting; more rejects at once', async () => {
    const broker = await proxy();
    const prefix = newPrefix();
    const limited = make(prefix, {
      url: broker.url,
      maxInFlightPublishes: 2,
      maxWaitingPublishes: 3,
      publishTimeoutMs: 400,
    });
    const receiver = make(prefix);
    const seen = recorder();
    await Promise.all([limited.start(recorder()), receiver.start(seen)]);

    // A burst of 50 in one turn: 2 go out, 3 wait for a slot, the other 45 are refused at once.
    const burst = Array.from({ length: 50 }, (_, i) => `m${i}`);
    const results = await Promise.all(burst.map((m) => settle(limited.publishBroadcast(m))));
    expect(results.map((r) => r.fulfilled)).toEqual(burst.map((_, i) => i < 5));
    for (const refused of results.slice(5)) {
      expect(String(refused.error)).toMatch(/2 publishes are unconfirmed and 3 are waiting/);
      expect(refused.ms).toBeLessThan(50);
    }
    // Published one after another, a tiny window carries any number, in order.
    const sequence = Array.from({ length: 100 }, (_, i) => `s${i}`);
    for (const m of sequence) await limited.publishBroadcast(m);
    await eventually(() => expect(seen.broadcasts).toEqual([...burst.slice(0, 5), ...sequence]));

    // A broker that stops answering: 2 go out and wait for a confirmation that does not come, 3 wait
    // for a slot, the 6th is refused at once; all of them are settled within publishTimeoutMs.
    broker.freeze();
    const stuck = Array.from({ length: 6 }, (_, i) => settle(limited.publishBroadcast(`stuck-${i}`)));
    const sixth = await stuck[5]!;
    expect(sixth.fulfilled).toBe(false);
    expect(sixth.ms).toBeLessThan(50);
    const first5 = await Promise.all(stuck.slice(0, 5));
    for (const result of first5) {
      expect(result.fulfilled).toBe(false);
      expect(result.ms).toBeLessThan(1000);
    }
    expect(String(first5[0]!.error)).toMatch(/did not confirm it within 400 ms/);
    expect(String(first5[4]!.error)).toMatch(/no room within 400 ms \(2 publishes unconfirmed\)/);
    // The two unconfirmed ones still hold their slots: a publish now waits and times out too.
    const meanwhile = await settle(limited.publishBroadcast('meanwhile'));
    expect(String(meanwhile.error)).toMatch(/no room within 400 ms/);

    broker.thaw();
    await eventually(() => expect(limited.publishBroadcast('thawed')).resolves.toBeUndefined());
    await eventually(() => expect(seen.broadcasts).toContain('thawed'));
    // What timed out while written may still arrive; what never got a slot never does.
    expect(seen.broadcasts.filter((m) => m.startsWith('stuck-')).sort()).toEqual(['stuck-0', 'stuck-1']);
  });

  it('fails checkHealth within healthCheckTimeoutMs when the broker hangs, and recovers when it answers', async () => {
    const broker = await proxy();
    const transport = make(newPrefix(), { url: broker.url, healthCheckTimeoutMs: 300 });
    await transport.start(recorder());
    await transport.checkHealth();
    broker.freeze();
    const health = await settle(transport.checkHealth());
    expect(health.fulfilled).toBe(false);
    expect(String(health.error)).toMatch(/health check failed: no answer within 300 ms/);
    expect(health.ms).toBeLessThan(1000);
    broker.thaw();
    await eventually(() => transport.checkHealth());
  });

  it('refuses options it cannot use, naming them', () => {
    expect(() => createRabbitMqTransport({ url: 'redis://127.0.0.1' })).toThrow(/url must start with amqp/);
    expect(() => createRabbitMqTransport({ url: 'not a url' })).toThrow(ConfigError);
    for (const prefix of ['', 'amq.mine', 'x'.repeat(214)]) {
      expect(() => createRabbitMqTransport({ prefix }), prefix).toThrow(ConfigError);
    }
    expect(() => createRabbitMqTransport({ maxInFlightPublishes: 0 })).toThrow(/maxInFlightPublishes/);
    expect(() => createRabbitMqTransport({ publishTimeoutMs: 1.5 })).toThrow(/publishTimeoutMs/);
    expect(createRabbitMqTransport().requestTimeoutMs).toBe(5000);
    expect(createRabbitMqTransport({ requestTimeoutMs: 750 }).requestTimeoutMs).toBe(750);
  });
});
