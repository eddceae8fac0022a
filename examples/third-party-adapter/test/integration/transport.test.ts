// What the conformance suite does not single out: NOTIFY's 8000-byte limit (and that chunked
// messages come back whole and in order), long prefixes, and failures that name their cause.

import { randomUUID } from 'node:crypto';
import type { TransportV1 } from '@sockudo/core';
import pg from 'pg';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createPgNotifyTransport, MAX_NOTIFY_BYTES } from '../../src/index.js';
import { PG_URL, requirePostgres } from '../postgres.js';

const open: TransportV1[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((transport) => transport.close()));
});

/** A started transport that records what it receives. */
async function node(prefix: string) {
  const transport = createPgNotifyTransport({ connectionString: PG_URL, prefix });
  open.push(transport);
  const received: Array<[string, string]> = [];
  await transport.start({
    onBroadcast: (payload) => received.push(['broadcast', String(payload)]),
    onRequest: (payload) => received.push(['request', String(payload)]),
    onResponse: (payload) => received.push(['response', String(payload)]),
  });
  return { transport, received };
}

async function until(condition: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('pg-notify transport against PostgreSQL', () => {
  beforeAll(requirePostgres);

  it('PostgreSQL really rejects a NOTIFY payload of 8000 bytes (the limit the transport works around)', async () => {
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    try {
      await expect(
        client.query('SELECT pg_notify($1, $2)', [`limit-${randomUUID()}`, 'x'.repeat(MAX_NOTIFY_BYTES + 1)]),
      ).rejects.toThrow(/payload string too long/);
    } finally {
      await client.end();
    }
  });

  it('a 2 MB message of multi-byte text arrives whole, byte for byte, in order with small ones', async () => {
    const prefix = `sockudo-large-${randomUUID()}`;
    const a = await node(prefix);
    const b = await node(prefix);
    const large = `{"event":"big"}\n${'ü€😀x\n"\\'.repeat(160_000)}`;
    expect(Buffer.byteLength(large)).toBeGreaterThan(2_000_000);
    await a.transport.publishBroadcast('first');
    await a.transport.publishBroadcast(large);
    await a.transport.publishRequest('after');
    await b.transport.publishResponse('from b');
    await until(() => b.received.length >= 3, 'node b to receive three messages');
    expect(b.received).toEqual([
      ['broadcast', 'first'],
      ['broadcast', large],
      ['request', 'after'],
    ]);
    await until(() => a.received.length >= 1, 'node a to receive the response');
    // A node is not sent its own messages back.
    expect(a.received).toEqual([['response', 'from b']]);
  });

  it('a prefix longer than a PostgreSQL identifier still forms one cluster (hashed channel)', async () => {
    const prefix = `sockudo-${'long-'.repeat(20)}${randomUUID()}`;
    const a = await node(prefix);
    const b = await node(prefix);
    const other = await node(`${prefix}-other`);
    await a.transport.publishBroadcast('hello');
    await until(() => b.received.length === 1, 'node b to receive the broadcast');
    expect(b.received).toEqual([['broadcast', 'hello']]);
    await b.transport.publishBroadcast('barrier');
    await until(() => a.received.length === 1, 'node a to receive the barrier');
    expect(other.received).toEqual([]);
  });

  it('start() rejects, naming the channel and the cause, when PostgreSQL cannot be reached', async () => {
    const transport = createPgNotifyTransport({
      connectionString: 'postgres://postgres@127.0.0.1:1/test',
      prefix: 'unreachable',
      connectTimeoutMs: 300,
    });
    const noop = () => {};
    await expect(transport.start({ onBroadcast: noop, onRequest: noop, onResponse: noop })).rejects.toThrow(
      /PgNotifyTransport: could not connect and LISTEN on "unreachable" within 300 ms: .*ECONNREFUSED/,
    );
    await transport.close();
  });

  it('publishing before start() or after close() fails clearly', async () => {
    const transport = createPgNotifyTransport({ connectionString: PG_URL });
    await expect(transport.publishBroadcast('x')).rejects.toThrow('PgNotifyTransport: not started');
    const { transport: started } = await node(`sockudo-closed-${randomUUID()}`);
    await started.close();
    await expect(started.publishBroadcast('x')).rejects.toThrow('PgNotifyTransport: closed');
  });
});
