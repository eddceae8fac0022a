// Direct tests of the NATS transport against the machine's NATS server. (The published conformance
// suite covers the contract; these cover subjects, prefixes, lifecycle errors, timeouts and a shared
// connection.)

import { randomUUID } from 'node:crypto';
import { ConfigError, type TransportV1 } from '@sockudo/core';
import { recorder } from '@sockudo/test-helpers/recorder';
import { freePort, NATS_URL, requireService } from '@sockudo/test-helpers/services';
import { eventually, settle, sleep } from '@sockudo/test-helpers/wait';
import { connect } from 'nats';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createNatsTransport, natsSubjects } from '../../src/index.js';

describe('createNatsTransport', () => {
  beforeAll(() => requireService('NATS', NATS_URL, 4222));

  const open: TransportV1[] = [];
  const make = (prefix: string, extra: Parameters<typeof createNatsTransport>[0] = {}) => {
    const transport = createNatsTransport({ servers: NATS_URL, prefix, ...extra });
    open.push(transport);
    return transport;
  };
  const newPrefix = () => `t_${randomUUID()}`;
  afterEach(async () => {
    await Promise.all(open.splice(0).map((transport) => transport.close()));
  });

  it('names its subjects prefix.broadcast/.requests/.responses and refuses an unusable prefix', () => {
    expect(natsSubjects('sockudo_events')).toEqual({
      broadcast: 'sockudo_events.broadcast',
      requests: 'sockudo_events.requests',
      responses: 'sockudo_events.responses',
    });
    expect(natsSubjects('a.b').requests).toBe('a.b.requests');
    for (const bad of ['', 'a..b', '.a', 'a.', 'a.*', '>', 'has space']) {
      expect(() => createNatsTransport({ prefix: bad }), bad).toThrow(ConfigError);
    }
  });

  it('delivers each kind of message to every other node with the same prefix (no echo)', async () => {
    const prefix = newPrefix();
    const nodes = [make(prefix), make(prefix), make(prefix)];
    const seen = nodes.map(() => recorder());
    await Promise.all(nodes.map((node, i) => node.start(seen[i]!)));

    const frame = '{"k":"b","n":"node-a"}\n{"event":"greet","data":"héllo ✓ \\u0000"}';
    await nodes[0]!.publishBroadcast(frame);
    await nodes[1]!.publishRequest('request-1');
    await nodes[2]!.publishResponse('response-1');
    await eventually(() => {
      expect(seen.map((s) => s.broadcasts)).toEqual([[], [frame], [frame]]);
      expect(seen.map((s) => s.requests)).toEqual([['request-1'], [], ['request-1']]);
      expect(seen.map((s) => s.responses)).toEqual([['response-1'], ['response-1'], []]);
    });
  });

  it('hears its own messages when noEcho is turned off', async () => {
    const transport = make(newPrefix(), { connectOptions: { noEcho: false } });
    const seen = recorder();
    await transport.start(seen);
    await transport.publishBroadcast('echo');
    await eventually(() => expect(seen.broadcasts).toEqual(['echo']));
  });

  it('keeps clusters with different prefixes apart, including a prefix that extends another', async () => {
    const base = newPrefix();
    const [a1, a2, b1, b2] = [make(base), make(base), make(`${base}.child`), make(`${base}.child`)];
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
    const prefix = newPrefix();
    const sender = make(prefix);
    const receiver = make(prefix);
    const seen = recorder();
    await Promise.all([sender.start(recorder()), receiver.start(seen)]);
    const sent = Array.from({ length: 2000 }, (_, i) => `m${i}`);
    await Promise.all(sent.map((m) => sender.publishBroadcast(m)));
    await eventually(() => expect(seen.broadcasts).toEqual(sent));
  });

  it('is healthy once started, and says why it is not before start and after close', async () => {
    const transport = make(newPrefix());
    await expect(transport.checkHealth()).rejects.toThrow(/not started/);
    await expect(transport.publishBroadcast('x')).rejects.toThrow(/not started/);
    await transport.start(recorder());
    await expect(transport.checkHealth()).resolves.toBeUndefined();
    await expect(transport.start(recorder())).rejects.toThrow(/start\(\) may be called once/);
    await transport.close();
    await transport.close();
    await expect(transport.checkHealth()).rejects.toThrow(/closed/);
    await expect(transport.publishBroadcast('x')).rejects.toThrow(/closed/);
  });

  it('stops delivering once closed', async () => {
    const prefix = newPrefix();
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
    const prefix = newPrefix();
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

  it('uses a connection it is given and leaves it open on close', async () => {
    const connection = await connect({ servers: NATS_URL });
    try {
      const prefix = newPrefix();
      const shared = make(prefix, { connection });
      const other = make(prefix);
      const seen = recorder();
      await Promise.all([shared.start(seen), other.start(recorder())]);
      await other.publishBroadcast('to shared');
      await eventually(() => expect(seen.broadcasts).toEqual(['to shared']));
      await shared.close();
      expect(connection.isClosed()).toBe(false);
      await other.publishBroadcast('after close');
      await sleep(100);
      expect(seen.broadcasts).toEqual(['to shared']);
    } finally {
      await connection.close();
    }
  });

  it('rejects start() within the connect timeout when no server answers', async () => {
    const port = await freePort();
    const transport = make(newPrefix(), { servers: `nats://127.0.0.1:${port}`, connectTimeoutMs: 600 });
    const result = await settle(transport.start(recorder()));
    expect(result.fulfilled).toBe(false);
    expect(String(result.error)).toMatch(/could not connect to nats:\/\/127\.0\.0\.1:\d+ within 600 ms/);
    expect(result.ms).toBeLessThan(2000);
    await expect(transport.publishBroadcast('x')).rejects.toThrow(/closed/);
  });
});
