// Checks the lean client against `ws` as the server: framing, fragmentation, control frames, handshake.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type WebSocket, WebSocketServer } from 'ws';
import type { FrameSocketEvents } from '../src/frame-socket.js';
import { RawWebSocket } from '../src/raw-websocket.js';

interface Recorded {
  messages: string[];
  opened: Promise<void>;
  closed: Promise<{ code: number; reason: string }>;
  errored: Promise<Error>;
  events: FrameSocketEvents;
}

function record(): Recorded {
  const messages: string[] = [];
  let onOpen!: () => void;
  let onClose!: (value: { code: number; reason: string }) => void;
  let onError!: (error: Error) => void;
  const opened = new Promise<void>((resolve) => (onOpen = resolve));
  const closed = new Promise<{ code: number; reason: string }>((resolve) => (onClose = resolve));
  const errored = new Promise<Error>((resolve) => (onError = resolve));
  return {
    messages,
    opened,
    closed,
    errored,
    events: {
      onOpen,
      onMessage: (data, start, end) => messages.push(data.toString('utf8', start, end)),
      onClose: (code, reason) => onClose({ code, reason }),
      onError,
    },
  };
}

let server: WebSocketServer | undefined;
let httpServer: Server | undefined;
let client: RawWebSocket | undefined;

afterEach(async () => {
  client?.terminate();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  await new Promise<void>((resolve) => (httpServer ? httpServer.close(() => resolve()) : resolve()));
  server = httpServer = client = undefined;
});

async function startServer(onConnection: (socket: WebSocket) => void): Promise<string> {
  server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  server.on('connection', onConnection);
  await new Promise((resolve) => server!.once('listening', resolve));
  return `ws://127.0.0.1:${(server.address() as AddressInfo).port}/app/key?protocol=7`;
}

async function until(condition: () => boolean): Promise<void> {
  for (let tries = 0; tries < 200 && !condition(); tries++) await new Promise((r) => setTimeout(r, 10));
}

describe('RawWebSocket', () => {
  it('receives small, 16-bit and 64-bit length messages, and fragmented ones', async () => {
    const medium = 'm'.repeat(300);
    const large = 'L'.repeat(70_000);
    const url = await startServer((socket) => {
      socket.send('hello');
      socket.send(medium);
      socket.send(large);
      socket.send('frag-', { fin: false });
      socket.send('ment', { fin: true });
    });
    const recorded = record();
    client = new RawWebSocket(url, 5000, recorded.events);
    await until(() => recorded.messages.length === 4);
    expect(recorded.messages).toEqual(['hello', medium, large, 'frag-ment']);
  });

  it('sends masked text the server can read, and answers pings', async () => {
    let received = '';
    let pong = '';
    const url = await startServer((socket) => {
      socket.on('message', (data) => (received = data.toString()));
      socket.on('pong', (data) => (pong = data.toString()));
      socket.ping('are-you-there');
    });
    const recorded = record();
    client = new RawWebSocket(url, 5000, recorded.events);
    await recorded.opened;
    client.send(JSON.stringify({ event: 'pusher:subscribe', data: { channel: 'x'.repeat(200) } }));
    await until(() => received !== '' && pong !== '');
    expect(JSON.parse(received).data.channel).toHaveLength(200);
    expect(pong).toBe('are-you-there');
  });

  it('reports the server close code and reason', async () => {
    const url = await startServer((socket) => socket.close(4001, 'App key not found'));
    const recorded = record();
    client = new RawWebSocket(url, 5000, recorded.events);
    expect(await recorded.closed).toEqual({ code: 4001, reason: 'App key not found' });
  });

  it('fails the handshake on a non-101 answer', async () => {
    httpServer = createServer((_req, res) => res.writeHead(404).end('no'));
    httpServer.on('upgrade', (_req, socket) =>
      socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n'),
    );
    await new Promise<void>((resolve) => httpServer!.listen(0, '127.0.0.1', resolve));
    const port = (httpServer.address() as AddressInfo).port;
    const recorded = record();
    client = new RawWebSocket(`ws://127.0.0.1:${port}/app/key`, 5000, recorded.events);
    expect((await recorded.errored).message).toMatch(/unexpected server response: HTTP\/1\.1 404/);
  });

  it('fails when nothing listens', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const recorded = record();
    client = new RawWebSocket(`ws://127.0.0.1:${port}/`, 5000, recorded.events);
    expect((await recorded.errored).message).toMatch(/ECONNREFUSED/);
  });
});
