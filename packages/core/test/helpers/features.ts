// Helpers for the feature suites (client events, user authentication, server-to-user, watchlist,
// cache channels, webhooks, rate limits, Laravel Echo): apps with feature switches, signed-in
// clients (pusher-js and raw), and a real webhook receiver. Everything opened here is closed by
// `cleanupFeatures()`, which also runs the shared `cleanup()` (clients first, then nodes).

import { createHmac } from 'node:crypto';
import { createServer as createHttpServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type Pusher from 'pusher';
import type PusherJs from 'pusher-js';
import { cleanup } from './cleanup.js';
import { connectPusherJs, type Frame, type PresenceUser, type RawClient } from './clients.js';
import { httpRequest } from './http.js';
import type { TestApp } from './server.js';
import { sleep, WAIT_MS, withTimeout } from './wait.js';

// ---------------------------------------------------------------------------------------------
// Apps

let appCounter = 0;

/**
 * A fresh app (unique id, key and secret) with settings in Rust Sockudo's snake_case record form,
 * e.g. `featureApp({ enable_client_messages: true })`.
 */
export function featureApp(settings: Record<string, unknown> = {}): TestApp {
  appCounter += 1;
  return {
    id: `feat-${appCounter}`,
    key: `feat-key-${appCounter}`,
    secret: `feat-secret-${appCounter}`,
    ...settings,
  };
}

// ---------------------------------------------------------------------------------------------
// Cleanup

const closers = new Set<() => Promise<void> | void>();

/** Closes clients and nodes (shared cleanup), then every webhook receiver made here. */
export async function cleanupFeatures(): Promise<void> {
  await cleanup();
  const all = [...closers];
  closers.clear();
  await Promise.allSettled(all.map((close) => close()));
}

// ---------------------------------------------------------------------------------------------
// User authentication

export interface UserData {
  id: string;
  user_info?: Record<string, unknown>;
  watchlist?: string[];
}

/** pusher-js `userAuthentication` options that sign `user` with the backend (or return `forged`). */
export function userAuthentication(
  backend: Pusher,
  user: UserData,
  forged?: (socketId: string) => { auth: string; user_data: string },
) {
  return {
    customHandler: (
      { socketId }: { socketId: string },
      callback: (error: Error | null, data: { auth: string; user_data: string } | null) => void,
    ) => {
      try {
        callback(null, forged ? forged(socketId) : backend.authenticateUser(socketId, user));
      } catch (error) {
        callback(error as Error, null);
      }
    },
  };
}

export interface ConnectUserOptions {
  /** The presence identity the channel authorizer signs (defaults to `{ user_id: user.id }`). */
  presence?: PresenceUser;
  /** Extra pusher-js options. */
  options?: Record<string, unknown>;
}

/** A pusher-js client that can sign in as `user` (call `pusher.signin()` or use {@link signedInPusher}). */
export async function connectAs(
  port: number,
  app: TestApp,
  backend: Pusher,
  user: UserData,
  extra: ConnectUserOptions = {},
): Promise<PusherJs> {
  return connectPusherJs(port, {
    key: app.key,
    backend,
    user: extra.presence ?? { user_id: user.id },
    options: { userAuthentication: userAuthentication(backend, user), ...extra.options } as never,
  });
}

/** Resolves once pusher-js received `pusher:signin_success` (its `user.user_data` is set). */
export function signinSuccess(pusher: PusherJs, timeoutMs = WAIT_MS): Promise<unknown> {
  return withTimeout(
    new Promise((resolve) => {
      const check = (event: { event: string; data: unknown }) => {
        if (event.event !== 'pusher:signin_success') return;
        pusher.connection.unbind('message', check);
        resolve(event.data);
      };
      pusher.connection.bind('message', check);
    }),
    'pusher:signin_success',
    timeoutMs,
  );
}

/** Connects pusher-js, signs in as `user` and waits for `pusher:signin_success`. */
export async function signedInPusher(
  port: number,
  app: TestApp,
  backend: Pusher,
  user: UserData,
  extra: ConnectUserOptions = {},
): Promise<PusherJs> {
  const pusher = await connectAs(port, app, backend, user, extra);
  const done = signinSuccess(pusher);
  pusher.signin();
  await done;
  return pusher;
}

/** What pusher-js emits as `error` on its connection; `PusherError` carries `pusher:error` or a close code. */
export interface PusherJsError {
  type?: string;
  data?: { code: number | null; message: string };
}

/** A decoded message as pusher-js emits it on its connection. */
export interface PusherJsMessage {
  event: string;
  channel?: string;
  data: unknown;
  user_id?: string;
}

/** Every `pusher:error` (and error close) pusher-js reports on its connection, as `{ code, message }`. */
export function pusherErrors(pusher: PusherJs): Array<{ code: number | null; message: string }> {
  const seen: Array<{ code: number | null; message: string }> = [];
  pusher.connection.bind('error', (error: PusherJsError) => {
    if (error?.type === 'PusherError' && error.data) seen.push(error.data);
  });
  return seen;
}

/** Every message pusher-js receives on its connection (decoded), in order. */
export function pusherMessages(pusher: PusherJs): PusherJsMessage[] {
  const seen: PusherJsMessage[] = [];
  pusher.connection.bind('message', (event: PusherJsMessage) => seen.push(event));
  return seen;
}

/** Sends `pusher:signin` on a raw socket and returns the reply (`signin_success` or `pusher:error`). */
export async function rawSignin(
  client: RawClient & { socketId: string },
  backend: Pusher,
  user: UserData,
): Promise<Frame> {
  const from = client.mark();
  client.send({ event: 'pusher:signin', data: backend.authenticateUser(client.socketId, user) });
  return client.waitFor((f) => f.event === 'pusher:signin_success' || f.event === 'pusher:error', { from });
}

/** Subscribes a raw socket to a channel, signing with `backend` (and `presence` on presence channels). */
export function rawSubscribe(
  client: RawClient & { socketId: string },
  channel: string,
  backend?: Pusher,
  presence?: PresenceUser,
): Promise<Frame> {
  if (channel.startsWith('private-') || channel.startsWith('presence-')) {
    if (!backend) throw new Error(`a backend is needed to sign ${channel}`);
    const auth = backend.authorizeChannel(
      client.socketId,
      channel,
      channel.startsWith('presence-') ? presence : undefined,
    );
    return client.subscribe(channel, {
      auth: auth.auth,
      ...(auth.channel_data ? { channel_data: auth.channel_data } : {}),
    });
  }
  return client.subscribe(channel);
}

/** Asserts-by-throwing that `frame` is `pusher_internal:subscription_succeeded`. */
export function expectSubscribed(frame: Frame): Frame {
  if (frame.event !== 'pusher_internal:subscription_succeeded') {
    throw new Error(`expected subscription_succeeded on ${frame.channel}, got ${frame.raw}`);
  }
  return frame;
}

/** Resolves when pusher-js's state changes away from `connected` (with the error it reported, if any). */
export function disconnection(
  pusher: PusherJs,
  timeoutMs = WAIT_MS,
): Promise<{ state: string; error?: { code: number | null; message: string } }> {
  return withTimeout(
    new Promise((resolve) => {
      let lastError: { code: number | null; message: string } | undefined;
      pusher.connection.bind('error', (error: PusherJsError) => {
        if (error?.type === 'PusherError') lastError = error.data;
      });
      const onChange = ({ current }: { current: string }) => {
        if (current === 'connected') return;
        pusher.connection.unbind('state_change', onChange);
        resolve({ state: current, ...(lastError ? { error: lastError } : {}) });
      };
      pusher.connection.bind('state_change', onChange);
    }),
    `pusher-js (socket ${pusher.connection.socket_id}) to leave the connected state`,
    timeoutMs,
  );
}

/** Polls `/usage` until the node reports `count` connections (all closes fully processed). */
export async function waitForConnectionCount(
  port: number,
  count: number,
  timeoutMs = WAIT_MS,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    const usage = await httpRequest(port, 'GET', '/usage');
    last = usage.json?.connections;
    if (last === count) return;
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${count} connections (last: ${String(last)})`,
      );
    }
    await sleep(20);
  }
}

// ---------------------------------------------------------------------------------------------
// Webhook receiver

export interface WebhookEventBody {
  name: string;
  channel: string;
  [field: string]: unknown;
}

export interface ReceivedWebhook {
  /** Order of arrival, from 0. */
  index: number;
  headers: IncomingHttpHeaders;
  rawBody: string;
  body: { time_ms: number; events: WebhookEventBody[] };
  /** The status this receiver answered with. */
  status: number;
}

/** A node:http server on 127.0.0.1:0 that records every POST and answers with `respond(n)`. */
export class WebhookReceiver {
  readonly requests: ReceivedWebhook[] = [];
  private waiters: Array<() => void> = [];

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  /**
   * Starts a receiver. `respond` gets the index of the request (from 0) and its parsed body and
   * returns the HTTP status to answer with (default 200), or 0 to never answer.
   */
  static async start(
    respond: (index: number, body: ReceivedWebhook['body']) => number = () => 200,
    path = '/hook',
  ): Promise<WebhookReceiver> {
    let receiver: WebhookReceiver | undefined;
    const server = createHttpServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const rawBody = Buffer.concat(chunks).toString('utf8');
        let body: ReceivedWebhook['body'];
        try {
          body = JSON.parse(rawBody);
        } catch {
          body = { time_ms: Number.NaN, events: [] };
        }
        const index = receiver!.requests.length;
        const status = respond(index, body);
        receiver!.requests.push({ index, headers: req.headers, rawBody, body, status });
        if (status !== 0) {
          res.writeHead(status, { 'Content-Type': 'text/plain' });
          res.end(status < 300 ? 'ok' : 'nope');
        } // 0: never answer (the sender's request timeout has to fire)
        const waiters = receiver!.waiters;
        receiver!.waiters = [];
        for (const wake of waiters) wake();
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    receiver = new WebhookReceiver(server, `http://127.0.0.1:${port}${path}`);
    closers.add(() => receiver!.close());
    return receiver;
  }

  /** Every event of every received request, in order, tagged with the request it came in. */
  events(): Array<WebhookEventBody & { request: number }> {
    return this.requests.flatMap((r) => r.body.events.map((e) => ({ ...e, request: r.index })));
  }

  /** Events matching `name` (and `channel`, when given). */
  find(name: string, channel?: string): Array<WebhookEventBody & { request: number }> {
    return this.events().filter((e) => e.name === name && (channel === undefined || e.channel === channel));
  }

  /** Waits until `check()` returns a truthy value (re-checked after every request), and returns it. */
  async until<T>(check: () => T, what: string, timeoutMs = WAIT_MS): Promise<NonNullable<T>> {
    const first = check();
    if (first) return first as NonNullable<T>;
    return withTimeout(
      new Promise<NonNullable<T>>((resolve) => {
        const retry = () => {
          const value = check();
          if (value) resolve(value as NonNullable<T>);
          else this.waiters.push(retry);
        };
        this.waiters.push(retry);
      }),
      `${what} (webhook events so far: ${JSON.stringify(this.events().map((e) => `${e.name}:${e.channel}`))})`,
      timeoutMs,
    );
  }

  /** Waits for an event named `name` on `channel` and returns it. */
  waitForEvent(
    name: string,
    channel?: string,
    timeoutMs = WAIT_MS,
  ): Promise<WebhookEventBody & { request: number }> {
    return this.until(
      () => this.find(name, channel)[0],
      `webhook event ${name}${channel ? ` on ${channel}` : ''}`,
      timeoutMs,
    );
  }

  /** Waits until `count` requests have arrived. */
  waitForRequests(count: number, timeoutMs = WAIT_MS): Promise<ReceivedWebhook[]> {
    return this.until(
      () => (this.requests.length >= count ? this.requests.slice() : undefined),
      `${count} webhook request(s)`,
      timeoutMs,
    );
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.closeAllConnections();
      this.server.close(() => resolve());
    });
  }
}

/** The hex HMAC-SHA256 of the raw body under `secret`: what `X-Pusher-Signature` must carry. */
export function webhookSignature(secret: string, rawBody: string): string {
  return createHmac('sha256', secret).update(rawBody).digest('hex');
}
