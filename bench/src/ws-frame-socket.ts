// The reference client: the `ws` package, which also validates what the server sends. Slower per frame
// than RawWebSocket; use it (`--client ws`) to cross-check figures or when a server misbehaves.
import WebSocket from 'ws';
import { describeError } from './bench-error.js';
import type { FrameSocket, FrameSocketEvents } from './frame-socket.js';

/** A {@link FrameSocket} backed by `ws`. */
export class WsFrameSocket implements FrameSocket {
  private readonly ws: WebSocket;

  constructor(url: string, handshakeTimeoutMs: number, events: FrameSocketEvents) {
    this.ws = new WebSocket(url, {
      // Measure the server's fan-out, not zlib; both clients negotiate no extension.
      perMessageDeflate: false,
      // Frames are ASCII JSON from a server under test; validating UTF-8 only costs the generator CPU.
      skipUTF8Validation: true,
      handshakeTimeout: handshakeTimeoutMs,
    });
    this.ws.on('open', () => events.onOpen());
    this.ws.on('message', (data: Buffer) => events.onMessage(data, 0, data.length));
    this.ws.on('close', (code, reason) => events.onClose(code, reason.toString()));
    this.ws.on('error', (error) => events.onError(new Error(describeError(error), { cause: error })));
  }

  send(text: string): void {
    this.ws.send(text);
  }

  terminate(): void {
    this.ws.terminate();
  }
}
