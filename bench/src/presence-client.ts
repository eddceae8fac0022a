// A presence-channel client for P1: connects, signs its own subscriptions with the app secret (as a
// backend's auth endpoint would), joins and leaves one presence channel on demand, and reports the
// member events it sees when asked to (the observer).
import { hmacSha256Hex } from '@sockudo/protocol';
import { BenchError } from './bench-error.js';
import type { ClientKind, FrameSocket } from './frame-socket.js';
import { openFrameSocket } from './open-frame-socket.js';
import { indexWithin, type PusherFrame, parseFrame } from './pusher-frame.js';

/** Where to connect and who to be. */
export interface PresenceClientOptions {
  url: string;
  client: ClientKind;
  channel: string;
  userId: string;
  key: string;
  secret: string;
  /** Limit for connecting. */
  timeoutMs: number;
  /** Limit for each join, from `pusher:subscribe` to `subscription_succeeded`. */
  joinTimeoutMs: number;
  /** Member events on the channel; only the observer passes this (it parses every frame). */
  onMemberEvent?: (kind: 'added' | 'removed', userId: string) => void;
  /** The connection broke after it was established. */
  onFailure(error: BenchError): void;
}

/** A connected client, not yet on the channel. */
export interface PresenceClient {
  readonly userId: string;
  /** Subscribes; resolves with the member ids the server listed in `subscription_succeeded`. */
  join(): Promise<string[]>;
  /** Unsubscribes (the protocol has no answer to wait for). */
  leave(): void;
  /** Drops the connection; no further failures are reported. */
  terminate(): void;
}

/** The `auth` a backend signs for a presence subscription: `key:HMAC-SHA256(socket_id:channel:data)`. */
export function presenceAuth(
  key: string,
  secret: string,
  socketId: string,
  channel: string,
  channelData: string,
): string {
  return `${key}:${hmacSha256Hex(secret, `${socketId}:${channel}:${channelData}`)}`;
}

const MEMBER_EVENT = Buffer.from('pusher_internal:member_', 'latin1');
const SUCCEEDED = Buffer.from('subscription_succeeded', 'latin1');
const PING = Buffer.from('"pusher:ping"', 'latin1');
const PONG_FRAME = JSON.stringify({ event: 'pusher:pong', data: {} });

interface PendingJoin {
  resolve(members: string[]): void;
  reject(error: BenchError): void;
  timer: NodeJS.Timeout;
}

/** Opens a socket and waits for `pusher:connection_established`. */
export function connectPresenceClient(options: PresenceClientOptions): Promise<PresenceClient> {
  return new Promise((resolve, reject) => {
    let established = false;
    let closing = false;
    let subscribeFrame = '';
    let pending: PendingJoin | undefined;
    const where = `${options.url} ${options.channel} user ${options.userId}`;

    const fail = (message: string, cause?: unknown) => {
      if (closing) return;
      closing = true;
      const error = new BenchError(`${where}: ${message}`, { cause });
      clearTimeout(connectTimer);
      socket.terminate();
      if (pending !== undefined) {
        clearTimeout(pending.timer);
        pending.reject(error);
        pending = undefined;
      }
      if (established) options.onFailure(error);
      else reject(error);
    };

    const client: PresenceClient = {
      userId: options.userId,
      join() {
        return new Promise<string[]>((resolveJoin, rejectJoin) => {
          if (closing) return rejectJoin(new BenchError(`${where}: join on a closed connection`));
          if (pending !== undefined) return rejectJoin(new BenchError(`${where}: join while joining`));
          const timer = setTimeout(
            () => fail(`no subscription_succeeded within ${options.joinTimeoutMs} ms`),
            options.joinTimeoutMs,
          );
          pending = { resolve: resolveJoin, reject: rejectJoin, timer };
          socket.send(subscribeFrame);
        });
      },
      leave() {
        if (!closing)
          socket.send(JSON.stringify({ event: 'pusher:unsubscribe', data: { channel: options.channel } }));
      },
      terminate() {
        closing = true;
        clearTimeout(connectTimer);
        socket.terminate();
      },
    };

    const onEstablished = (message: PusherFrame) => {
      const socketId = socketIdOf(message.data);
      if (socketId === undefined) return fail(`connection_established without a socket_id`);
      // The auth depends only on the socket id, so it is signed once per connection, not per join.
      const channelData = JSON.stringify({ user_id: options.userId, user_info: {} });
      const auth = presenceAuth(options.key, options.secret, socketId, options.channel, channelData);
      subscribeFrame = JSON.stringify({
        event: 'pusher:subscribe',
        data: { channel: options.channel, auth, channel_data: channelData },
      });
      established = true;
      clearTimeout(connectTimer);
      resolve(client);
    };

    const onSucceeded = (message: PusherFrame) => {
      if (pending === undefined) return fail('subscription_succeeded without a pending join');
      const join = pending;
      pending = undefined;
      clearTimeout(join.timer);
      join.resolve(presenceIds(message.data));
    };

    // Users skip member events with one indexOf: with hundreds on the channel they are most of the traffic.
    const onMessage = (data: Buffer, start: number, end: number) => {
      if (options.onMemberEvent === undefined && indexWithin(data, MEMBER_EVENT, start, end)) return;
      if (
        !indexWithin(data, SUCCEEDED, start, end) &&
        !indexWithin(data, MEMBER_EVENT, start, end) &&
        indexWithin(data, PING, start, end)
      ) {
        socket.send(PONG_FRAME);
        return;
      }
      const message = parseFrame(data, start, end);
      if (message === undefined)
        return fail(`unparseable frame: ${data.toString('utf8', start, end).slice(0, 200)}`);
      switch (message.event) {
        case 'pusher:connection_established':
          return onEstablished(message);
        case 'pusher_internal:subscription_succeeded':
          return message.channel === options.channel ? onSucceeded(message) : undefined;
        case 'pusher_internal:member_added':
        case 'pusher_internal:member_removed': {
          const userId = memberIdOf(message.data);
          if (userId === undefined) return fail(`member event without a user_id: ${JSON.stringify(message)}`);
          options.onMemberEvent?.(
            message.event === 'pusher_internal:member_added' ? 'added' : 'removed',
            userId,
          );
          return;
        }
        case 'pusher:error':
        case 'pusher:subscription_error':
          return fail(`${message.event} ${JSON.stringify(message.data)}`);
      }
    };

    const connectTimer = setTimeout(
      () => fail(`not connected within ${options.timeoutMs} ms`),
      options.timeoutMs,
    );
    const socket: FrameSocket = openFrameSocket(options.client, options.url, options.timeoutMs, {
      onOpen() {},
      onMessage,
      onClose: (code, reason) =>
        fail(`connection closed by the server (code ${code}${reason ? `, ${reason}` : ''})`),
      onError: (error) => fail(`WebSocket error: ${error.message}`, error),
    });
  });
}

// Pusher sends `data` as a JSON-encoded string; some servers send an object. Both are accepted.
function dataObject(data: unknown): Record<string, unknown> | undefined {
  let value = data;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return undefined;
    }
  }
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
}

function socketIdOf(data: unknown): string | undefined {
  const id = dataObject(data)?.socket_id;
  return typeof id === 'string' ? id : undefined;
}

function memberIdOf(data: unknown): string | undefined {
  const id = dataObject(data)?.user_id;
  return typeof id === 'string' || typeof id === 'number' ? String(id) : undefined;
}

/** The member ids of a presence `subscription_succeeded` (`{"presence":{"ids":[…]}}`). */
export function presenceIds(data: unknown): string[] {
  const presence = dataObject(data)?.presence as { ids?: unknown } | undefined;
  return Array.isArray(presence?.ids) ? presence.ids.map(String) : [];
}
