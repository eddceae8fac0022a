// What a raw test WebSocket has received: every frame in order, parsed and with its wire text, and a
// wait for the first frame that passes a test. The raw sockets of the cluster tests (v2-socket.ts, the
// history test's client) keep their frames here.

import type WebSocket from 'ws';
import { WAIT_MS, withTimeout } from './waits.js';

/** The fields every frame has; a socket's own frame type may add more. */
export interface RawFrame {
  event: string;
  channel?: string;
  data?: unknown;
  /** The frame as it came over the wire. */
  raw: string;
}

export class FrameLog<F extends RawFrame> {
  readonly frames: F[] = [];
  private waiters: Array<() => void> = [];

  constructor(ws: WebSocket) {
    ws.on('message', (data) => {
      const raw = data.toString();
      this.frames.push({ ...JSON.parse(raw), raw });
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  /** The first frame, received or still to come, that passes `test`; fails naming `what` after `ms`. */
  async waitFor(test: (frame: F) => boolean, what: string, ms = WAIT_MS): Promise<F> {
    return withTimeout(
      (async () => {
        for (;;) {
          const found = this.frames.find(test);
          if (found) return found;
          await new Promise<void>((resolve) => this.waiters.push(resolve));
        }
      })(),
      `${what} (got ${this.frames.length} frames, the last: ${this.frames
        .slice(-10)
        .map((f) => f.event)
        .join(', ')})`,
      ms,
    );
  }
}
