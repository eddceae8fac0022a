// The server side of one WebSocket as the session layer sees it, whichever engine speaks RFC 6455
// underneath: `ws` (ws-engine.ts) or our own lean framing over the TCP socket (lean-engine.ts).

import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

/** What a socket reports to its owner (the Connection). Set once, right after the upgrade. */
export interface WireSocketListener {
  /** A complete message: text already checked to be UTF-8. `data` is only valid during the call. */
  onMessage(data: Buffer, isBinary: boolean): void;
  /** The TCP connection is gone; `code` is the close code the peer sent (1005 none, 1006 no close frame). */
  onClose(code: number): void;
  onError(error: Error): void;
  onPong(): void;
}

/** A server-side WebSocket. */
export interface WireSocket {
  /** Starts delivering to `listener`: until then inbound bytes wait in the TCP socket. */
  listen(listener: WireSocketListener): void;
  /** Open for sending: no close frame sent or received, the TCP socket not destroyed. */
  readonly isOpen: boolean;
  /** Bytes written but not yet handed to the kernel. */
  readonly bufferedAmount: number;
  /** The TCP stream: for corking a turn's frames and writing frames built once for many sockets. */
  readonly stream: Duplex | undefined;
  sendText(text: string): void;
  /** Sends a close frame with `code` and `reason` (at most 123 bytes) and closes the TCP socket after. */
  close(code: number, reason: string): void;
  /** Destroys the TCP socket at once, without a close handshake. */
  terminate(): void;
}

/** Turns an HTTP upgrade request into a {@link WireSocket}, or answers it with an HTTP error. */
export interface WebSocketEngine {
  readonly name: WebSocketEngineName;
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, accepted: (ws: WireSocket) => void): void;
  close(): void;
}

export type WebSocketEngineName = 'ws' | 'lean';

export interface WebSocketEngineOptions {
  /** Larger messages close the socket with 1009. */
  maxPayloadBytes: number;
}
