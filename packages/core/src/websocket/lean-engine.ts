// Our own RFC 6455 server handshake (§4.2), so an upgraded connection costs a TCP socket and one
// LeanSocket and nothing else. Answers bad handshakes the way `ws` does (status and message), so the
// two engines look alike to a client.

import { createHash } from 'node:crypto';
import { type IncomingMessage, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { LeanSocket } from './lean-socket.js';
import type { WebSocketEngine, WebSocketEngineOptions, WireSocket } from './wire-socket.js';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const KEY = /^[+/0-9A-Za-z]{22}==$/;

function acceptKey(key: string): string {
  return createHash('sha1')
    .update(key + GUID)
    .digest('base64');
}

/** Answers the handshake with `status` and closes the socket, as ws's abortHandshake does. */
function abort(socket: Duplex, status: number, message: string, extra = ''): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  socket.once('finish', () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Type: text/html\r\n` +
      `Content-Length: ${Buffer.byteLength(message)}\r\n${extra}\r\n${message}`,
  );
}

/** The first subprotocol the client offers, as `ws` picks without a `handleProtocols` hook. */
function firstProtocol(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const first = header.split(',')[0]!.trim();
  return first === '' ? undefined : first;
}

export function createLeanEngine(options: WebSocketEngineOptions): WebSocketEngine {
  const { maxPayloadBytes } = options;
  return {
    name: 'lean',
    handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, accepted: (ws: WireSocket) => void) {
      const key = req.headers['sec-websocket-key'];
      const version = req.headers['sec-websocket-version'];
      if (req.method !== 'GET') return abort(socket, 405, 'Invalid HTTP method');
      if (req.headers.upgrade?.toLowerCase() !== 'websocket') {
        return abort(socket, 400, 'Invalid Upgrade header');
      }
      if (typeof key !== 'string' || !KEY.test(key)) {
        return abort(socket, 400, 'Missing or invalid Sec-WebSocket-Key header');
      }
      if (version !== '13' && version !== '8') {
        return abort(
          socket,
          400,
          'Missing or invalid Sec-WebSocket-Version header',
          'Sec-WebSocket-Version: 13, 8\r\n',
        );
      }
      if (!socket.readable || !socket.writable) {
        socket.destroy();
        return;
      }
      const protocol = firstProtocol(req.headers['sec-websocket-protocol']);
      socket.write(
        'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
          `Sec-WebSocket-Accept: ${acceptKey(key)}\r\n` +
          (protocol === undefined ? '' : `Sec-WebSocket-Protocol: ${protocol}\r\n`) +
          '\r\n',
      );
      const tcp = socket as Socket;
      tcp.setTimeout?.(0);
      tcp.setNoDelay?.(true);
      // Bytes that came with the upgrade request are the first frames: read again once listening.
      if (head.length > 0) socket.unshift(head);
      accepted(new LeanSocket(socket, maxPayloadBytes));
    },
    close() {},
  };
}
