// Direct tests of a transport (TransportV1, or the all-nodes side of a TransportV2) against a real broker,
// shared by the Redis, Redis Cluster, NATS and RabbitMQ transports. (The published conformance suite in @sockudo/test-suite covers the contract as a third
// party sees it; these cover prefixes, echo, ordering, lifecycle errors and the connect timeout.)

import type { TransportHandlersV2, TransportV1, TransportV2 } from '@sockudo/core';
import { afterEach, expect, it } from 'vitest';
import { type Recorder, recorder } from './recorder.js';
import { freePort } from './services.js';
import { eventually, settle, sleep } from './wait.js';

/** What the shared cases run against: a TransportV1, or a TransportV2 (whose all-nodes side they test). */
export type AnyTransport = TransportV1 | TransportV2;

export interface TransportCasesOptions {
  /** Creates a transport on the broker under test; transports with the same prefix form one cluster. */
  create(prefix: string): AnyTransport;
  /** A prefix no other test uses. */
  newPrefix(): string;
  /** A different prefix that starts with `base` (e.g. `a:` → `a:child:`, `a` → `a.child`). */
  extendPrefix(base: string): string;
  /** Whether a node receives its own messages (Redis does; NATS is connected with noEcho). */
  hearsItself: boolean;
  /** Whether the transport implements nodeCount(). */
  countsNodes: boolean;
  unreachable: {
    /** Creates a transport pointed at `port` on 127.0.0.1, where nothing listens. */
    create(port: number, connectTimeoutMs: number): AnyTransport;
    connectTimeoutMs: number;
    /** What start() must reject with. */
    error: RegExp;
  };
}

/** Registers the cases in the enclosing `describe`; every transport they create is closed after each. */
export function transportCases(options: TransportCasesOptions): void {
  const open: AnyTransport[] = [];
  const track = (transport: AnyTransport) => {
    open.push(transport);
    return transport;
  };
  const make = (prefix: string) => track(options.create(prefix));
  const hears = (node: number, from: number) => options.hearsItself || node !== from;
  /** A started sender and receiver on a new prefix; `handlers` (default: `seen`) gets what the receiver hears. */
  const startPair = async (handlers?: (seen: Recorder) => TransportHandlersV2) => {
    const prefix = options.newPrefix();
    const sender = make(prefix);
    const receiver = make(prefix);
    const seen = recorder();
    await Promise.all([sender.start(recorder()), receiver.start(handlers?.(seen) ?? seen)]);
    return { sender, receiver, seen };
  };
  afterEach(async () => {
    await Promise.all(open.splice(0).map((transport) => transport.close()));
  });

  it(`delivers each kind of message to every node with the same prefix (${options.hearsItself ? 'the sender included' : 'no echo'})`, async () => {
    const prefix = options.newPrefix();
    const nodes = [make(prefix), make(prefix), make(prefix)];
    const seen = nodes.map(() => recorder());
    await Promise.all(nodes.map((node, i) => node.start(seen[i]!)));

    const frame = '{"k":"b","n":"node-a"}\n{"event":"greet","data":"héllo ✓ \\u0000"}';
    await nodes[0]!.publishBroadcast(frame);
    await nodes[1]!.publishRequest('request-1');
    await nodes[2]!.publishResponse('response-1');
    await eventually(() => {
      expect(seen.map((s) => s.broadcasts)).toEqual(nodes.map((_, i) => (hears(i, 0) ? [frame] : [])));
      expect(seen.map((s) => s.requests)).toEqual(nodes.map((_, i) => (hears(i, 1) ? ['request-1'] : [])));
      expect(seen.map((s) => s.responses)).toEqual(nodes.map((_, i) => (hears(i, 2) ? ['response-1'] : [])));
    });
  });

  it('delivers a large payload unaltered', async () => {
    const { sender, seen } = await startPair();
    const large = 'ü€😀x'.repeat(32 * 1024); // 320 KiB of one- to four-byte characters
    await sender.publishBroadcast(large);
    await eventually(() => expect(seen.broadcasts.length).toBe(1));
    expect(seen.broadcasts[0] === large, 'the payload arrived altered').toBe(true);
  });

  it('keeps clusters with different prefixes apart, including a prefix that extends another', async () => {
    const base = options.newPrefix();
    const longer = options.extendPrefix(base);
    const [a1, a2, b1, b2] = [make(base), make(base), make(longer), make(longer)];
    const seenA = recorder();
    const seenB = recorder();
    await Promise.all([a1!.start(recorder()), a2!.start(seenA), b1!.start(recorder()), b2!.start(seenB)]);
    await a1!.publishBroadcast('for a');
    await b1!.publishRequest('for b');
    await eventually(() => {
      expect(seenA.broadcasts).toEqual(['for a']);
      expect(seenB.requests).toEqual(['for b']);
    });
    await sleep(100);
    expect(seenA.requests).toEqual([]);
    expect(seenB.broadcasts).toEqual([]);
  });

  it('keeps the order of one publisher’s messages', async () => {
    const { sender, seen } = await startPair();
    const sent = Array.from({ length: 2000 }, (_, i) => `m${i}`);
    await Promise.all(sent.map((m) => sender.publishBroadcast(m)));
    await eventually(() => expect(seen.broadcasts).toEqual(sent));
  });

  if (options.countsNodes) {
    it('counts the nodes listening on its prefix', async () => {
      const prefix = options.newPrefix();
      const nodes = [make(prefix), make(prefix), make(prefix)];
      await Promise.all(nodes.map((node) => node.start(recorder())));
      await eventually(async () => expect(await nodes[0]!.nodeCount!()).toBe(3));
      await nodes[2]!.close();
      await eventually(async () => expect(await nodes[0]!.nodeCount!()).toBe(2));
    });
  }

  it('is healthy once started, and says why it is not before start and after close', async () => {
    const transport = make(options.newPrefix());
    await expect(transport.checkHealth()).rejects.toThrow(/not started/);
    await expect(transport.publishBroadcast('x')).rejects.toThrow(/not started/);
    await transport.start(recorder());
    await expect(transport.checkHealth()).resolves.toBeUndefined();
    await expect(transport.start(recorder())).rejects.toThrow(/start\(\) may be called once/);
    await transport.close();
    await transport.close(); // idempotent
    await expect(transport.checkHealth()).rejects.toThrow(/closed/);
    await expect(transport.publishBroadcast('x')).rejects.toThrow(/closed/);
  });

  it('stops delivering once closed', async () => {
    const { sender, receiver, seen } = await startPair();
    await receiver.close();
    await sender.publishBroadcast('after close');
    await sleep(150);
    expect(seen.broadcasts).toEqual([]);
  });

  it('survives a handler that throws', async () => {
    let thrown = 0;
    const { sender, seen } = await startPair((seen) => ({
      ...seen,
      onBroadcast(payload) {
        if (payload === 'boom') {
          thrown++;
          throw new Error('handler bug');
        }
        seen.onBroadcast(payload);
      },
    }));
    await sender.publishBroadcast('boom');
    await sender.publishBroadcast('fine');
    await eventually(() => expect(seen.broadcasts).toEqual(['fine']));
    expect(thrown).toBe(1);
  });

  const routed = (transport: TransportV1 | TransportV2): TransportV2 => {
    expect(transport.specVersion).toBe(2);
    return transport as TransportV2;
  };

  it('routes a key only to the transports subscribed to it, on its own prefix, byte for byte', async () => {
    const base = options.newPrefix();
    const [sender, a, b, other] = [make(base), make(base), make(base), make(options.extendPrefix(base))].map(
      routed,
    );
    const seen = [recorder(), recorder(), recorder(), recorder()];
    await Promise.all([sender!, a!, b!, other!].map((node, i) => node.start(seen[i]!)));
    const key = 'c.app-1.private-news';
    const odd = `c.app%2E1.presence-a%2Eb=@,;_-.u.${'x'.repeat(900)}`;
    await a!.subscribe([key, odd]);
    await other!.subscribe([key, odd]);
    const frame = '{"k":"b","n":"n1"}\n{"event":"e","data":"héllo ✓ \\u0000 😀"}';
    await sender!.publishTo(key, frame);
    await sender!.publishTo(odd, 'odd');
    await sender!.publishTo('c.app-1.nobody', 'to nobody');
    await eventually(() => {
      expect(seen[1]!.on(key)).toEqual([frame]);
      expect(seen[1]!.on(odd)).toEqual(['odd']);
    });
    await sleep(100);
    expect(seen[2]!.routed).toEqual([]);
    expect(seen[3]!.routed, 'a transport of another prefix received the key').toEqual([]);
    expect(seen[1]!.routed).toHaveLength(2);
  });

  it('delivers a publish right after subscribe() resolved, and nothing after unsubscribe()', async () => {
    const prefix = options.newPrefix();
    const [sender, receiver] = [make(prefix), make(prefix)].map(routed);
    const seen = recorder();
    await Promise.all([sender!.start(recorder()), receiver!.start(seen)]);
    for (let i = 0; i < 30; i++) {
      const key = `c.app.first-${i}`;
      await receiver!.subscribe([key]);
      await sender!.publishTo(key, `m${i}`);
    }
    await eventually(() => expect(seen.routed.map((entry) => entry.payload)).toHaveLength(30));
    expect(seen.routed.map((entry) => entry.payload)).toEqual(Array.from({ length: 30 }, (_, i) => `m${i}`));
    await receiver!.unsubscribe(['c.app.first-0']);
    await sender!.publishTo('c.app.first-0', 'after');
    await sender!.publishTo('c.app.first-1', 'still');
    await eventually(() => expect(seen.on('c.app.first-1')).toEqual(['m1', 'still']));
    await sleep(100);
    expect(seen.on('c.app.first-0')).toEqual(['m0']);
  });

  it('subscribes thousands of keys in one call and keeps each key in publish order', async () => {
    const prefix = options.newPrefix();
    const [sender, receiver] = [make(prefix), make(prefix)].map(routed);
    const seen = recorder();
    await Promise.all([sender!.start(recorder()), receiver!.start(seen)]);
    const keys = Array.from({ length: 3000 }, (_, i) => `c.app.many-${i}`);
    await receiver!.subscribe(keys);
    await Promise.all(keys.map((key) => sender!.publishTo(key, key)));
    const ordered = Array.from({ length: 500 }, (_, i) => `o${i}`);
    await Promise.all(ordered.map((m) => sender!.publishTo('c.app.many-7', m)));
    await eventually(() => expect(seen.routed).toHaveLength(keys.length + ordered.length), 10_000);
    expect(seen.on('c.app.many-7')).toEqual(['c.app.many-7', ...ordered]);
    expect(new Set(seen.routed.map((entry) => entry.key)).size).toBe(keys.length);
  });

  it('rejects start() within the connect timeout when nothing listens at the address', async () => {
    const { connectTimeoutMs, error } = options.unreachable;
    const transport = track(options.unreachable.create(await freePort(), connectTimeoutMs));
    const result = await settle(transport.start(recorder()));
    expect(result.fulfilled).toBe(false);
    expect(String(result.error)).toMatch(error);
    expect(result.ms).toBeLessThan(2000);
    await expect(transport.publishBroadcast('x')).rejects.toThrow(/closed/);
  });
}
