// RFC 6455 on the wire, byte by byte, for both WebSocket engines: frames split anywhere, fragmented
// messages with control frames between, and every protocol violation answered with the close code `ws`
// uses. A raw TCP client writes the frames, so nothing between the test and the server smooths them over.

import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup } from '../helpers/cleanup.js';
import { APP, startServer } from '../helpers/server.js';
import { waitUntil, withTimeout } from '../helpers/wait.js';

afterEach(cleanup);
const sockets = new Set<Socket>();
afterEach(() => {
  for (const socket of sockets) socket.destroy();
  sockets.clear();
});

interface Frame {
  fin: boolean;
  opcode: number;
  payload: Buffer;
}

/** A client frame: masked unless told otherwise; `length` may claim a size the payload does not have. */
function clientFrame(
  opcode: number,
  payload: Buffer | string,
  {
    fin = true,
    rsv = 0,
    masked = true,
    length,
  }: { fin?: boolean; rsv?: number; masked?: boolean; length?: number } = {},
): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const size = length ?? body.length;
  const header: number[] = [(fin ? 0x80 : 0) | (rsv << 4) | opcode];
  const maskBit = masked ? 0x80 : 0;
  if (size < 126) header.push(maskBit | size);
  else if (size < 65_536) header.push(maskBit | 126, size >> 8, size & 0xff);
  else {
    const big = Buffer.alloc(8);
    big.writeBigUInt64BE(BigInt(size));
    header.push(maskBit | 127, ...big);
  }
  if (!masked) return Buffer.concat([Buffer.from(header), body]);
  const mask = randomBytes(4);
  const masked_ = Buffer.from(body.map((byte, i) => byte ^ mask[i & 3]!));
  return Buffer.concat([Buffer.from(header), mask, masked_]);
}

/** Server frames out of the bytes after the handshake (unmasked, as a server sends them). */
function parseFrames(bytes: Buffer): Frame[] {
  const frames: Frame[] = [];
  let at = 0;
  while (at + 2 <= bytes.length) {
    let length = bytes[at + 1]! & 0x7f;
    let header = 2;
    if (length === 126) {
      length = bytes.readUInt16BE(at + 2);
      header = 4;
    } else if (length === 127) {
      length = Number(bytes.readBigUInt64BE(at + 2));
      header = 10;
    }
    if (at + header + length > bytes.length) break;
    frames.push({
      fin: (bytes[at]! & 0x80) !== 0,
      opcode: bytes[at]! & 0x0f,
      payload: bytes.subarray(at + header, at + header + length),
    });
    at += header + length;
  }
  return frames;
}

async function openSocket(port: number) {
  const socket = connect(port, '127.0.0.1');
  sockets.add(socket);
  let bytes = Buffer.alloc(0);
  socket.on('data', (chunk) => {
    bytes = Buffer.concat([bytes, chunk]);
  });
  socket.on('error', () => {});
  const ended = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  await withTimeout(new Promise((resolve) => socket.once('connect', resolve)), 'a TCP connection');
  socket.write(
    `GET /app/${APP.key}?protocol=7 HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
  );
  const afterHandshake = () => {
    const end = bytes.indexOf('\r\n\r\n');
    return end < 0 ? Buffer.alloc(0) : bytes.subarray(end + 4);
  };
  const frames = () => parseFrames(afterHandshake());
  const texts = () =>
    frames()
      .filter((f) => f.opcode === 1)
      .map((f) => f.payload.toString());
  await waitUntil(
    () => texts().some((t) => t.includes('pusher:connection_established')),
    'connection_established',
  );
  const closeCode = () => {
    const close = frames().find((f) => f.opcode === 8);
    return close && close.payload.length >= 2 ? close.payload.readUInt16BE(0) : undefined;
  };
  return { socket, frames, texts, closeCode, ended, head: () => bytes.toString('latin1').split('\r\n')[0] };
}

const PING = JSON.stringify({ event: 'pusher:ping', data: {} });
const pongs = (texts: string[]) => texts.filter((t) => t.includes('pusher:pong')).length;

for (const engine of ['ws', 'lean'] as const) {
  describe(`the ${engine} WebSocket engine on the wire`, () => {
    const start = () => startServer({ websocketEngine: engine });

    it('reads a message written one byte at a time, and two messages in one write', async () => {
      const { port } = await start();
      const client = await openSocket(port);
      const frame = clientFrame(1, PING);
      for (const byte of frame) {
        client.socket.write(Buffer.from([byte]));
        await new Promise((resolve) => setImmediate(resolve));
      }
      await waitUntil(() => pongs(client.texts()) === 1, 'the pong of the split message');
      client.socket.write(Buffer.concat([clientFrame(1, PING), clientFrame(1, PING)]));
      await waitUntil(() => pongs(client.texts()) === 3, 'both pongs of one write');
    });

    it('reassembles a fragmented message and answers a ping sent between its fragments', async () => {
      const { port } = await start();
      const client = await openSocket(port);
      client.socket.write(clientFrame(1, PING.slice(0, 10), { fin: false }));
      client.socket.write(clientFrame(9, 'are you there'));
      client.socket.write(clientFrame(0, PING.slice(10, 20), { fin: false }));
      client.socket.write(clientFrame(0, PING.slice(20)));
      await waitUntil(() => pongs(client.texts()) === 1, 'the pong of the fragmented message');
      const pong = client.frames().find((f) => f.opcode === 10);
      expect(pong?.payload.toString()).toBe('are you there');
    });

    it('reads 16- and 64-bit lengths: a 70 KB message gets pusher:error and the socket stays open', async () => {
      const { port } = await start();
      const client = await openSocket(port);
      const big = JSON.stringify({ event: 'pusher:ping', data: 'x'.repeat(70_000) });
      client.socket.write(clientFrame(1, big));
      await waitUntil(() => client.texts().some((t) => t.includes('exceeds the limit')), 'the size error');
      client.socket.write(clientFrame(1, JSON.stringify({ event: 'pusher:ping', data: 'y'.repeat(300) })));
      await waitUntil(() => pongs(client.texts()) === 1, 'a pong after the error');
      expect(client.closeCode()).toBeUndefined();
    });

    it('answers a binary message with pusher:error and keeps the socket', async () => {
      const { port } = await start();
      const client = await openSocket(port);
      client.socket.write(clientFrame(2, Buffer.from([1, 2, 3])));
      await waitUntil(() => client.texts().some((t) => t.includes('Binary frames')), 'the binary error');
      client.socket.write(clientFrame(1, PING));
      await waitUntil(() => pongs(client.texts()) === 1, 'a pong after it');
    });

    it('answers a close frame with the same code and closes the TCP connection', async () => {
      const { port } = await start();
      const client = await openSocket(port);
      const payload = Buffer.alloc(2);
      payload.writeUInt16BE(1000);
      client.socket.write(clientFrame(8, Buffer.concat([payload, Buffer.from('bye')])));
      await withTimeout(client.ended, 'the server to close the connection');
      expect(client.closeCode()).toBe(1000);
    });

    const violations: Array<[string, () => Buffer, number]> = [
      ['an unmasked frame', () => clientFrame(1, PING, { masked: false }), 1002],
      ['a frame with an RSV bit set', () => clientFrame(1, PING, { rsv: 4 }), 1002],
      ['an unknown opcode', () => clientFrame(3, 'x'), 1002],
      ['a fragmented ping', () => clientFrame(9, 'x', { fin: false }), 1002],
      ['a continuation with no message', () => clientFrame(0, 'x'), 1002],
      ['a close frame with an invalid code', () => clientFrame(8, Buffer.from([0x03, 0xe7])), 1002],
      ['text that is not UTF-8', () => clientFrame(1, Buffer.from([0x7b, 0xff, 0xfe, 0x7d])), 1007],
      // Only the header: the server must refuse before the 2 MB arrive.
      [
        'a frame over 4x the payload limit',
        () => clientFrame(1, Buffer.alloc(0), { length: 2_000_000 }),
        1009,
      ],
    ];
    for (const [what, frame, code] of violations) {
      it(`closes with ${code} on ${what}`, async () => {
        const { port } = await start();
        const client = await openSocket(port);
        client.socket.write(frame());
        await waitUntil(() => client.closeCode() !== undefined, 'a close frame');
        expect(client.closeCode()).toBe(code);
        client.socket.end();
        await withTimeout(client.ended, 'the connection to close');
      });
    }

    it('refuses a handshake without a valid key with 400, and answers nothing else', async () => {
      const { port } = await start();
      const socket = connect(port, '127.0.0.1');
      sockets.add(socket);
      let text = '';
      socket.on('data', (chunk) => {
        text += chunk.toString();
      });
      socket.write(
        `GET /app/${APP.key} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          'Sec-WebSocket-Key: short\r\nSec-WebSocket-Version: 13\r\n\r\n',
      );
      await withTimeout(new Promise((resolve) => socket.once('close', resolve)), 'the refusal');
      expect(text).toMatch(/^HTTP\/1\.1 400 /);
    });
  });
}
