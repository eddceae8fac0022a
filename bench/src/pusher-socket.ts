// One benchmark client: a WebSocket that speaks just enough of the Pusher protocol to subscribe to a
// public (or, given an `auth` signer, private) channel, answer pings and hand benchmark events to a callback.
import { BenchError } from './bench-error.js';
import { readSentAt } from './event-payload.js';
import type { ClientKind, FrameSocket } from './frame-socket.js';
import { openFrameSocket } from './open-frame-socket.js';
import { indexWithin, parseFrame } from './pusher-frame.js';

/** Callbacks shared by all clients of a run; kept tiny because they run once per delivery. */
export interface SocketHandlers {
  /**
   * A benchmark event arrived; `sentAt` is the `performance.now()` stamped by the trigger side, the frame
   * is `data[start..end)` (valid only during the call).
   */
  onDelivery(sentAt: number, data: Buffer, start: number, end: number): void;
  /** A subscribed socket broke (closed, errored, or got `pusher:error`). */
  onFailure(error: BenchError): void;
}

/** Where and how to connect one client. */
export interface ConnectOptions {
  url: string;
  channel: string;
  client: ClientKind;
  /** Limit from opening the TCP connection to `subscription_succeeded`. */
  timeoutMs: number;
  handlers: SocketHandlers;
  /** Signs the subscription (`auth` of `pusher:subscribe`) for a private channel; public channels need none. */
  auth?: (socketId: string, channel: string) => string;
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
    let subscribed = false;
    let closing = false;

    const fail = (message: string, cause?: unknown) => {
      const error = new BenchError(`${options.url} channel ${options.channel}: ${message}`, { cause });
      if (closing) return;
      closing = true;
      if (subscribed) {
        options.handlers.onFailure(error);
        return;
      }
      clearTimeout(timer);
      socket.terminate();
      reject(error);
    };

    const onSetupMessage = (data: Buffer, start: number, end: number) => {
      const message = parseFrame(data, start, end);
      if (message === undefined)
        return fail(`unparseable frame: ${data.toString('utf8', start, end).slice(0, 200)}`);
      switch (message.event) {
        case 'pusher:connection_established':
          options.onEstablished?.();
          try {
            socket.send(subscribeFrame(options, message.data));
          } catch (error) {
            fail(`cannot subscribe: ${(error as Error).message}`, error);
          }
          return;
        case 'pusher_internal:subscription_succeeded':
          if (message.channel !== options.channel) return;
          subscribed = true;
          clearTimeout(timer);
          resolve({
            channel: options.channel,
            terminate() {
              closing = true;
              socket.terminate();
            },
          });
          return;
        case 'pusher:ping':
          socket.send(PONG_FRAME);
          return;
        case 'pusher:error':
        case 'pusher:subscription_error':
          return fail(`${message.event} ${JSON.stringify(message.data)}`);
      }
    };

    // The hot path: one indexOf per benchmark frame; anything else is rare and may be parsed.
    const onSubscribedMessage = (data: Buffer, start: number, end: number) => {
      const sentAt = readSentAt(data, start, end);
      if (sentAt !== undefined) {
        options.handlers.onDelivery(sentAt, data, start, end);
      } else if (indexWithin(data, PING, start, end)) {
        socket.send(PONG_FRAME);
      } else if (parseFrame(data, start, end)?.event === 'pusher:error') {
        fail(`pusher:error after subscribing: ${data.toString('utf8', start, end).slice(0, 200)}`);
      }
    };

    // Armed first: the socket's callbacks only ever run later, the timer must exist when they do.
    const timer = setTimeout(
      () => fail(`not subscribed within ${options.timeoutMs} ms of connecting`),
      options.timeoutMs,
    );
    const socket: FrameSocket = openFrameSocket(options.client, options.url, options.timeoutMs, {
      onOpen() {},
      onMessage: (data, start, end) =>
        subscribed ? onSubscribedMessage(data, start, end) : onSetupMessage(data, start, end),
      onClose: (code, reason) =>
        fail(`connection closed by the server (code ${code}${reason ? `, ${reason}` : ''})`),
      onError: (error) => fail(`WebSocket error: ${error.message}`, error),
    });
  });
}

// The subscribe frame; a private channel's carries the signature over the socket id the server just sent.
function subscribeFrame(options: ConnectOptions, established: unknown): string {
  if (options.auth === undefined) {
    return JSON.stringify({ event: 'pusher:subscribe', data: { channel: options.channel } });
  }
  const socketId = socketIdOf(established);
  const auth = options.auth(socketId, options.channel);
  return JSON.stringify({ event: 'pusher:subscribe', data: { channel: options.channel, auth } });
}

// `pusher:connection_established` carries its data as a JSON string: `{"socket_id":"1.2",...}`.
function socketIdOf(data: unknown): string {
  const parsed: unknown = typeof data === 'string' ? JSON.parse(data) : data;
  const socketId = (parsed as { socket_id?: unknown } | null)?.socket_id;
  if (typeof socketId !== 'string') throw new BenchError('connection_established without a socket_id');
  return socketId;
}
