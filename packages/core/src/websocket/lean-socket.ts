// One server-side WebSocket over its TCP socket (RFC 6455 §5): reads masked client frames, reassembles
// fragmented messages, answers pings and the close handshake, and writes unmasked frames. Everything a
// socket holds lives in this one object; listeners are shared functions that find it through the TCP
// socket. No extensions (permessage-deflate is declined by never accepting it).

import { isUtf8 } from 'node:buffer';
import type { Duplex } from 'node:stream';
import { closeFrame, controlFrame, Opcode, textFrame } from './lean-frames.js';
import type { WireSocket, WireSocketListener } from './wire-socket.js';

const kLean = Symbol('sockudo.leanSocket');
type Tcp = Duplex & { [kLean]?: LeanSocket };

/** How long a closing socket waits for the peer to close its side before it is destroyed. */
const CLOSE_TIMEOUT_MS = 30_000;

const OPEN = 0;
/** A close frame was sent (by us, or in answer to the peer's): nothing more is sent. */
const CLOSING = 1;
const CLOSED = 2;

/** Close codes a peer may send (RFC 6455 §7.4; 1004–1006 and 1015 are never sent on the wire). */
function validCloseCode(code: number): boolean {
  return (
    (code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006) ||
    (code >= 3000 && code <= 4999)
  );
}

function unmask(payload: Buffer, source: Buffer, maskAt: number): void {
  const m0 = source[maskAt]!;
  const m1 = source[maskAt + 1]!;
  const m2 = source[maskAt + 2]!;
  const m3 = source[maskAt + 3]!;
  const length = payload.length;
  let i = 0;
  for (; i + 3 < length; i += 4) {
    payload[i] = payload[i]! ^ m0;
    payload[i + 1] = payload[i + 1]! ^ m1;
    payload[i + 2] = payload[i + 2]! ^ m2;
    payload[i + 3] = payload[i + 3]! ^ m3;
  }
  if (i < length) payload[i] = payload[i]! ^ m0;
  if (i + 1 < length) payload[i + 1] = payload[i + 1]! ^ m1;
  if (i + 2 < length) payload[i + 2] = payload[i + 2]! ^ m2;
}

function onData(this: Tcp, chunk: Buffer): void {
  this[kLean]!.receive(chunk);
}
function onEnd(this: Tcp): void {
  this[kLean]!.peerEnded();
}
function onClose(this: Tcp): void {
  this[kLean]!.closed();
}
function onError(this: Tcp, error: Error): void {
  this[kLean]!.listener?.onError(error);
}

export class LeanSocket implements WireSocket {
  listener: WireSocketListener | undefined = undefined;
  private state = OPEN;
  /** False once a close frame arrived or the peer broke the protocol: later bytes are ignored. */
  private reading = true;
  /** The close code the peer sent; 1006 until one arrives. */
  private closeCode = 1006;
  /** An incomplete frame's bytes so far, and how many the frame needs (header, then all of it). */
  private parts: Buffer[] | undefined = undefined;
  private partsBytes = 0;
  private needed = 0;
  /** A fragmented message's frames so far. */
  private fragments: Buffer[] | undefined = undefined;
  private fragmentsBytes = 0;
  private fragmentsBinary = false;
  private closeTimer: NodeJS.Timeout | undefined = undefined;

  constructor(
    readonly stream: Duplex,
    private readonly maxPayloadBytes: number,
  ) {
    (stream as Tcp)[kLean] = this;
    // From the upgrade on: an error with no listener would throw.
    stream.on('error', onError);
  }

  listen(listener: WireSocketListener): void {
    this.listener = listener;
    const stream = this.stream;
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('close', onClose);
    if (stream.destroyed) queueMicrotask(() => this.closed());
  }

  get isOpen(): boolean {
    return this.state === OPEN && !this.stream.destroyed;
  }

  get bufferedAmount(): number {
    return this.stream.writableLength;
  }

  sendText(text: string): void {
    if (this.isOpen) this.stream.write(textFrame(text));
  }

  close(code: number, reason: string): void {
    if (!this.isOpen) return;
    this.stream.write(closeFrame(code, reason));
    this.closing();
  }

  terminate(): void {
    this.state = CLOSING;
    this.stream.destroy();
  }

  /** @internal */
  receive(chunk: Buffer): void {
    if (!this.reading) return;
    let data = chunk;
    if (this.parts !== undefined) {
      this.parts.push(chunk);
      this.partsBytes += chunk.length;
      if (this.partsBytes < this.needed) return;
      data = Buffer.concat(this.parts, this.partsBytes);
      this.parts = undefined;
      this.partsBytes = 0;
    }
    let offset = 0;
    while (this.reading && offset < data.length) {
      const used = this.frame(data, offset);
      if (used <= 0) {
        // Incomplete: keep the rest until `needed` bytes have arrived (bounded: the header was checked
        // against the payload limit before any payload is kept).
        this.needed = -used;
        this.parts = [data.subarray(offset)];
        this.partsBytes = data.length - offset;
        return;
      }
      offset += used;
    }
  }

  /** Reads the frame at `offset`: the bytes it took, or minus the bytes it needs when incomplete. */
  private frame(data: Buffer, offset: number): number {
    const available = data.length - offset;
    if (available < 2) return -2;
    const b0 = data[offset]!;
    const b1 = data[offset + 1]!;
    const fin = (b0 & 0x80) !== 0;
    const opcode = b0 & 0x0f;
    if ((b0 & 0x70) !== 0) return this.fail(1002, 'RSV bits must be clear');
    if ((b1 & 0x80) === 0) return this.fail(1002, 'Client frames must be masked');
    let length = b1 & 0x7f;
    let header = 6;
    if (length === 126) {
      if (available < 4) return -8;
      length = data.readUInt16BE(offset + 2);
      header = 8;
    } else if (length === 127) {
      if (available < 10) return -14;
      const high = data.readUInt32BE(offset + 2);
      if (high > 0) return this.fail(1009, 'Max payload size exceeded');
      length = data.readUInt32BE(offset + 6);
      header = 14;
    }
    if (opcode >= 8) {
      if (opcode > Opcode.Pong) return this.fail(1002, `Invalid opcode ${opcode}`);
      if (!fin) return this.fail(1002, 'Control frames must not be fragmented');
      if (length > 125) return this.fail(1002, 'Control frame payload is over 125 bytes');
    } else if (opcode > Opcode.Binary) {
      return this.fail(1002, `Invalid opcode ${opcode}`);
    } else if (opcode === Opcode.Continuation) {
      if (this.fragments === undefined) return this.fail(1002, 'Continuation frame without a message');
    } else if (this.fragments !== undefined) {
      return this.fail(1002, 'New message before the fragmented one ended');
    }
    if (opcode < 8 && length + this.fragmentsBytes > this.maxPayloadBytes) {
      return this.fail(1009, 'Max payload size exceeded');
    }
    const total = header + length;
    if (available < total) return -total;
    const payload = data.subarray(offset + header, offset + total);
    unmask(payload, data, offset + header - 4);
    if (opcode >= 8) this.control(opcode, payload);
    else this.dataFrame(opcode, fin, payload);
    return total;
  }

  private dataFrame(opcode: number, fin: boolean, payload: Buffer): void {
    if (opcode !== Opcode.Continuation && fin) {
      this.deliver(payload, opcode === Opcode.Binary);
      return;
    }
    if (opcode !== Opcode.Continuation) {
      this.fragments = [];
      this.fragmentsBinary = opcode === Opcode.Binary;
    }
    this.fragments!.push(payload);
    this.fragmentsBytes += payload.length;
    if (!fin) return;
    const message = Buffer.concat(this.fragments!, this.fragmentsBytes);
    this.fragments = undefined;
    this.fragmentsBytes = 0;
    this.deliver(message, this.fragmentsBinary);
  }

  private deliver(message: Buffer, isBinary: boolean): void {
    if (!isBinary && !isUtf8(message)) {
      this.fail(1007, 'Invalid UTF-8 in a text message');
      return;
    }
    this.listener?.onMessage(message, isBinary);
  }

  private control(opcode: number, payload: Buffer): void {
    if (opcode === Opcode.Ping) {
      if (this.isOpen) this.stream.write(controlFrame(Opcode.Pong, payload));
      return;
    }
    if (opcode === Opcode.Pong) {
      this.listener?.onPong();
      return;
    }
    // Close: 1005 when it carries no code.
    if (payload.length === 1) {
      this.fail(1002, 'Close frame payload of 1 byte');
      return;
    }
    const code = payload.length === 0 ? 1005 : payload.readUInt16BE(0);
    if (code !== 1005 && !validCloseCode(code)) {
      this.fail(1002, `Invalid close code ${code}`);
      return;
    }
    if (!isUtf8(payload.subarray(2))) {
      this.fail(1007, 'Invalid UTF-8 in the close reason');
      return;
    }
    this.reading = false;
    this.closeCode = code;
    if (this.isOpen) {
      this.stream.write(code === 1005 ? closeFrame() : closeFrame(code, ''));
      this.closing();
    }
    // Both close frames have been exchanged: the server closes the TCP connection first (§7.1.1).
    this.stream.end();
  }

  /** A protocol error: close with `code` and stop reading. Returns the bytes to skip (all of them). */
  private fail(code: number, reason: string): number {
    this.reading = false;
    this.parts = undefined;
    this.fragments = undefined;
    this.listener?.onError(new Error(reason));
    if (this.isOpen) {
      this.stream.write(closeFrame(code, reason));
      this.closing();
    }
    // Nothing more will be read, so the peer's answer is not awaited.
    this.stream.end();
    return Number.MAX_SAFE_INTEGER;
  }

  /** After our close frame: wait for the peer's, and destroy the socket if it never comes. */
  private closing(): void {
    this.state = CLOSING;
    this.closeTimer = setTimeout(() => this.stream.destroy(), CLOSE_TIMEOUT_MS);
    this.closeTimer.unref();
  }

  /** @internal The peer closed its side: close ours (the HTTP server allows half-open sockets). */
  peerEnded(): void {
    this.reading = false;
    if (this.state === OPEN) this.state = CLOSING;
    this.stream.end();
  }

  /** @internal The TCP socket is gone. */
  closed(): void {
    if (this.state === CLOSED) return;
    this.state = CLOSED;
    this.reading = false;
    clearTimeout(this.closeTimer);
    this.listener?.onClose(this.closeCode);
  }
}
