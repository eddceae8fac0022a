// One benchmark client: a WebSocket that speaks just enough of the Pusher protocol to subscribe to a
// public channel, answer pings and hand benchmark events to a callback.
import WebSocket from 'ws';
import { BenchError, describeError } from './bench-error.js';
import { readSentAt } from './event-payload.js';

/** Callbacks shared by all clients of a run; kept tiny because they run once per delivery. */
export interface SocketHandlers {
  /** A benchmark event arrived; `sentAt` is the `performance.now()` stamped by the trigger side. */
  onDelivery(sentAt: number): void;
  /** A subscribed socket broke (closed, errored, or got `pusher:error`). */
  onFailure(error: BenchError): void;
}

/** Where and how to connect one client. */
export interface ConnectOptions {
  url: string;
  channel: string;
  timeoutMs: number;
  handlers: SocketHandlers;
  /** Called once when `pusher:connection_established` arrives (for progress counts). */
  onEstablished?: () => void;
}

/** A connected, subscribed client. */
export interface PusherSocket {
  readonly channel: string;
  /** Drops the connection without a close handshake; further failures are not reported. */
  terminate(): void;
}

const PING = Buffer.from('"pusher:ping"', 'latin1');
const PONG_FRAME = JSON.stringify({ event: 'pusher:pong', data: {} });

/** Opens a socket, waits for `pusher:connection_established`, subscribes and waits for the success event. */
export function connectPusherSocket(options: ConnectOptions): Promise<PusherSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(options.url, {
      // Measure the server's fan-out, not zlib: pusher-js in browsers negotiates no deflate with most servers.
      perMessageDeflate: false,
      // Frames are ASCII JSON from a server under test; validating UTF-8 only costs the generator CPU.
      skipUTF8Validation: true,
      handshakeTimeout: options.timeoutMs,
    });
    let subscribed = false;
    let closing = false;

    const fail = (message: string, cause?: unknown) => {
      const error = new BenchError(`${options.channel}: ${message}`, { cause });
      if (!subscribed) {
        clearTimeout(timer);
        closing = true;
        ws.terminate();
        reject(error);
      } else if (!closing) {
        closing = true;
        options.handlers.onFailure(error);
      }
    };
    const timer = setTimeout(
      () => fail(`not subscribed within ${options.timeoutMs} ms of connecting to ${options.url}`),
      options.timeoutMs,
    );

    ws.on('error', (error) => fail(`WebSocket error: ${describeError(error)}`, error));
    ws.on('close', (code, reason) => {
      if (!closing) fail(`connection closed by the server (code ${code}${reason.length ? `, ${reason}` : ''})`);
    });
    ws.on('message', (data: Buffer) => {
      if (subscribed) {
        onSubscribedFrame(data);
        return;
      }
      const message = parseFrame(data);
      if (message === undefined) return fail(`unparseable frame before subscription: ${data.toString().slice(0, 200)}`);
      switch (message.event) {
        case 'pusher:connection_established':
          options.onEstablished?.();
          ws.send(JSON.stringify({ event: 'pusher:subscribe', data: { channel: options.channel } }));
          return;
        case 'pusher_internal:subscription_succeeded':
          if (message.channel !== options.channel) return;
          subscribed = true;
          clearTimeout(timer);
          resolve({
            channel: options.channel,
            terminate: () => {
              closing = true;
              ws.terminate();
            },
          });
          return;
        case 'pusher:ping':
          ws.send(PONG_FRAME);
          return;
        case 'pusher:error':
        case 'pusher:subscription_error':
          return fail(`${message.event} ${JSON.stringify(message.data)}`);
      }
    });

    // The hot path: one indexOf per benchmark frame; anything else is rare and may be parsed.
    function onSubscribedFrame(data: Buffer): void {
      const sentAt = readSentAt(data);
      if (sentAt !== undefined) {
        options.handlers.onDelivery(sentAt);
      } else if (data.indexOf(PING) >= 0) {
        ws.send(PONG_FRAME);
      } else if (parseFrame(data)?.event === 'pusher:error') {
        fail(`pusher:error after subscribing: ${data.toString().slice(0, 200)}`);
      }
    }
  });
}

interface PusherFrame {
  event?: unknown;
  channel?: unknown;
  data?: unknown;
}

function parseFrame(data: Buffer): PusherFrame | undefined {
  try {
    const parsed: unknown = JSON.parse(data.toString('utf8'));
    return typeof parsed === 'object' && parsed !== null ? (parsed as PusherFrame) : undefined;
  } catch {
    return undefined;
  }
}
