// Opens many benchmark clients with a bounded number of handshakes in flight, and closes them again.
import { performance } from 'node:perf_hooks';
import { BenchError } from './bench-error.js';
import type { ClientKind } from './frame-socket.js';
import { LatencyRecorder } from './latency-recorder.js';
import {
  type ConnectOptions,
  connectPusherSocket,
  type PusherSocket,
  type SocketHandlers,
} from './pusher-socket.js';

/** How to open the pool. */
export interface ClientPoolOptions {
  /** Server URL, or several: client `index` connects to `url[index % url.length]` (H1 splits across nodes). */
  url: string | readonly string[];
  client: ClientKind;
  count: number;
  /** Handshakes (connect + subscribe) in flight at once. */
  concurrency: number;
  /** Channel of client `index`. */
  channelFor: (index: number) => string;
  /** Per-socket limit from opening the TCP connection to `subscription_succeeded`. */
  timeoutMs: number;
  /** Limit for the whole pool; fails the run if the server is far slower than any real one. */
  deadlineMs: number;
  /** The callbacks of every client, or of client `index` (S1 tells each subscriber's deliveries apart). */
  handlers: SocketHandlers | ((index: number) => SocketHandlers);
  /** Signs private-channel subscriptions (see {@link ConnectOptions.auth}). */
  auth?: (socketId: string, channel: string) => string;
}

/** Live counts, read by the progress line. */
export interface ClientPoolProgress {
  established: number;
  subscribed: number;
}

/** Clients that are all subscribed, with how long that took. */
export interface OpenedPool {
  sockets: PusherSocket[];
  /** Milliseconds from the first connect to the last `subscription_succeeded`. */
  elapsedMs: number;
  /** Per-socket connect→subscribed times. */
  handshakes: LatencyRecorder;
}

/** The clients of a run; `close()` is safe to call at any time, also while opening. */
export class ClientPool {
  readonly progress: ClientPoolProgress = { established: 0, subscribed: 0 };
  private readonly sockets: PusherSocket[] = [];
  private closed = false;

  constructor(private readonly options: ClientPoolOptions) {}

  /** Opens `count` clients; rejects on the first one that fails, leaving the rest for `close()`. */
  async open(): Promise<OpenedPool> {
    const { count, concurrency, deadlineMs } = this.options;
    const handshakes = new LatencyRecorder();
    const startedAt = performance.now();
    let next = 0;
    let failure: unknown;

    // Workers pull the next index so exactly `concurrency` handshakes overlap, as C1 specifies.
    const worker = async () => {
      while (next < count && failure === undefined && !this.closed) {
        if (performance.now() - startedAt > deadlineMs) {
          throw new BenchError(
            `only ${this.progress.subscribed} of ${count} clients subscribed after ${Math.round(deadlineMs / 1000)} s`,
          );
        }
        const index = next++;
        const began = performance.now();
        const socket = await this.connect(index);
        handshakes.record(performance.now() - began);
        if (this.closed) socket.terminate();
        else this.sockets.push(socket);
        this.progress.subscribed++;
      }
    };
    // Every worker settles (each handshake is bounded by its timeout) before the first failure is thrown,
    // so no socket opens after the caller has closed the pool.
    await Promise.all(
      Array.from({ length: Math.min(concurrency, count) }, () =>
        worker().catch((error: unknown) => {
          failure ??= error;
        }),
      ),
    );
    if (failure !== undefined) throw failure;
    if (this.closed) throw new BenchError('client pool closed while opening');
    return { sockets: this.sockets, elapsedMs: performance.now() - startedAt, handshakes };
  }

  /** Drops every connection; handlers hear of no further failures. */
  close(): void {
    this.closed = true;
    for (const socket of this.sockets) socket.terminate();
    this.sockets.length = 0;
  }

  private connect(index: number): Promise<PusherSocket> {
    const handlers = this.options.handlers;
    return connectPusherSocket({
      url:
        typeof this.options.url === 'string'
          ? this.options.url
          : this.options.url[index % this.options.url.length]!,
      client: this.options.client,
      channel: this.options.channelFor(index),
      timeoutMs: this.options.timeoutMs,
      handlers: typeof handlers === 'function' ? handlers(index) : handlers,
      ...(this.options.auth !== undefined && { auth: this.options.auth }),
      onEstablished: () => {
        this.progress.established++;
      },
    });
  }
}

/**
 * How long opening `clients` may take in all: one socket's timeout plus 20 ms per client, i.e. at least
 * 50 connections/s, far below any real server, so only a stuck or broken server trips it.
 */
export function poolDeadlineMs(clients: number, timeoutMs: number): number {
  return timeoutMs + clients * 20;
}
