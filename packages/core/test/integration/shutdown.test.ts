// Graceful shutdown: every client is told to reconnect (4200), the node reports itself not ready while
// it drains, and nothing is left open once close() has resolved.

import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup } from '../helpers/cleanup.js';
import { connectPusherJs, nextEvent, RawClient, subscribed, waitForState } from '../helpers/clients.js';
import { startProxy } from '../helpers/proxy.js';
import { APP, startServer } from '../helpers/server.js';
import { waitUntil, withTimeout } from '../helpers/wait.js';

afterEach(cleanup);

const sockets = new Set<Socket>();
afterEach(() => {
  for (const socket of sockets) socket.destroy();
  sockets.clear();
});

/** A TCP connection that collects everything the server sends. */
async function tcp(port: number): Promise<{ socket: Socket; received: () => string; ended: Promise<void> }> {
  const socket = connect(port, '127.0.0.1');
  sockets.add(socket);
  let text = '';
  socket.on('data', (chunk) => {
    text += chunk.toString('latin1');
  });
  socket.on('error', () => {});
  const ended = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  await withTimeout(new Promise((resolve) => socket.once('connect', resolve)), 'a TCP connection');
  return { socket, received: () => text, ended };
}

/**
 * A WebSocket that completes the upgrade by hand and then never answers anything, not even the close
 * frame: the server cannot finish closing it, so its shutdown has to wait out the grace period.
 */
async function stubbornWebSocket(port: number) {
  const conn = await tcp(port);
  conn.socket.write(
    [
      `GET /app/${APP.key}?protocol=7&client=js&version=8.6.0 HTTP/1.1`,
      'Host: 127.0.0.1',
      'Upgrade: websocket',
      'Connection: Upgrade',
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
      'Sec-WebSocket-Version: 13',
      '',
      '',
    ].join('\r\n'),
  );
  await waitUntil(
    () => conn.received().includes('pusher:connection_established'),
    'the stubborn socket to connect',
  );
  expect(conn.received()).toMatch(/^HTTP\/1\.1 101/);
  return conn;
}

describe('graceful shutdown', () => {
  it('closes raw sockets with pusher:error 4200 and close code 4200', async () => {
    const { port, server } = await startServer();
    const a = await RawClient.established(port);
    const b = await RawClient.established(port);
    await b.subscribe('news');

    await server.close({ gracePeriodMs: 5_000 });
    for (const client of [a, b]) {
      const closed = await client.waitForClose();
      expect(closed.code).toBe(4200);
      const error = client.all('pusher:error').at(-1);
      expect(error?.payload.code).toBe(4200);
    }
  });

  it('tells pusher-js to reconnect (error 4200), and pusher-js moves to another node at once', async () => {
    const first = await startServer();
    const second = await startServer();
    const balancer = await startProxy(first.port);
    try {
      const pusher = await connectPusherJs(balancer.port);
      await subscribed(pusher, 'news');
      const errors: any[] = [];
      pusher.connection.bind('error', (e: unknown) => errors.push(e));
      const oldSocketId = pusher.connection.socket_id;

      balancer.setTarget(second.port); // the load balancer routes new connections to the other node
      await first.server.close({ gracePeriodMs: 5_000 });
      await waitUntil(() => errors.some((e) => e?.data?.code === 4200), 'pusher-js to see code 4200');

      // 4200 means "reconnect immediately": pusher-js comes back on the other node and resubscribes.
      await waitForState(pusher, 'connected');
      expect(pusher.connection.socket_id).not.toBe(oldSocketId);
      await waitUntil(() => pusher.channel('news')?.subscribed, 'pusher-js to resubscribe to news');
      const got = nextEvent(pusher.channel('news'), 'after-move');
      await second.backend().trigger('news', 'after-move', { node: 2 });
      expect((await got).data).toEqual({ node: 2 });
    } finally {
      await balancer.close();
    }
  });

  it('answers /ready with 503 and refuses upgrades with 503 while draining', async () => {
    const { port, server } = await startServer();
    const stubborn = await stubbornWebSocket(port);

    // Requests already under way (headers half sent) when the shutdown starts; Node does not close
    // connections with a request in progress, so they are answered after draining began.
    const ready = await tcp(port);
    ready.socket.write('GET /ready HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    const upgrade = await tcp(port);
    upgrade.socket.write(
      `GET /app/${APP.key} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n',
    );
    const before = await tcp(port); // control: the same probe before the shutdown
    before.socket.write('GET /ready HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
    await waitUntil(() => before.received().includes('\r\n\r\n'), 'the /ready answer before shutdown');
    expect(before.received()).toMatch(/^HTTP\/1\.1 200/);

    const closing = server.close({ gracePeriodMs: 10_000 });
    let closed = false;
    void closing.then(() => {
      closed = true;
    });

    ready.socket.write('Connection: close\r\n\r\n');
    upgrade.socket.write('\r\n');
    await waitUntil(() => ready.received().includes('\r\n\r\n'), 'the /ready answer while draining');
    await waitUntil(() => upgrade.received().includes('\r\n\r\n'), 'the upgrade answer while draining');
    expect(ready.received()).toMatch(/^HTTP\/1\.1 503/);
    expect(upgrade.received()).toMatch(/^HTTP\/1\.1 503/);
    expect(closed).toBe(false); // still draining: the stubborn socket has not closed

    // The stubborn socket did get the 4200 close frame; once it goes away the shutdown completes.
    expect(stubborn.received()).toContain('"code":4200');
    stubborn.socket.destroy();
    await withTimeout(closing, 'close() to resolve once the last socket is gone');
  });

  it('resolves close() after the grace period and leaves no socket open', async () => {
    const { port, server } = await startServer();
    const stubborn = await stubbornWebSocket(port);

    await withTimeout(server.close({ gracePeriodMs: 300 }), 'close() to resolve after its grace period');
    // ws alone would wait 30 s for the close frame; the node must cut the socket itself.
    await withTimeout(
      stubborn.ended,
      'the server to terminate a socket still open after the grace period',
      3_000,
    );
  });

  it('stops listening: new connections are refused once close() resolved', async () => {
    const { port, server } = await startServer();
    await server.close({ gracePeriodMs: 1_000 });
    const socket = connect(port, '127.0.0.1');
    sockets.add(socket);
    const outcome = await withTimeout(
      new Promise<string>((resolve) => {
        socket.once('connect', () => resolve('connected'));
        socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
      }),
      'the connection attempt to settle',
    );
    expect(outcome).toBe('ECONNREFUSED');
  });
});
