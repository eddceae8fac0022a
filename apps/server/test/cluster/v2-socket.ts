// A raw protocol V2 socket (`?protocol=2&format=json`) for the cluster tests: it keeps every frame it
// gets, knows its socket id, subscribes and waits for frames.

import { expect } from 'vitest';
import WebSocket from 'ws';
import { FrameLog, type RawFrame } from './frame-log.js';
import type { SockudoNode } from './nodes.js';

export interface V2Frame extends RawFrame {
  extras?: unknown;
}

export class V2Socket {
  private readonly log: FrameLog<V2Frame>;

  /** Set once the server's `connection_established` arrived (open() waits for it). */
  socketId = '';

  private constructor(readonly ws: WebSocket) {
    this.log = new FrameLog(ws);
  }

  /** Every frame received, in order. */
  get frames(): readonly V2Frame[] {
    return this.log.frames;
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

  waitFor(test: (frame: V2Frame) => boolean, what: string): Promise<V2Frame> {
    return this.log.waitFor(test, what);
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
