// The postgres and mysql history backends under `sockudo start`: two nodes over the redis adapter share
// Rust Sockudo's history tables in the machine's PostgreSQL and MariaDB; a client resumes on the other
// node and the history routes page what was stored.

import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { redisBroker } from './brokers.js';
import { type SockudoNode, startCluster, testApp } from './nodes.js';
import { Scope } from './scope.js';
import { uid, withTimeout } from './waits.js';

interface Frame {
  event: string;
  channel?: string;
  data?: string;
  serial?: number;
  stream_id?: string;
  message_id?: string;
}

async function v2Socket(node: SockudoNode) {
  const ws = new WebSocket(`ws://127.0.0.1:${node.port}/app/${node.app.key}?protocol=2&format=json`);
  const frames: Frame[] = [];
  let wake: (() => void) | undefined;
  ws.on('message', (data) => {
    frames.push(JSON.parse(data.toString()));
    wake?.();
  });
  const waitFor = (test: (frame: Frame) => boolean, what: string) =>
    withTimeout(
      (async () => {
        for (;;) {
          const found = frames.find(test);
          if (found) return found;
          await new Promise<void>((resolve) => {
            wake = resolve;
          });
        }
      })(),
      what,
    );
  await waitFor((f) => f.event === 'sockudo:connection_established', 'connection_established');
  return { ws, frames, waitFor, send: (frame: unknown) => ws.send(JSON.stringify(frame)) };
}

const BACKENDS = [
  {
    backend: 'postgres',
    database: { postgres: { host: '127.0.0.1', port: 5432, username: 'postgres', database: 'test' } },
    drop: async (prefix: string) => {
      const client = new pg.Client({ host: '127.0.0.1', user: 'postgres', database: 'test' });
      await client.connect();
      await client.query(`DROP TABLE IF EXISTS ${prefix}_entries, ${prefix}_streams`);
      await client.end();
    },
  },
  {
    backend: 'mysql',
    database: { mysql: { host: '127.0.0.1', port: 3306, username: 'root', database: 'test' } },
    drop: async (prefix: string) => {
      const connection = await mysql.createConnection({ host: '127.0.0.1', user: 'root', database: 'test' });
      await connection.query(`DROP TABLE IF EXISTS ${prefix}_entries, ${prefix}_streams`);
      await connection.end();
    },
  },
] as const;

describe.each(BACKENDS)('the $backend history backend over two nodes', ({ backend, database, drop }) => {
  const broker = redisBroker();
  const scope = new Scope();
  afterAll(() => scope.close(), 30_000);

  it('stores every message once with its serial, resumes on the other node and pages it', async () => {
    await broker.require();
    const app = testApp();
    const prefix = `hist_${uid().replace(/[^a-z0-9]/gi, '')}`.toLowerCase();
    scope.defer(() => drop(prefix));
    const [a, b] = (await startCluster(scope, 2, broker.adapter(`sockudo_test_${uid()}`), app, {
      database,
      history: { enabled: true, backend, [backend]: { table_prefix: prefix } },
      connection_recovery: { enabled: true },
    })) as [SockudoNode, SockudoNode];
    const channel = `chat-${uid()}`;
    const first = await v2Socket(a);
    first.send({ event: 'sockudo:subscribe', data: { channel } });
    await first.waitFor((f) => f.event === 'sockudo_internal:subscription_succeeded', 'the subscription');
    await b.backend.trigger(channel, 'msg', '0');
    const last = await first.waitFor((f) => f.event === 'msg', 'the first event');
    first.ws.terminate();
    for (let n = 1; n <= 30; n++) await a.backend.trigger(channel, 'msg', String(n));

    const again = await v2Socket(b);
    again.send({ event: 'sockudo:subscribe', data: { channel } });
    again.send({
      event: 'sockudo:resume',
      data: JSON.stringify({
        channel_positions: { [channel]: { stream_id: last.stream_id, serial: last.serial } },
      }),
    });
    await again.waitFor((f) => f.event === 'sockudo:resume_success', 'resume_success');
    const replayed = again.frames.filter((f) => f.event === 'msg');
    expect(replayed.map((f) => f.data)).toEqual(Array.from({ length: 30 }, (_, i) => String(i + 1)));
    expect(replayed.map((f) => f.serial)).toEqual(Array.from({ length: 30 }, (_, i) => i + 2));
    again.ws.terminate();

    const response = await a.backend.get({
      path: `/channels/${channel}/history`,
      params: { direction: 'oldest_first' },
    });
    const body = (await response.json()) as {
      items: Array<{ serial: number }>;
      continuity: { newest_available_serial: number };
    };
    expect(body.items.map((item) => item.serial)).toEqual(Array.from({ length: 31 }, (_, i) => i + 1));
    expect(body.continuity.newest_available_serial).toBe(31);
  }, 60_000);
});
