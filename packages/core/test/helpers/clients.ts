// Clients for the end-to-end tests: pusher-js (the node build, which bundles tweetnacl for encrypted
// channels), Laravel Echo over pusher-js, and a raw `ws` client that records every frame and close code.
// Every client made here is closed by `closeClients()`.

import Echo from 'laravel-echo';
import type Pusher from 'pusher';
import PusherJs, { type Channel, type Options as PusherJsOptions } from 'pusher-js';
import WebSocket from 'ws';
import { APP, type TestApp } from './server.js';
import { WAIT_MS, withTimeout } from './wait.js';

const closers = new Set<() => void>();

/** Disconnects every client created by these helpers. */
export async function closeClients(): Promise<void> {
  const all = [...closers];
  closers.clear();
  for (const close of all) {
    try {
      close();
    } catch {
      // already gone
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Raw WebSocket client

/** One server → client frame, with `data` decoded once more when it is a JSON string. */
export interface Frame {
  event: string;
  channel?: string;
  /** `data` as sent (a string for channel events, an object for `pusher:error`). */
  data?: unknown;
  /** `data` with one level of string JSON decoded. */
  payload: any;
  user_id?: string;
  /** The text frame exactly as received. */
  raw: string;
}

export type FrameMatch = string | ((frame: Frame) => boolean);

function matcher(match: FrameMatch, channel?: string): (frame: Frame) => boolean {
  const test = typeof match === 'string' ? (frame: Frame) => frame.event === match : match;
  return channel === undefined ? test : (frame) => frame.channel === channel && test(frame);
}

function describe(match: FrameMatch, channel?: string): string {
  const what = typeof match === 'string' ? `"${match}"` : 'a matching frame';
  return channel === undefined ? what : `${what} on ${channel}`;
}

export interface CloseInfo {
  code: number;
  reason: string;
}

export function wsUrl(port: number, key: string = APP.key, path?: string): string {
  return `ws://127.0.0.1:${port}${path ?? `/app/${key}`}?protocol=7&client=js&version=8.6.0&flash=false`;
}

/** A plain `ws` client that keeps every frame it receives, for protocol-level assertions. */
export class RawClient {
  readonly frames: Frame[] = [];
  readonly closed: Promise<CloseInfo>;
  private waiters: Array<{ test: (frame: Frame) => boolean; resolve: (frame: Frame) => void }> = [];

  private constructor(readonly ws: WebSocket) {
    closers.add(() => ws.terminate());
    this.closed = new Promise((resolve) => {
      ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() }));
    });
    ws.on('error', () => {}); // surfaced through `closed`
    ws.on('message', (data, isBinary) => {
      const raw = isBinary ? `<binary ${(data as Buffer).length} bytes>` : data.toString();
      let parsed: any;
      try {
        parsed = JSON.parse(raw);
      } catch {
        parsed = { event: '<unparseable>' };
      }
      let payload = parsed.data;
      if (typeof payload === 'string') {
        try {
          payload = JSON.parse(payload);
        } catch {
          // plain string data
        }
      }
      const frame: Frame = { ...parsed, payload, raw };
      this.frames.push(frame);
      this.waiters = this.waiters.filter((waiter) => {
        if (!waiter.test(frame)) return true;
        waiter.resolve(frame);
        return false;
      });
    });
  }

  /** Opens a socket to `/app/<key>` (or `path`) and resolves once the upgrade succeeded. */
  static async connect(port: number, key: string = APP.key, path?: string): Promise<RawClient> {
    return RawClient.open(wsUrl(port, key, path), key);
  }

  /**
   * A Sockudo protocol V2 socket (`?protocol=2` plus `query`), as @sockudo/client opens it; resolves
   * after `sockudo:connection_established`.
   */
  static async v2(
    port: number,
    query = '',
    key: string = APP.key,
  ): Promise<RawClient & { socketId: string }> {
    const url = `ws://127.0.0.1:${port}/app/${key}?protocol=2&client=js&version=2.2.0&flash=false${query && `&${query}`}`;
    const client = await RawClient.open(url, key);
    const frame = await client.waitFor('sockudo:connection_established');
    return Object.assign(client, { socketId: frame.payload.socket_id as string });
  }

  private static async open(url: string, key: string): Promise<RawClient> {
    const ws = new WebSocket(url);
    const client = new RawClient(ws);
    await withTimeout(
      new Promise<void>((resolve, reject) => {
        ws.once('open', () => resolve());
        ws.once('unexpected-response', (_req, res) =>
          reject(new Error(`upgrade refused with HTTP ${res.statusCode}`)),
        );
        ws.once('error', reject);
      }),
      `the WebSocket to ${key} to open`,
    );
    return client;
  }

  /** Connects and waits for `pusher:connection_established`; returns its data and the client. */
  static async established(
    port: number,
    key: string = APP.key,
  ): Promise<RawClient & { socketId: string; activityTimeout: number }> {
    const client = await RawClient.connect(port, key);
    const frame = await client.waitFor('pusher:connection_established');
    return Object.assign(client, {
      socketId: frame.payload.socket_id as string,
      activityTimeout: frame.payload.activity_timeout as number,
    });
  }

  /** The first frame (at index `from` or later, default 0) matching `match`, waiting for it if needed. */
  waitFor(
    match: FrameMatch,
    options: { channel?: string; from?: number; timeoutMs?: number } = {},
  ): Promise<Frame> {
    const test = matcher(match, options.channel);
    const seen = this.frames.slice(options.from ?? 0).find(test);
    if (seen) return Promise.resolve(seen);
    const from = options.from ?? 0;
    const arrived = new Promise<Frame>((resolve) => {
      this.waiters.push({ test: (frame) => this.frames.indexOf(frame) >= from && test(frame), resolve });
    });
    return withTimeout(
      arrived,
      `${describe(match, options.channel)} (frames so far: ${this.frames.map((f) => f.event).join(', ')})`,
      options.timeoutMs ?? WAIT_MS,
    );
  }

  /** Every received frame matching `match`. */
  all(match: FrameMatch, channel?: string): Frame[] {
    return this.frames.filter(matcher(match, channel));
  }

  /** Index of the next frame to arrive: pass as `from` to wait only for later frames. */
  mark(): number {
    return this.frames.length;
  }

  send(message: unknown): void {
    this.ws.send(JSON.stringify(message));
  }

  sendRaw(data: string | Buffer, binary = false): void {
    this.ws.send(data, { binary });
  }

  /** Sends `pusher:ping` and waits for the `pusher:pong` that answers it. */
  async ping(): Promise<Frame> {
    const from = this.mark();
    this.send({ event: 'pusher:ping', data: {} });
    return this.waitFor('pusher:pong', { from });
  }

  /**
   * Subscribes with optional auth/channel_data (and, for V2, `filter` and the like); resolves with the
   * first reply for that channel. `prefix` is the wire's: `sockudo` for a V2 socket.
   */
  async subscribe(
    channel: string,
    auth?: { auth?: string; channel_data?: string; [field: string]: unknown },
    prefix: 'pusher' | 'sockudo' = 'pusher',
  ): Promise<Frame> {
    const from = this.mark();
    this.send({ event: `${prefix}:subscribe`, data: { channel, ...auth } });
    return this.waitFor(
      (f) =>
        f.channel === channel &&
        (f.event === `${prefix}_internal:subscription_succeeded` ||
          f.event === `${prefix}:subscription_error`),
      { from },
    );
  }

  waitForClose(timeoutMs = WAIT_MS): Promise<CloseInfo> {
    return withTimeout(this.closed, 'the socket to close', timeoutMs);
  }

  close(): void {
    this.ws.close();
  }
}

/**
 * Attempts a WebSocket upgrade and reports how it went: the HTTP status of a refused upgrade, or
 * `101` when the upgrade succeeded (the socket is closed again).
 */
export async function upgradeStatus(port: number, path: string): Promise<number> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`);
  closers.add(() => ws.terminate());
  return withTimeout(
    new Promise<number>((resolve, reject) => {
      ws.once('unexpected-response', (req, res) => {
        resolve(res.statusCode ?? 0);
        res.resume();
        req.destroy();
      });
      ws.once('open', () => {
        resolve(101);
        ws.terminate();
      });
      ws.once('error', reject);
    }),
    `the upgrade of ${path} to finish`,
  );
}

// ---------------------------------------------------------------------------------------------
// pusher-js

export interface PresenceUser {
  user_id: string;
  user_info?: Record<string, unknown>;
}

export interface PusherClientOptions {
  key?: string;
  /** Signs subscriptions (`authorizeChannel`); required for private, presence and encrypted channels. */
  backend?: Pusher;
  /** The presence identity this client's auth handler signs. */
  user?: PresenceUser;
  /** Overrides the auth handler completely (e.g. to return a bad signature). */
  authorize?: (socketId: string, channelName: string) => { auth: string; channel_data?: string };
  options?: Partial<PusherJsOptions>;
}

/** Options for pusher-js pointing at the local node over plain `ws` only. */
export function pusherJsOptions(port: number, client: PusherClientOptions = {}): PusherJsOptions {
  const { backend, user, authorize } = client;
  return {
    wsHost: '127.0.0.1',
    wsPort: port,
    forceTLS: false,
    enabledTransports: ['ws'],
    disableStats: true,
    cluster: 'mt1',
    channelAuthorization: {
      customHandler: ({ socketId, channelName }, callback) => {
        try {
          if (authorize) return callback(null, authorize(socketId, channelName));
          if (!backend) throw new Error(`no backend to sign ${channelName}`);
          const presence = channelName.startsWith('presence-') ? user : undefined;
          callback(null, backend.authorizeChannel(socketId, channelName, presence));
        } catch (error) {
          callback(error as Error, null);
        }
      },
    },
    ...client.options,
  } as PusherJsOptions;
}

/** Creates a pusher-js client without waiting for it to connect. */
export function createPusherJs(port: number, client: PusherClientOptions = {}): PusherJs {
  const pusher = new PusherJs(client.key ?? APP.key, pusherJsOptions(port, client));
  closers.add(() => pusher.disconnect());
  return pusher;
}

/** Waits until `pusher.connection.state` is `state`. */
export function waitForState(pusher: PusherJs, state: string, timeoutMs = WAIT_MS): Promise<void> {
  if (pusher.connection.state === state) return Promise.resolve();
  return withTimeout(
    new Promise<void>((resolve) => {
      const onChange = ({ current }: { current: string }) => {
        if (current !== state) return;
        pusher.connection.unbind('state_change', onChange);
        resolve();
      };
      pusher.connection.bind('state_change', onChange);
    }),
    `pusher-js to reach state "${state}" (now "${pusher.connection.state}")`,
    timeoutMs,
  );
}

/** Creates a pusher-js client and waits until it is connected. */
export async function connectPusherJs(port: number, client: PusherClientOptions = {}): Promise<PusherJs> {
  const pusher = createPusherJs(port, client);
  await waitForState(pusher, 'connected');
  return pusher;
}

/** Anything with pusher-js's `bind`/`unbind` (a channel, the connection, the client). */
interface Bindable {
  bind(event: string, callback: (...args: any[]) => void): unknown;
  unbind(event: string, callback: (...args: any[]) => void): unknown;
}

/** The next `event` emitted by `target`: resolves with its data (and pusher-js's metadata). */
export function nextEvent<T = any>(
  target: Bindable,
  event: string,
  what = `"${event}"`,
  timeoutMs = WAIT_MS,
): Promise<{ data: T; metadata: any }> {
  return withTimeout(
    new Promise((resolve) => {
      const handler = (data: T, metadata: any) => {
        target.unbind(event, handler);
        resolve({ data, metadata });
      };
      target.bind(event, handler);
    }),
    what,
    timeoutMs,
  );
}

/** Collects every `event` emitted by `target` from now on. */
export function record<T = any>(target: Bindable, event: string): T[] {
  const seen: T[] = [];
  target.bind(event, (data: T) => seen.push(data));
  return seen;
}

/** Subscribes and waits for `pusher:subscription_succeeded`; fails fast on `pusher:subscription_error`. */
export async function subscribed(
  pusher: PusherJs,
  channelName: string,
): Promise<{ channel: Channel; data: any }> {
  const channel = pusher.subscribe(channelName);
  const data = await withTimeout(
    new Promise<any>((resolve, reject) => {
      channel.bind('pusher:subscription_succeeded', (d: unknown) => resolve(d));
      channel.bind('pusher:subscription_error', (error: unknown) =>
        reject(new Error(`subscription to ${channelName} failed: ${JSON.stringify(error)}`)),
      );
    }),
    `pusher:subscription_succeeded on ${channelName}`,
  );
  return { channel, data };
}

// ---------------------------------------------------------------------------------------------
// Laravel Echo

/** An Echo instance with the `pusher` broadcaster over an existing pusher-js client. */
export function echoOver(pusher: PusherJs): Echo<'pusher'> {
  const echo = new Echo({ broadcaster: 'pusher', client: pusher } as any) as Echo<'pusher'>;
  closers.add(() => echo.disconnect());
  return echo;
}

/**
 * An Echo instance that builds its own pusher-js client (`broadcaster: 'reverb'`, the way a Laravel
 * app configures a self-hosted Pusher-protocol server), with the same local options.
 */
export function echoReverb(
  port: number,
  client: PusherClientOptions & { app?: TestApp } = {},
): Echo<'reverb'> {
  const options = pusherJsOptions(port, client);
  const echo = new Echo({
    broadcaster: 'reverb',
    key: client.app?.key ?? client.key ?? APP.key,
    Pusher: PusherJs,
    ...options,
  } as any) as Echo<'reverb'>;
  closers.add(() => echo.disconnect());
  return echo;
}
