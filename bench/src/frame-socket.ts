// The WebSocket seam of the load generator: two clients behind one small interface, so the cheap one
// can be checked against the reference one (`ws`) with the same scenario code. Types only, so both
// clients implement it without importing the factory that picks between them (open-frame-socket.ts).

/** Which WebSocket client implementation to use. */
export type ClientKind = 'raw' | 'ws';

/** What a socket reports; called on the hot path, so implementations do no work of their own here. */
export interface FrameSocketEvents {
  onOpen(): void;
  /** One complete text or binary message: `data[start..end)`. Valid only during the call. */
  onMessage(data: Buffer, start: number, end: number): void;
  onClose(code: number, reason: string): void;
  onError(error: Error): void;
}

/** An open (or opening) client WebSocket. */
export interface FrameSocket {
  /** Sends one text message. */
  send(text: string): void;
  /** Drops the connection without a close handshake. */
  terminate(): void;
}
