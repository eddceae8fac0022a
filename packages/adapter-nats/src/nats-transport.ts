// The `nats` adapter driver: Sockudo nodes exchange broadcasts, requests and responses as NATS core
// messages on three subjects, and channel and user events on one subject per routing key, which a
// node subscribes to only while it has local sockets for it; one connection per node.

import { readFile } from 'node:fs/promises';
import {
  errorText,
  type Logger,
  SockudoError,
  silentLogger,
  sleep,
  type TransportHandlersV2,
  type TransportV2,
  withTimeout,
} from '@sockudo/core';
import {
  type Authenticator,
  type ConnectionOptions,
  connect,
  credsAuthenticator,
  Events,
  type NatsConnection,
  type Subscription,
} from 'nats';
import { DEFAULT_NATS_PREFIX, natsSubjects } from './nats-subjects.js';

/** Options of {@link createNatsTransport}. */
export interface NatsTransportOptions {
  /**
   * The NATS server(s): `'nats://host:4222'`, `'host:4222'`, or a list (the client picks one and fails
   * over to the others). Ignored when `connection` is given.
   * @default 'nats://127.0.0.1:4222'
   */
  servers?: string | string[];
  /**
   * The subject prefix: subjects are `${prefix}.broadcast`, `.requests`, `.responses`, and
   * `${prefix}.r.<routing key>` for channel and user events. Nodes with the same prefix form one
   * cluster. Dot-separated tokens, no wildcards or whitespace.
   * @default 'sockudo_events'
   */
  prefix?: string;
  /** User for user/password authentication. */
  user?: string;
  /** Password for user/password authentication. */
  pass?: string;
  /** Token for token authentication. */
  token?: string;
  /** Path to a `.creds` file (JWT and NKey seed) for decentralised authentication; read at `start()`. */
  credentials?: string;
  /** Any other nats.js authenticator(s) (`nkeyAuthenticator`, `jwtAuthenticator`, …). */
  authenticator?: Authenticator | Authenticator[];
  /**
   * A connected nats.js client to use instead of opening one. The transport only subscribes on it:
   * `close()` drains the transport's subscriptions and leaves the connection open for its owner.
   */
  connection?: NatsConnection;
  /**
   * More nats.js connection options (tls, maxPingOut, …), applied after the transport's own:
   * `name: 'sockudo'`, `maxReconnectAttempts: -1` (reconnect forever), `reconnectTimeWait: 1000`,
   * `pingInterval: 10000`, `noEcho: true` (the server does not send a node its own messages back).
   * `waitOnFirstConnect` is always off: `start()` retries the first connection itself, within
   * `connectTimeoutMs`, because nats.js cannot cancel its own wait.
   */
  connectOptions?: ConnectionOptions;
  /**
   * How long `start()` keeps trying to reach a server (and have its subscriptions confirmed) before it
   * rejects, like Rust Sockudo's `nats.connection_timeout_ms`.
   * @default 5000
   */
  connectTimeoutMs?: number;
  /** How long `checkHealth()` waits for the server to answer a flush (PING/PONG). @default 1000 */
  healthCheckTimeoutMs?: number;
  /**
   * While disconnected, publishes are held by the client and sent after the reconnect, up to this many
   * payload bytes (Go's `ReconnectBufSize`); beyond it, and always when 0, a publish rejects at once.
   * @default 8388608 (8 MiB)
   */
  reconnectBufferBytes?: number;
  /** Where connection loss and recovery are reported. @default silent */
  logger?: Logger;
}

/**
 * A {@link TransportV2} over NATS core pub/sub. A routing key is a subject of its own
 * (`${prefix}.r.<key>`; keys are valid subject tokens already), subscribed with one NATS subscription
 * per key; `subscribe()` resolves after a flush, when the server has registered them.
 *
 * @example
 * ```ts
 * import { createServer } from '@sockudo/core';
 * import { createNatsTransport } from '@sockudo/adapter-nats';
 * const server = createServer({ transport: createNatsTransport({ servers: 'nats://127.0.0.1:4222' }) });
 * ```
 */
export function createNatsTransport(options: NatsTransportOptions = {}): TransportV2 {
  const subjects = natsSubjects(options.prefix ?? DEFAULT_NATS_PREFIX);
  const servers = options.servers ?? 'nats://127.0.0.1:4222';
  const connectTimeoutMs = options.connectTimeoutMs ?? 5000;
  const healthCheckTimeoutMs = options.healthCheckTimeoutMs ?? 1000;
  const reconnectBufferBytes = options.reconnectBufferBytes ?? 8 * 1024 * 1024;
  const logger = options.logger ?? silentLogger;
  const name = 'NatsTransport';

  let state: 'new' | 'starting' | 'started' | 'closed' = 'new';
  let nc: NatsConnection | undefined;
  let ownsConnection = false;
  let connected = false;
  let bufferedBytes = 0;
  let subscriptions: Subscription[] = [];
  /** The interest set: one subscription per routing key held. */
  const routed = new Map<string, Subscription>();
  let handlers: TransportHandlersV2 | undefined;
  /** Set from a reconnect until the server has confirmed every subscription again. */
  let restoring: Promise<void> | undefined;
  let closing: Promise<void> | undefined;

  const notStarted = () =>
    new SockudoError(`${name}: ${state === 'closed' ? 'closed' : 'not started (call start() first)'}`);

  async function connectionOptions(): Promise<ConnectionOptions> {
    const authenticators: Authenticator[] = [];
    if (options.authenticator) authenticators.push(...[options.authenticator].flat());
    if (options.credentials) authenticators.push(credsAuthenticator(await readFile(options.credentials)));
    return {
      name: 'sockudo',
      servers,
      ...(options.user !== undefined && { user: options.user, pass: options.pass }),
      ...(options.token !== undefined && { token: options.token }),
      ...(authenticators.length > 0 && { authenticator: authenticators }),
      maxReconnectAttempts: -1,
      reconnectTimeWait: 1000,
      // A server that holds the socket open but stops answering is noticed after two missed PINGs
      // (~20-30 s, not nats.js's default of minutes); until then publishes go into the socket.
      pingInterval: 10_000,
      // A node ignores its own messages anyway (like Rust Sockudo's `no_echo: true`).
      noEcho: true,
      ...options.connectOptions,
      waitOnFirstConnect: false,
    };
  }

  // nats.js's waitOnFirstConnect has no way to stop it, so the first connection is retried here, where
  // a deadline and close() can end it.
  async function connectWithRetry(deadline: number): Promise<NatsConnection> {
    const base = await connectionOptions();
    let lastError: unknown;
    while (state === 'starting' && Date.now() < deadline) {
      const remaining = deadline - Date.now();
      try {
        const connection = await connect({ ...base, timeout: Math.max(100, Math.min(remaining, 2000)) });
        if (state !== 'starting') {
          await connection.close();
          break;
        }
        return connection;
      } catch (error) {
        lastError = error;
        await sleep(Math.min(250, Math.max(0, deadline - Date.now())));
      }
    }
    if (state !== 'starting') throw notStarted();
    throw new SockudoError(
      `${name}: could not connect to ${[servers].flat().join(', ')} within ${connectTimeoutMs} ms` +
        (lastError ? `: ${errorText(lastError)}` : ''),
      { cause: lastError },
    );
  }

  // Tracks whether the client is connected, which the client itself does not expose, and reports loss
  // and recovery. Ends when the connection closes.
  async function watchStatus(connection: NatsConnection): Promise<void> {
    for await (const status of connection.status()) {
      if (status.type === Events.Disconnect) {
        connected = false;
        bufferedBytes = 0;
        if (state === 'started') logger.warn(`${name}: disconnected from ${status.data}; reconnecting`);
      } else if (status.type === Events.Reconnect) {
        connected = true;
        bufferedBytes = 0;
        if (state === 'started') {
          logger.info(`${name}: reconnected to ${status.data}`);
          restore(connection);
        }
      } else if (status.type === Events.Error) {
        logger.warn(`${name}: ${status.data}`);
      }
    }
  }

  const publish = async (subject: string, payload: string): Promise<void> => {
    if (state !== 'started' || !nc) throw notStarted();
    if (nc.isClosed()) throw new SockudoError(`${name}: publish to ${subject} failed: connection closed`);
    if (!connected) {
      const size = Buffer.byteLength(payload);
      if (bufferedBytes + size > reconnectBufferBytes) {
        throw new SockudoError(
          `${name}: publish to ${subject} failed: disconnected, and the reconnect buffer (${reconnectBufferBytes} bytes) is full`,
        );
      }
      bufferedBytes += size;
    }
    try {
      nc.publish(subject, payload);
    } catch (error) {
      throw new SockudoError(`${name}: publish to ${subject} failed: ${errorText(error)}`, { cause: error });
    }
  };

  // nats.js sends every subscription again on reconnect; once a flush comes back the server has them
  // all, and the node can report healthy and look for what it missed.
  function restore(connection: NatsConnection): void {
    const attempt: Promise<void> = withTimeout(
      connection.flush(),
      connectTimeoutMs,
      () => new Error(`subscriptions not confirmed within ${connectTimeoutMs} ms`),
    ).then(
      () => {
        if (restoring !== attempt) return;
        restoring = undefined;
        if (state === 'started') handlers?.onRestored?.();
      },
      (error: unknown) => {
        logger.debug(`${name}: confirming subscriptions after reconnect failed`, { error: errorText(error) });
        if (restoring === attempt && connected) restore(connection);
      },
    );
    restoring = attempt;
  }

  function subscribeRouted(connection: NatsConnection, key: string): Subscription {
    const subject = `${subjects.routed}${key}`;
    return connection.subscribe(subject, {
      callback: (error, message) => {
        if (state === 'closed' || !handlers) return;
        if (error) {
          logger.warn(`${name}: subscription to ${subject} failed: ${errorText(error)}`);
          return;
        }
        try {
          handlers.onRouted(key, message.string());
        } catch (handlerError) {
          logger.error(`${name}: message handler threw`, { subject, error: errorText(handlerError) });
        }
      },
    });
  }

  async function release(): Promise<void> {
    const connection = nc;
    const subs = [...subscriptions, ...routed.values()];
    subscriptions = [];
    routed.clear();
    if (!connection || connection.isClosed()) return;
    // drain() unsubscribes, delivers what already arrived, flushes and closes. Its flush needs the
    // server, so while disconnected there is nothing to drain, and otherwise it gets a deadline.
    const drain = (drainer: { drain(): Promise<void> }, fallback: () => unknown) =>
      connected
        ? withTimeout(drainer.drain(), 2000, () => new Error('drain timed out')).catch(fallback)
        : fallback();
    if (ownsConnection) await drain(connection, () => connection.close());
    else await Promise.all(subs.map((sub) => drain(sub, () => sub.unsubscribe())));
  }

  const close = (): Promise<void> => {
    if (!closing) {
      state = 'closed';
      closing = release().catch((error: unknown) => {
        logger.debug(`${name}: error while closing`, { error: errorText(error) });
      });
    }
    return closing;
  };

  return {
    specVersion: 2,

    async start(h) {
      handlers = h;
      if (state !== 'new') throw new SockudoError(`${name}: start() may be called once (state: ${state})`);
      state = 'starting';
      const deadline = Date.now() + connectTimeoutMs;
      try {
        if (options.connection) {
          if (options.connection.isClosed())
            throw new SockudoError(`${name}: the given connection is closed`);
          nc = options.connection;
        } else {
          nc = await connectWithRetry(deadline);
          ownsConnection = true;
        }
        connected = true;
        const connection = nc;
        void watchStatus(connection).catch(() => {});
        void connection.closed().then((error) => {
          connected = false;
          if (error && state !== 'closed') logger.error(`${name}: connection closed: ${errorText(error)}`);
        });

        const route: Array<[string, (payload: string) => void]> = [
          [subjects.broadcast, (payload) => h.onBroadcast(payload)],
          [subjects.requests, (payload) => h.onRequest(payload)],
          [subjects.responses, (payload) => h.onResponse(payload)],
        ];
        subscriptions = route.map(([subject, deliver]) =>
          connection.subscribe(subject, {
            callback: (error, message) => {
              if (state === 'closed') return;
              if (error) {
                logger.warn(`${name}: subscription to ${subject} failed: ${errorText(error)}`);
                return;
              }
              // A throwing handler must not reach nats.js's dispatch loop.
              try {
                deliver(message.string());
              } catch (handlerError) {
                logger.error(`${name}: message handler threw`, { subject, error: errorText(handlerError) });
              }
            },
          }),
        );
        // The server has registered the subscriptions once it answers this flush: a message another
        // node publishes after start() resolves is delivered.
        await withTimeout(
          connection.flush(),
          Math.max(1, deadline - Date.now()),
          () => new SockudoError(`${name}: subscriptions not confirmed within ${connectTimeoutMs} ms`),
        );
        if (state !== 'starting') throw notStarted();
        state = 'started';
      } catch (error) {
        await close();
        throw error;
      }
    },

    publishBroadcast: (payload) => publish(subjects.broadcast, payload),
    publishRequest: (payload) => publish(subjects.requests, payload),
    publishResponse: (payload) => publish(subjects.responses, payload),
    publishTo: (key, payload) => publish(`${subjects.routed}${key}`, payload),

    async subscribe(keys) {
      if (state !== 'started' || !nc) throw notStarted();
      const connection = nc;
      // The subscriptions are made even while disconnected: nats.js sends them when it reconnects.
      for (const key of keys) if (!routed.has(key)) routed.set(key, subscribeRouted(connection, key));
      if (keys.length === 0) return;
      if (!connected) throw new SockudoError(`${name}: disconnected from NATS; subscribed once reconnected`);
      await connection.flush();
    },

    async unsubscribe(keys) {
      if (state !== 'started' || !nc) return;
      for (const key of keys) {
        routed.get(key)?.unsubscribe();
        routed.delete(key);
      }
      if (connected && keys.length > 0) await nc.flush().catch(() => {});
    },

    async checkHealth() {
      if (state !== 'started' || !nc) throw notStarted();
      if (nc.isClosed()) throw new SockudoError(`${name}: connection closed`);
      if (!connected) throw new SockudoError(`${name}: disconnected from NATS; reconnecting`);
      if (restoring) throw new SockudoError(`${name}: reconnected; subscriptions not confirmed yet`);
      try {
        await withTimeout(
          nc.flush(),
          healthCheckTimeoutMs,
          () => new Error(`no PONG within ${healthCheckTimeoutMs} ms`),
        );
      } catch (error) {
        throw new SockudoError(`${name}: health check failed: ${errorText(error)}`, { cause: error });
      }
    },

    close,
  };
}
