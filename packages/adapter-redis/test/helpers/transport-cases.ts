// Direct tests of a TransportV1 against a real broker, shared by the Redis and Redis Cluster variants.
// (The published conformance suite in @sockudo/test-suite covers the contract; these cover what is
// specific to this package: channel names, prefixes, lifecycle errors and timeouts.)

import { randomUUID } from 'node:crypto';
import type { TransportV1 } from '@sockudo/core';
import { recorder } from '@sockudo/test-helpers/recorder';
import { eventually, settle, sleep } from '@sockudo/test-helpers/wait';
import { afterEach, expect, it } from 'vitest';

export interface TransportCaseOptions {
  /** Creates a transport with this prefix on the broker under test. */
  create(prefix: string): TransportV1;
  /** Creates a transport pointed at a port nothing listens on, with a short connect timeout. */
  createUnreachable(connectTimeoutMs: number): TransportV1;
  /** Whether nodeCount() is expected to be exact. */
  countsNodes: boolean;
}

export function transportCases(options: TransportCaseOptions): void {
  const open: TransportV1[] = [];
  const make = (prefix: string) => {
    const transport = options.create(prefix);
    open.push(transport);
    return transport;
  };
  afterEach(async () => {
    await Promise.all(open.splice(0).map((transport) => transport.close()));
  });

  it('delivers each kind of message to every node with the same prefix, the sender included', async () => {
    const prefix = `t-${randomUUID()}:`;
    const nodes = [make(prefix), make(prefix), make(prefix)];
    const seen = nodes.map(() => recorder());
    await Promise.all(nodes.map((node, i) => node.start(seen[i]!)));

    const frame = '{"k":"b","n":"node-a"}\n{"event":"greet","data":"héllo ✓ \\u0000"}';
    await nodes[0]!.publishBroadcast(frame);
    await nodes[1]!.publishRequest('request-1');
    await nodes[2]!.publishResponse('response-1');

    await eventually(() => {
      for (const s of seen) {
        expect(s.broadcasts).toEqual([frame]);
        expect(s.requests).toEqual(['request-1']);
        expect(s.responses).toEqual(['response-1']);
      }
    });
  });

  it('keeps clusters with different prefixes apart', async () => {
    const a = make(`t-${randomUUID()}:`);
    const b = make(`t-${randomUUID()}:`);
    const seenA = recorder();
    const seenB = recorder();
    await Promise.all([a.start(seenA), b.start(seenB)]);
    await a.publishBroadcast('for a');
    await b.publishRequest('for b');
    await eventually(() => {
      expect(seenA.broadcasts).toEqual(['for a']);
      expect(seenB.requests).toEqual(['for b']);
    });
    await sleep(100);
    expect(seenA.requests).toEqual([]);
    expect(seenB.broadcasts).toEqual([]);
  });

  it('keeps the order of one publisher’s messages', async () => {
    const prefix = `t-${randomUUID()}:`;
    const sender = make(prefix);
    const receiver = make(prefix);
    const seen = recorder();
    await Promise.all([sender.start(recorder()), receiver.start(seen)]);
    const sent = Array.from({ length: 200 }, (_, i) => `m${i}`);
    await Promise.all(sent.map((m) => sender.publishBroadcast(m)));
    await eventually(() => expect(seen.broadcasts).toEqual(sent));
  });

  it('counts the nodes listening on its prefix', async () => {
    if (!options.countsNodes) return;
    const prefix = `t-${randomUUID()}:`;
    const nodes = [make(prefix), make(prefix), make(prefix)];
    await Promise.all(nodes.map((node) => node.start(recorder())));
    await eventually(async () => expect(await nodes[0]!.nodeCount!()).toBe(3));
    await nodes[2]!.close();
    await eventually(async () => expect(await nodes[0]!.nodeCount!()).toBe(2));
  });

  it('is healthy once started, and says why it is not before start and after close', async () => {
    const transport = make(`t-${randomUUID()}:`);
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
    const prefix = `t-${randomUUID()}:`;
    const sender = make(prefix);
    const closed = make(prefix);
    const seen = recorder();
    await Promise.all([sender.start(recorder()), closed.start(seen)]);
    await closed.close();
    await sender.publishBroadcast('after close');
    await sleep(150);
    expect(seen.broadcasts).toEqual([]);
  });

  it('survives a handler that throws', async () => {
    const prefix = `t-${randomUUID()}:`;
    const sender = make(prefix);
    const receiver = make(prefix);
    const seen = recorder();
    let thrown = 0;
    await Promise.all([
      sender.start(recorder()),
      receiver.start({
        ...seen,
        onBroadcast(payload) {
          if (payload === 'boom') {
            thrown++;
            throw new Error('handler bug');
          }
          seen.onBroadcast(payload);
        },
      }),
    ]);
    await sender.publishBroadcast('boom');
    await sender.publishBroadcast('fine');
    await eventually(() => expect(seen.broadcasts).toEqual(['fine']));
    expect(thrown).toBe(1);
  });

  it('rejects start() within the connect timeout when the broker is unreachable', async () => {
    const transport = options.createUnreachable(400);
    open.push(transport);
    const result = await settle(transport.start(recorder()));
    expect(result.fulfilled).toBe(false);
    expect(String(result.error)).toMatch(/could not connect and subscribe within 400 ms/);
    expect(result.ms).toBeLessThan(2000);
    await expect(transport.publishBroadcast('x')).rejects.toThrow(/closed/);
  });
}
