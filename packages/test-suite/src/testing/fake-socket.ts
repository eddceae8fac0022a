// A SocketHandle without a WebSocket: it records what the adapter sends it and how it was closed, so a
// test can count frames per socket on every node.

import type { SocketHandle } from '@sockudo/core';

/** A frame a {@link FakeSocket} received, parsed. `data` is the string Pusher double-encodes. */
export interface ReceivedMessage {
  event: string;
  channel?: string;
  data?: unknown;
  /** The frame exactly as the socket got it. */
  raw: string;
}

/** One `close(code, reason)` call a {@link FakeSocket} received. */
export interface RecordedClose {
  code: number;
  reason: string;
}

/** Builds a Pusher-shaped channel event frame, `data` as a string as Pusher sends it. */
export function testFrame(event: string, channel: string, data: string): string {
  return JSON.stringify({ event, channel, data });
}

/** A {@link SocketHandle} that records every frame sent to it and every close. */
export class FakeSocket implements SocketHandle {
  /** Every frame sent to this socket, decoded as UTF-8, in order. */
  readonly frames: string[] = [];
  /** Every `close()` call, in order. The socket keeps "working" after a close: it is only a record. */
  readonly closes: RecordedClose[] = [];

  /**
   * @param id a socket id, unique in the cluster (adapters match `exceptSocketId` on it).
   * @param appId the app the socket belongs to.
   * @param userId the signed-in user, or `undefined` for a socket that has not signed in.
   */
  constructor(
    readonly id: string,
    readonly appId: string,
    readonly userId: string | undefined = undefined,
  ) {}

  /** Records the frame (a Buffer is decoded as UTF-8). */
  send(frame: string | Buffer): void {
    this.frames.push(typeof frame === 'string' ? frame : frame.toString('utf8'));
  }

  /** Records the close; the socket stays registered wherever it was, as a real one would until it leaves. */
  close(code: number, reason: string): void {
    this.closes.push({ code, reason });
  }

  /** Every received frame, parsed; frames that are not JSON objects are skipped. */
  messages(): ReceivedMessage[] {
    const messages: ReceivedMessage[] = [];
    for (const raw of this.frames) {
      try {
        const parsed = JSON.parse(raw) as Omit<ReceivedMessage, 'raw'>;
        if (parsed && typeof parsed === 'object') messages.push({ ...parsed, raw });
      } catch {
        // not a JSON frame: only counted through `frames`
      }
    }
    return messages;
  }

  /** Received messages with `event` (and `data`, when given). */
  received(event: string, data?: unknown): ReceivedMessage[] {
    return this.messages().filter(
      (message) => message.event === event && (data === undefined || message.data === data),
    );
  }

  /** Whether the socket was closed with `code` at least once. */
  closedWith(code: number): boolean {
    return this.closes.some((close) => close.code === code);
  }
}
