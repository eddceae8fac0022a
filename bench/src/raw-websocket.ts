// A minimal RFC 6455 client for the load generator: handshake, masked sends, and a frame parser that hands
// each message to the caller as a range of the received chunk, with no copy, stream or event emitter in
// between. Measured on the 2-core box against a uWS publisher: about 1.3x less CPU per frame than `ws` when
// each read holds one frame, about 3x when reads hold many (a server that batches or corks), which is when
// the generator would otherwise eat the core the server needs. It negotiates no extension, so any the
// server uses is an error.
import { createHash, randomFillSync } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import type { FrameSocket, FrameSocketEvents } from './frame-socket.js';

const HANDSHAKE_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const HEAD_END = Buffer.from('\r\n\r\n', 'latin1');
const MAX_HANDSHAKE_BYTES = 16 * 1024;
const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

const OPCODE_CONTINUATION = 0x0;
const OPCODE_TEXT = 0x1;
const OPCODE_BINARY = 0x2;
const OPCODE_CLOSE = 0x8;
const OPCODE_PING = 0x9;
const OPCODE_PONG = 0xa;

// Handshake keys and mask keys come from one pool refilled 4 KB at a time: a randomBytes call per
// connection was 6 % of the generator's CPU in C1, time the server under test then did not get.
const randomPool = Buffer.alloc(4096);
let randomOffset = randomPool.length;

function takeRandom(bytes: number): Buffer {
  if (randomOffset + bytes > randomPool.length) {
    randomFillSync(randomPool);
    randomOffset = 0;
  }
  randomOffset += bytes;
  return randomPool.subarray(randomOffset - bytes, randomOffset);
}

/** A {@link FrameSocket} on a plain TCP socket (`ws://` only). */
export class RawWebSocket implements FrameSocket {
  private readonly socket: Socket;
  private readonly key = takeRandom(16).toString('base64');
  private readonly timer: NodeJS.Timeout;
  private open = false;
  private finished = false;
  /** Bytes of the handshake answer or of a frame not complete yet. */
  private pending: Buffer | undefined;
  /** Payloads of a fragmented message so far (servers rarely fragment; uWS never does). */
  private fragments: Buffer[] | undefined;
  private fragmentBytes = 0;

  constructor(
    url: string,
    handshakeTimeoutMs: number,
    private readonly events: FrameSocketEvents,
  ) {
    const target = new URL(url);
    if (target.protocol !== 'ws:') throw new Error(`only ws:// URLs are supported, got ${url}`);
    this.socket = connect({
      host: target.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: Number(target.port || 80),
    });
    // Subscribe and pong frames are tiny; Nagle would hold them back behind delayed ACKs.
    this.socket.setNoDelay(true);
    this.socket.write(
      `GET ${target.pathname}${target.search} HTTP/1.1\r\nHost: ${target.host}\r\nUpgrade: websocket\r\n` +
        `Connection: Upgrade\r\nSec-WebSocket-Key: ${this.key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    );
    this.socket.on('data', (chunk: Buffer) =>
      this.open ? this.readFrames(chunk) : this.readHandshake(chunk),
    );
    this.socket.on('error', (error) => this.fail(error));
    this.socket.on('close', () => this.onSocketClosed());
    this.timer = setTimeout(
      () => this.fail(new Error(`no WebSocket handshake answer within ${handshakeTimeoutMs} ms`)),
      handshakeTimeoutMs,
    );
  }

  send(text: string): void {
    if (this.finished) return;
    if (!this.open) throw new Error('send before the WebSocket handshake completed');
    this.sendFrame(OPCODE_TEXT, Buffer.from(text, 'utf8'));
  }

  terminate(): void {
    this.finish();
    this.socket.destroy();
  }

  private readHandshake(chunk: Buffer): void {
    const data = this.takePending(chunk);
    const headEnd = data.indexOf(HEAD_END);
    if (headEnd < 0) {
      if (data.length > MAX_HANDSHAKE_BYTES) this.fail(new Error('WebSocket handshake answer too long'));
      else this.pending = data;
      return;
    }
    const problem = this.checkHandshake(data.toString('latin1', 0, headEnd));
    if (problem !== undefined) {
      this.fail(new Error(problem));
      return;
    }
    this.open = true;
    clearTimeout(this.timer);
    this.events.onOpen();
    if (data.length > headEnd + HEAD_END.length) this.readFrames(data.subarray(headEnd + HEAD_END.length));
  }

  // Returns what is wrong with the server's answer, or undefined if it accepted the upgrade.
  private checkHandshake(head: string): string | undefined {
    const [statusLine = '', ...headerLines] = head.split('\r\n');
    if (!/^HTTP\/1\.1 101\b/.test(statusLine)) return `unexpected server response: ${statusLine}`;
    const headers = new Map<string, string>();
    for (const line of headerLines) {
      const colon = line.indexOf(':');
      if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
    }
    const expected = createHash('sha1')
      .update(this.key + HANDSHAKE_GUID)
      .digest('base64');
    if (headers.get('sec-websocket-accept') !== expected)
      return 'invalid Sec-WebSocket-Accept in the handshake';
    if (headers.has('sec-websocket-extensions')) return 'server chose an extension the client did not offer';
    return undefined;
  }

  private readFrames(chunk: Buffer): void {
    const data = this.takePending(chunk);
    let offset = 0;
    while (!this.finished) {
      const available = data.length - offset;
      if (available < 2) break;
      const first = data[offset]!;
      const second = data[offset + 1]!;
      let length = second & 0x7f;
      let headerBytes = 2;
      if (length === 126) {
        if (available < 4) break;
        length = data.readUInt16BE(offset + 2);
        headerBytes = 4;
      } else if (length === 127) {
        if (available < 10) break;
        // Lengths past 4 GiB can't be real here; treating the high word as "too long" keeps this in 53 bits.
        length =
          data.readUInt32BE(offset + 2) === 0 ? data.readUInt32BE(offset + 6) : Number.POSITIVE_INFINITY;
        headerBytes = 10;
      }
      const problem = frameProblem(first, second, length);
      if (problem !== undefined) {
        this.fail(new Error(problem));
        return;
      }
      if (available < headerBytes + length) break;
      const start = offset + headerBytes;
      offset = start + length;
      this.readFrame((first & 0x80) !== 0, first & 0x0f, data, start, offset);
    }
    if (!this.finished && offset < data.length) this.pending = data.subarray(offset);
  }

  private readFrame(fin: boolean, opcode: number, data: Buffer, start: number, end: number): void {
    switch (opcode) {
      case OPCODE_TEXT:
      case OPCODE_BINARY:
        if (this.fragments !== undefined) this.fail(new Error('new message inside a fragmented one'));
        else if (fin) this.events.onMessage(data, start, end);
        else {
          this.fragments = [];
          this.fragmentBytes = 0;
          this.addFragment(fin, data, start, end);
        }
        break;
      case OPCODE_CONTINUATION:
        if (this.fragments === undefined) this.fail(new Error('continuation frame without a message'));
        else this.addFragment(fin, data, start, end);
        break;
      case OPCODE_CLOSE:
        this.readClose(data, start, end);
        break;
      case OPCODE_PING:
        this.sendFrame(OPCODE_PONG, Buffer.from(data.subarray(start, end)));
        break;
      case OPCODE_PONG:
        break;
      default:
        this.fail(new Error(`unknown opcode ${opcode}`));
    }
  }

  private addFragment(fin: boolean, data: Buffer, start: number, end: number): void {
    // Copy: a view would pin the whole received chunk until the last fragment arrives.
    this.fragments!.push(Buffer.from(data.subarray(start, end)));
    this.fragmentBytes += end - start;
    if (this.fragmentBytes > MAX_MESSAGE_BYTES) {
      this.fail(new Error('fragmented message over the limit'));
      return;
    }
    if (!fin) return;
    const message = Buffer.concat(this.fragments!, this.fragmentBytes);
    this.fragments = undefined;
    this.events.onMessage(message, 0, message.length);
  }

  private readClose(data: Buffer, start: number, end: number): void {
    const code = end - start >= 2 ? data.readUInt16BE(start) : 1005;
    const reason = end - start > 2 ? data.toString('utf8', start + 2, end) : '';
    // Echo the close as RFC 6455 asks, then hang up: nothing more is read after a close frame.
    const echo = Buffer.alloc(2);
    echo.writeUInt16BE(code === 1005 ? 1000 : code);
    this.sendFrame(OPCODE_CLOSE, echo);
    this.finish();
    this.socket.end();
    this.events.onClose(code, reason);
  }

  private sendFrame(opcode: number, payload: Buffer): void {
    const length = payload.length;
    const lengthBytes = length < 126 ? 0 : length < 65536 ? 2 : 8;
    const frame = Buffer.allocUnsafe(2 + lengthBytes + 4 + length);
    frame[0] = 0x80 | opcode;
    if (lengthBytes === 0) frame[1] = 0x80 | length;
    else if (lengthBytes === 2) {
      frame[1] = 0x80 | 126;
      frame.writeUInt16BE(length, 2);
    } else {
      frame[1] = 0x80 | 127;
      frame.writeBigUInt64BE(BigInt(length), 2);
    }
    // Clients must mask every frame with a fresh key.
    const maskAt = 2 + lengthBytes;
    takeRandom(4).copy(frame, maskAt);
    for (let index = 0; index < length; index++) {
      frame[maskAt + 4 + index] = payload[index]! ^ frame[maskAt + (index & 3)]!;
    }
    this.socket.write(frame);
  }

  private takePending(chunk: Buffer): Buffer {
    if (this.pending === undefined) return chunk;
    const data = Buffer.concat([this.pending, chunk]);
    this.pending = undefined;
    return data;
  }

  private onSocketClosed(): void {
    if (this.finished) return;
    if (this.open) {
      this.finish();
      this.events.onClose(1006, 'connection dropped without a close frame');
    } else {
      this.fail(new Error('connection closed during the WebSocket handshake'));
    }
  }

  private fail(error: Error): void {
    if (this.finished) return;
    this.finish();
    this.socket.destroy();
    this.events.onError(error);
  }

  private finish(): void {
    this.finished = true;
    clearTimeout(this.timer);
  }
}

// What makes a frame header unacceptable from a server, or undefined if it is fine.
function frameProblem(first: number, second: number, length: number): string | undefined {
  if ((first & 0x70) !== 0) return 'frame with RSV bits set (no extension was agreed)';
  if ((second & 0x80) !== 0) return 'masked frame from the server';
  if (length > MAX_MESSAGE_BYTES)
    return `frame of ${length} bytes is over the ${MAX_MESSAGE_BYTES}-byte limit`;
  return undefined;
}
