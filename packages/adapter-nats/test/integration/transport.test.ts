// Direct tests of the NATS transport against the machine's NATS server: the cases every transport
// shares, then what only the NATS transport does (subjects, echo, a shared connection).

import { randomUUID } from 'node:crypto';
import { ConfigError, type TransportV2 } from '@sockudo/core';
import { recorder } from '@sockudo/test-helpers/recorder';
import { NATS_URL, requireService } from '@sockudo/test-helpers/services';
import { transportCases } from '@sockudo/test-helpers/transport-cases';
import { eventually, sleep } from '@sockudo/test-helpers/wait';
import { connect } from 'nats';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createNatsTransport, natsSubjects } from '../../src/index.js';

describe('createNatsTransport', () => {
  beforeAll(() => requireService('NATS', NATS_URL, 4222));

  const open: TransportV2[] = [];
  const make = (prefix: string, extra: Parameters<typeof createNatsTransport>[0] = {}) => {
    const transport = createNatsTransport({ servers: NATS_URL, prefix, ...extra });
    open.push(transport);
    return transport;
  };
  const newPrefix = () => `t_${randomUUID()}`;
  afterEach(async () => {
    await Promise.all(open.splice(0).map((transport) => transport.close()));
  });

  transportCases({
    create: (prefix) => createNatsTransport({ servers: NATS_URL, prefix }),
    newPrefix,
    extendPrefix: (base) => `${base}.child`,
    hearsItself: false,
    countsNodes: false,
    unreachable: {
      create: (port, connectTimeoutMs) =>
        createNatsTransport({ servers: `nats://127.0.0.1:${port}`, prefix: newPrefix(), connectTimeoutMs }),
      connectTimeoutMs: 600,
      error: /could not connect to nats:\/\/127\.0\.0\.1:\d+ within 600 ms/,
    },
  });

  it('names its subjects prefix.broadcast/.requests/.responses and refuses an unusable prefix', () => {
    expect(natsSubjects('sockudo_events')).toEqual({
      broadcast: 'sockudo_events.broadcast',
      requests: 'sockudo_events.requests',
      responses: 'sockudo_events.responses',
      routed: 'sockudo_events.r.',
    });
    expect(natsSubjects('a.b').requests).toBe('a.b.requests');
    for (const bad of ['', 'a..b', '.a', 'a.', 'a.*', '>', 'has space']) {
      expect(() => createNatsTransport({ prefix: bad }), bad).toThrow(ConfigError);
    }
  });

  it('hears its own messages when noEcho is turned off', async () => {
    const transport = make(newPrefix(), { connectOptions: { noEcho: false } });
    const seen = recorder();
    await transport.start(seen);
    await transport.publishBroadcast('echo');
    await eventually(() => expect(seen.broadcasts).toEqual(['echo']));
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
});
