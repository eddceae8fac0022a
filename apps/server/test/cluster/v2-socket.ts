// A raw protocol V2 socket (`?protocol=2&format=json`) for the cluster tests: it keeps every frame it
// gets, knows its socket id, subscribes and waits for frames.

import { expect } from 'vitest';
import WebSocket from 'ws';
import type { SockudoNode } from './nodes.js';
import { WAIT_MS, withTimeout } from './waits.js';

export interface V2Frame {
  event: string;
  channel?: string;
  data?: unknown;
  extras?: unknown;
  /** The frame as it came over the wire. */
  raw: string;
}

export class V2Socket {
  readonly frames: V2Frame[] = [];
  private waiters: Array<() => void> = [];

  /** Set once the server's `connection_established` arrived (open() waits for it). */
  socketId = '';

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const raw = data.toString();
      this.frames.push({ ...JSON.parse(raw), raw });
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  /** Connects to `node` (`query` is appended to the URL, e.g. `&echo_messages=false`). */
  static async open(node: SockudoNode, query = ''): Promise<V2Socket> {
    const socket = new V2Socket(
      new WebSocket(`ws://127.0.0.1:${node.port}/app/${node.app.key}?protocol=2&format=json${query}`),
    );
    const established = await socket.waitFor((f) => f.event === 'sockudo:connection_established', 'connect');
    socket.socketId = JSON.parse(established.data as string).socket_id as string;
    return socket;
  }

  send(frame: unknown): void {
    this.ws.send(JSON.stringify(frame));
  }

  /** Subscribes to `channel` with more subscribe `data` (a filter, ...) and expects it to succeed. */
  async subscribe(channel: string, data: Record<string, unknown> = {}): Promise<void> {
    this.send({ event: 'sockudo:subscribe', data: { channel, ...data } });
    const ack = await this.waitFor((f) => f.channel === channel || f.event === 'sockudo:error', channel);
    expect(ack.event, ack.raw).toBe('sockudo_internal:subscription_succeeded');
  }

  async waitFor(test: (frame: V2Frame) => boolean, what: string): Promise<V2Frame> {
    return withTimeout(
      (async () => {
        for (;;) {
          const found = this.frames.find(test);
          if (found) return found;
          await new Promise<void>((resolve) => this.waiters.push(resolve));
        }
      })(),
      `${what} (got ${this.frames.map((f) => f.event).join(', ')})`,
      WAIT_MS,
    );
  }

  /** The application events received on `channel`, by name. */
  events(channel: string): string[] {
    return this.frames
      .filter((f) => f.channel === channel && !f.event.startsWith('sockudo'))
      .map((f) => f.event);
  }

  close(): void {
    this.ws.terminate();
  }
}
