// The Pusher client handshake against a minimal fake server, with both WebSocket clients.
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type WebSocket, WebSocketServer } from 'ws';
import { createEventDataFactory } from '../src/event-payload.js';
import type { ClientKind } from '../src/frame-socket.js';
import { connectPusherSocket, type PusherSocket } from '../src/pusher-socket.js';

let server: WebSocketServer | undefined;
let socket: PusherSocket | undefined;

afterEach(async () => {
  socket?.terminate();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = socket = undefined;
});

// Answers like a Pusher server; `reject` makes it refuse the subscription instead.
async function startFakePusher(options: { reject?: boolean } = {}): Promise<string> {
  server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  server.on('connection', (ws: WebSocket) => {
    ws.send(
      JSON.stringify({
        event: 'pusher:connection_established',
        data: '{"socket_id":"1.1","activity_timeout":120}',
      }),
    );
    ws.on('message', (raw) => {
      const message = JSON.parse(raw.toString());
      if (message.event !== 'pusher:subscribe') return;
      const channel = message.data.channel;
      if (options.reject) {
        ws.send(JSON.stringify({ event: 'pusher:error', data: { code: 4009, message: 'nope' } }));
        return;
      }
      ws.send(JSON.stringify({ event: 'pusher_internal:subscription_succeeded', channel, data: '{}' }));
      ws.send(JSON.stringify({ event: 'pusher:ping', data: {} }));
      ws.send(JSON.stringify({ event: 'bench', channel, data: createEventDataFactory(100)(42.5) }));
    });
  });
  await new Promise((resolve) => server!.once('listening', resolve));
  return `ws://127.0.0.1:${(server.address() as AddressInfo).port}/app/app-key?protocol=7`;
}

describe.each<ClientKind>(['raw', 'ws'])('connectPusherSocket (%s client)', (client) => {
  it('subscribes, then reports benchmark events with their send time', async () => {
    const url = await startFakePusher();
    const sentAts: number[] = [];
    let established = 0;
    socket = await connectPusherSocket({
      url,
      client,
      channel: 'bench-1',
      timeoutMs: 5000,
      handlers: { onDelivery: (sentAt) => sentAts.push(sentAt), onFailure: () => {} },
      onEstablished: () => established++,
    });
    for (let tries = 0; tries < 100 && sentAts.length === 0; tries++)
      await new Promise((r) => setTimeout(r, 10));
    expect(established).toBe(1);
    expect(sentAts).toEqual([42.5]);
  });

  it('rejects with the server error when the subscription is refused', async () => {
    const url = await startFakePusher({ reject: true });
    await expect(
      connectPusherSocket({
        url,
        client,
        channel: 'bench-1',
        timeoutMs: 5000,
        handlers: { onDelivery: () => {}, onFailure: () => {} },
      }),
    ).rejects.toThrow(/pusher:error .*4009/);
  });
});
