// The `rabbitmq` adapter driver: Sockudo nodes exchange their all-nodes traffic over a fanout exchange
// and channel/user events over a direct exchange with one binding per routing key a node holds, all
// into one exclusive queue per node, over one AMQP connection per node.
// One connection's channels, queue and consumer are a session (rabbitmq-session.ts); this file is what
// runs over them: start, reconnecting with the interest set re-bound, publish, subscribe, health.

import {
  ConfigError,
  errorText,
  type Logger,
  redact,
  SockudoError,
  silentLogger,
  sleep,
  type TransportHandlersV2,
  type TransportV2,
  withTimeout,
} from '@sockudo/core';
import type { ChannelModel, ConsumeMessage, SocketOptions } from 'amqplib';
import { DEFAULT_RABBITMQ_URL, parseAmqpUrl } from './amqp-url.js';
import {
  amqpRoutingKey,
  DEFAULT_RABBITMQ_PREFIX,
  type RabbitMqExchanges,
  rabbitMqExchanges,
} from './rabbitmq-names.js';
import { RabbitMqSessions, type Session } from './rabbitmq-session.js';

/** Options of {@link createRabbitMqTransport}. */
export interface RabbitMqTransportOptions {
  /**
   * The broker: `amqp://user:password@host:port/vhost` (the vhost URL-encoded, `%2f` for `/`), or
   * `amqps://` for TLS. Query parameters go to amqplib (`frameMax`, `channelMax`, `heartbeat`); the
   * heartbeat is 10 s unless the URL sets one. Ignored when `connection` is given.
   * @default 'amqp://guest:guest@127.0.0.1:5672/%2f'
   */
  url?: string;
  /**
   * A connected amqplib client (what `amqplib.connect()` resolves with) to use instead of opening one.
   * The transport opens two channels on it and closes only those (and deletes its queue) on `close()`.
   * It cannot reconnect a connection it does not own: once that connection closes, the transport stays
   * down and `checkHealth()` says so.
   */
  connection?: ChannelModel;
  /**
   * Names the exchanges `${prefix}.broadcast` and `${prefix}.routed` and the node queues
   * `${prefix}.node.<uuid>`. Nodes with the same prefix (on the same vhost) form one cluster.
   * @default 'sockudo_adapter'
   */
  prefix?: string;
  /**
   * How long a cluster-wide request waits for the other nodes' answers (Rust Sockudo's
   * `adapter.rabbitmq.request_timeout_ms`). The transport does not use it itself: it is the
   * `HorizontalAdapter`'s `requestTimeoutMs`, exposed as {@link RabbitMqTransport.requestTimeoutMs} for
   * whoever builds the adapter.
   * @default 5000
   */
  requestTimeoutMs?: number;
  /**
   * How long `start()` keeps trying to connect and declare its exchanges, queue and bindings before it
   * rejects, and how long each reconnect attempt may take (Rust Sockudo's
   * `adapter.rabbitmq.connection_timeout_ms`).
   * @default 5000
   */
  connectionTimeoutMs?: number;
  /** How long `checkHealth()` waits for the broker to answer (a passive exchange declare). @default 1000 */
  healthCheckTimeoutMs?: number;
  /**
   * Messages published and not yet confirmed by the broker, at most. Beyond this, a publish waits for a
   * confirmation to free a slot.
   * @default 1000
   */
  maxInFlightPublishes?: number;
  /**
   * Publishes waiting for a slot (or for the socket's write buffer to drain), at most. Beyond this a
   * publish rejects at once, so a broker that cannot keep up never makes the node buffer without bound.
   * @default 10000
   */
  maxWaitingPublishes?: number;
  /**
   * A publish the broker has not confirmed this long after it was called rejects, waiting for a slot
   * included. (It may still be delivered: the message can be on its way.)
   * @default 2000
   */
  publishTimeoutMs?: number;
  /** More amqplib socket options (TLS certificates, `keepAlive`, …); `clientProperties` are merged. */
  socketOptions?: SocketOptions;
  /** Where connection loss and recovery are reported. @default silent */
  logger?: Logger;
}

/** A {@link TransportV2} over RabbitMQ, with the settings a `HorizontalAdapter` needs from its config. */
export interface RabbitMqTransport extends TransportV2 {
  /** {@link RabbitMqTransportOptions.requestTimeoutMs}, for `new HorizontalAdapter(…, { requestTimeoutMs })`. */
  readonly requestTimeoutMs: number;
  /** The exchanges this transport publishes to. */
  readonly exchanges: RabbitMqExchanges;
}

/** The AMQP `type` property of each all-nodes publish. */
type AllNodesKind = 'broadcast' | 'request' | 'response';

type Phase = 'new' | 'starting' | 'up' | 'restoring' | 'down' | 'closed';

/** 100 ms, 200 ms, 400 ms, 800 ms, then 1 s between attempts, like the Redis and NATS transports. */
function reconnectDelay(attempt: number): number {
  return Math.min(100 * 2 ** attempt, 1000);
}

/**
 * A {@link TransportV2} over RabbitMQ (AMQP 0-9-1): publisher confirms, bounded in-flight publishes,
 * routed delivery by binding, reconnection with the interest set re-bound.
 *
 * @example
 * ```ts
 * import { createServer } from '@sockudo/core';
 * import { createRabbitMqTransport } from '@sockudo/adapter-rabbitmq';
 * const transport = createRabbitMqTransport({ url: 'amqp://guest:guest@127.0.0.1:5672/%2f' });
 * const server = createServer({ transport, horizontal: { requestTimeoutMs: transport.requestTimeoutMs } });
 * ```
 */
export function createRabbitMqTransport(options: RabbitMqTransportOptions = {}): RabbitMqTransport {
  const prefix = options.prefix ?? DEFAULT_RABBITMQ_PREFIX;
  const exchanges = rabbitMqExchanges(prefix);
  const url = parseAmqpUrl(options.url ?? DEFAULT_RABBITMQ_URL);
  const shownUrl = options.connection ? 'the given connection' : url.display;
  const requestTimeoutMs = positive(options.requestTimeoutMs, 5000, 'requestTimeoutMs');
  const connectionTimeoutMs = positive(options.connectionTimeoutMs, 5000, 'connectionTimeoutMs');
  const healthCheckTimeoutMs = positive(options.healthCheckTimeoutMs, 1000, 'healthCheckTimeoutMs');
  const limits = {
    maxInFlight: positive(options.maxInFlightPublishes, 1000, 'maxInFlightPublishes'),
    maxWaiting: positive(options.maxWaitingPublishes, 10_000, 'maxWaitingPublishes', 0),
    timeoutMs: positive(options.publishTimeoutMs, 2000, 'publishTimeoutMs'),
  };
  const logger = options.logger ?? silentLogger;
  const name = 'RabbitMqTransport';

  let phase: Phase = 'new';
  let handlers: TransportHandlersV2 | undefined;
  let current: Session | undefined;
  let lastError: unknown;
  let reconnectTimer: NodeJS.Timeout | undefined;
  let reconnectAttempt = 0;
  let closing: Promise<void> | undefined;
  /**
   * The interest set: AMQP routing key → the core key it stands for (they differ for hashed long keys).
   * Kept across reconnects and re-bound on every new session.
   */
  const interest = new Map<string, string>();

  const reason = (error: unknown) => redact(errorText(error), url.password);
  const notStarted = () =>
    new SockudoError(`${name}: ${phase === 'closed' ? 'closed' : 'not started (call start() first)'}`);
  const started = () => phase === 'up' || phase === 'restoring' || phase === 'down';
  const sessions = new RabbitMqSessions({
    name,
    href: url.href,
    connection: options.connection,
    socketOptions: options.socketOptions,
    prefix,
    exchanges,
    limits,
    logger,
    reason,
    dispatch: (session, message) => dispatch(session, message),
    lose: (session, error) => lose(session, error),
  });

  function dispatch(session: Session, message: ConsumeMessage | null): void {
    if (message === null) {
      // The broker cancelled the consumer: the queue was deleted under it.
      lose(session, new Error('the broker cancelled the consumer (was the queue deleted?)'));
      return;
    }
    if (session.lost || phase === 'closed' || !handlers) return;
    const payload = message.content.toString('utf8');
    // A throwing handler must not reach amqplib's frame loop, which would close the channel.
    try {
      if (message.fields.exchange === exchanges.routed) {
        // A key unsubscribed a moment ago may still have messages in the queue: they are dropped.
        const key = interest.get(message.fields.routingKey);
        if (key !== undefined) handlers.onRouted(key, payload);
        return;
      }
      const kind = message.properties.type as AllNodesKind | undefined;
      if (kind === 'broadcast') handlers.onBroadcast(payload);
      else if (kind === 'request') handlers.onRequest(payload);
      else if (kind === 'response') handlers.onResponse(payload);
      else logger.debug(`${name}: ignored a message of type ${String(kind)} on ${exchanges.broadcast}`);
    } catch (error) {
      logger.error(`${name}: message handler threw`, {
        exchange: message.fields.exchange,
        error: reason(error),
      });
    }
  }

  /** A session's connection or one of its channels went away. */
  function lose(session: Session, error: unknown): void {
    if (session.lost) return;
    session.lost = true;
    lastError = error;
    session.window?.fail(new Error(`connection lost: ${reason(error)}`));
    if (session !== current) return;
    current = undefined;
    if (phase === 'closed') return;
    phase = 'down';
    sessions.dispose(session);
    logger.warn(
      `${name}: lost the connection to ${shownUrl} (${reason(error)}); reconnecting, ${interest.size} routing keys to re-bind`,
    );
    scheduleReconnect();
  }

  function scheduleReconnect(): void {
    if (phase !== 'down' || reconnectTimer) return;
    if (sessions.givenConnectionClosed) {
      logger.error(`${name}: the given connection closed; this transport cannot reconnect it`);
      return;
    }
    reconnectTimer = setTimeout(reconnect, reconnectDelay(reconnectAttempt++));
  }

  async function reconnect(): Promise<void> {
    reconnectTimer = undefined;
    if (phase !== 'down') return;
    let session: Session;
    try {
      session = await sessions.open(connectionTimeoutMs);
    } catch (error) {
      lastError = error;
      logger.debug(`${name}: reconnect attempt ${reconnectAttempt} failed`, { error: reason(error) });
      scheduleReconnect();
      return;
    }
    if (phase !== 'down' || session.lost) {
      if (!session.lost) {
        session.lost = true;
        sessions.dispose(session);
      }
      if (phase === 'down') scheduleReconnect();
      return;
    }
    current = session;
    phase = 'restoring';
    reconnectAttempt = 0;
    try {
      await Promise.all([...interest.keys()].map((key) => bind(session, key)));
    } catch {
      return; // the session was lost meanwhile, and lose() has scheduled the next attempt
    }
    if (current !== session || phase !== 'restoring') return;
    phase = 'up';
    logger.info(`${name}: reconnected to ${shownUrl}; ${interest.size} routing keys re-bound`);
    try {
      handlers?.onRestored?.();
    } catch (error) {
      logger.error(`${name}: onRestored handler threw`, { error: reason(error) });
    }
  }

  /** Binds `routingKey` on the session's queue, once per session; resolves on the broker's bind-ok. */
  function bind(session: Session, routingKey: string): Promise<void> {
    let bound = session.bindings.get(routingKey);
    if (!bound) {
      const ready = session.control!.bindQueue(session.queue!, exchanges.routed, routingKey).then(() => {});
      session.bindings.set(routingKey, ready);
      ready.catch(() => {
        if (session.bindings.get(routingKey) === ready) session.bindings.delete(routingKey);
      });
      bound = ready;
    }
    return bound;
  }

  function publish(exchange: string, routingKey: string, payload: string, what: string, type?: AllNodesKind) {
    if (!started()) return Promise.reject(notStarted());
    const session = current;
    if (!session?.window) {
      return Promise.reject(
        new SockudoError(`${name}: publish to ${what} failed: disconnected from ${shownUrl}; reconnecting`, {
          cause: lastError,
        }),
      );
    }
    if (session.blockedReason !== undefined) {
      return Promise.reject(
        new SockudoError(
          `${name}: publish to ${what} failed: the broker blocks publishing (${session.blockedReason})`,
        ),
      );
    }
    return session.window
      .publish({ exchange, routingKey, content: Buffer.from(payload, 'utf8'), type })
      .catch((error: unknown) => {
        throw new SockudoError(`${name}: publish to ${what} failed: ${reason(error)}`, { cause: error });
      });
  }

  const close = (): Promise<void> => {
    if (!closing) {
      phase = 'closed';
      clearTimeout(reconnectTimer);
      reconnectTimer = undefined;
      const session = current;
      current = undefined;
      closing = sessions.release(session, new SockudoError(`${name}: closed`));
    }
    return closing;
  };

  return {
    specVersion: 2,
    requestTimeoutMs,
    exchanges,

    async start(h) {
      if (phase !== 'new') throw new SockudoError(`${name}: start() may be called once (state: ${phase})`);
      phase = 'starting';
      handlers = h;
      const deadline = Date.now() + connectionTimeoutMs;
      for (let attempt = 0; ; attempt++) {
        try {
          const session = await sessions.open(Math.max(1, deadline - Date.now()));
          if (phase !== 'starting') {
            session.lost = true;
            sessions.dispose(session);
            throw notStarted();
          }
          if (!session.lost) {
            current = session;
            phase = 'up';
            return;
          }
          sessions.dispose(session);
          lastError = session.error;
        } catch (error) {
          if (phase !== 'starting') throw notStarted();
          lastError = error;
        }
        // Keep trying until the deadline; a last attempt needs a little time to be worth making.
        const remaining = deadline - Date.now();
        if (sessions.givenConnectionClosed || remaining < 50) break;
        await sleep(Math.min(reconnectDelay(attempt), remaining - 25));
        if (phase !== 'starting') throw notStarted();
      }
      await close();
      throw new SockudoError(
        `${name}: could not connect to ${shownUrl} within ${connectionTimeoutMs} ms: ${reason(lastError)}`,
        { cause: lastError },
      );
    },

    publishBroadcast: (payload) =>
      publish(exchanges.broadcast, '', payload, `${exchanges.broadcast} (broadcast)`, 'broadcast'),
    publishRequest: (payload) =>
      publish(exchanges.broadcast, '', payload, `${exchanges.broadcast} (request)`, 'request'),
    publishResponse: (payload) =>
      publish(exchanges.broadcast, '', payload, `${exchanges.broadcast} (response)`, 'response'),
    publishTo: (key, payload) =>
      publish(exchanges.routed, amqpRoutingKey(key), payload, `${exchanges.routed} key ${key}`),

    async subscribe(keys) {
      if (!started()) throw notStarted();
      const routingKeys = keys.map((key) => {
        const routingKey = amqpRoutingKey(key);
        interest.set(routingKey, key);
        return routingKey;
      });
      const session = current;
      if (phase === 'down' || !session) {
        throw new SockudoError(
          `${name}: subscribe to ${keys.length} keys failed: disconnected from ${shownUrl}; they are bound once it is back`,
          { cause: lastError },
        );
      }
      try {
        await Promise.all(routingKeys.map((routingKey) => bind(session, routingKey)));
      } catch (error) {
        throw new SockudoError(
          `${name}: subscribe to ${keys.length} keys failed: ${reason(error)}; they are bound after the reconnect`,
          { cause: error },
        );
      }
    },

    async unsubscribe(keys) {
      const session = current;
      const unbinds: Array<Promise<unknown>> = [];
      for (const key of keys) {
        const routingKey = amqpRoutingKey(key);
        if (!interest.delete(routingKey)) continue;
        if (!session?.bindings.delete(routingKey)) continue;
        // A failed unbind means the channel is gone, and the binding went with the session's queue.
        unbinds.push(
          session.control!.unbindQueue(session.queue!, exchanges.routed, routingKey).catch(() => {}),
        );
      }
      await Promise.all(unbinds);
    },

    async checkHealth() {
      if (!started()) throw notStarted();
      if (sessions.givenConnectionClosed) {
        throw new SockudoError(`${name}: the given connection is closed; this transport cannot reconnect it`);
      }
      const session = current;
      if (phase === 'down' || !session?.publisher) {
        throw new SockudoError(`${name}: disconnected from ${shownUrl}; reconnecting`, { cause: lastError });
      }
      if (phase === 'restoring') {
        throw new SockudoError(
          `${name}: reconnected to ${shownUrl}; re-binding ${interest.size} routing keys`,
        );
      }
      if (session.blockedReason !== undefined) {
        throw new SockudoError(`${name}: the broker blocks publishing (${session.blockedReason})`);
      }
      try {
        await withTimeout(
          session.publisher.checkExchange(exchanges.broadcast),
          healthCheckTimeoutMs,
          () => new Error(`no answer within ${healthCheckTimeoutMs} ms`),
        );
      } catch (error) {
        throw new SockudoError(`${name}: health check failed: ${reason(error)}`, { cause: error });
      }
    },

    close,
  };
}

/** `value` when it is a whole number of at least `min`, `fallback` when it is undefined. */
function positive(value: number | undefined, fallback: number, option: string, min = 1): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min) {
    throw new ConfigError(
      `rabbitmq transport: ${option} must be a whole number of at least ${min}, got ${value}`,
      { key: option },
    );
  }
  return value;
}
