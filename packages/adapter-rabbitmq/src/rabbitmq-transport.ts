// The `rabbitmq` adapter driver: Sockudo nodes exchange their all-nodes traffic over a fanout exchange
// and channel/user events over a direct exchange with one binding per routing key a node holds, all
// into one exclusive queue per node, over one AMQP connection per node.

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
import {
  type Channel,
  type ChannelModel,
  type ConfirmChannel,
  type ConsumeMessage,
  connect,
  type SocketOptions,
} from 'amqplib';
import { DEFAULT_RABBITMQ_URL, parseAmqpUrl } from './amqp-url.js';
import { PublishWindow } from './publish-window.js';
import {
  amqpRoutingKey,
  DEFAULT_RABBITMQ_PREFIX,
  nodeQueueName,
  type RabbitMqExchanges,
  rabbitMqExchanges,
} from './rabbitmq-names.js';

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

/**
 * The binding every node queue has on the routed exchange besides its keys. Core never builds an empty
 * key, so nothing is ever routed by it; it keeps the exchange alive (it is auto-delete) while any node
 * is connected, even one that holds no key, so that a publish never finds it gone.
 */
const ANCHOR_KEY = '';

/** One connection's worth of channels, queue and bindings. A reconnect builds a new one. */
interface Session {
  readonly model: ChannelModel;
  control: Channel | undefined;
  publisher: ConfirmChannel | undefined;
  window: PublishWindow | undefined;
  queue: string | undefined;
  /** AMQP routing keys bound (or being bound) on this session's queue → the bind's acknowledgement. */
  readonly bindings: Map<string, Promise<void>>;
  /** Why the broker blocks this connection's publishes (a resource alarm), while it does. */
  blockedReason: string | undefined;
  /** The last error the connection or a channel reported. */
  error: unknown;
  lost: boolean;
  /** Removes the listeners put on a connection the transport does not own. */
  detach(): void;
}

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
  /** A queue of a lost session on the given connection, deleted by the next session. */
  let staleQueue: string | undefined;
  let givenConnectionClosed = false;
  /**
   * The interest set: AMQP routing key → the core key it stands for (they differ for hashed long keys).
   * Kept across reconnects and re-bound on every new session.
   */
  const interest = new Map<string, string>();

  const reason = (error: unknown) => redact(errorText(error), url.password);
  const notStarted = () =>
    new SockudoError(`${name}: ${phase === 'closed' ? 'closed' : 'not started (call start() first)'}`);
  const started = () => phase === 'up' || phase === 'restoring' || phase === 'down';

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

  async function openConnection(timeoutMs: number): Promise<ChannelModel> {
    if (options.connection) {
      if (givenConnectionClosed) throw new Error('the given connection is closed');
      return options.connection;
    }
    return connect(url.href, {
      timeout: timeoutMs,
      ...options.socketOptions,
      clientProperties: { connection_name: `sockudo ${prefix}`, ...options.socketOptions?.clientProperties },
    });
  }

  /** Connects (or takes the given connection), declares everything and starts consuming. */
  async function openSession(timeoutMs: number): Promise<Session> {
    const model = await openConnection(timeoutMs);
    const owned = !options.connection;
    const session: Session = {
      model,
      control: undefined,
      publisher: undefined,
      window: undefined,
      queue: undefined,
      bindings: new Map(),
      blockedReason: undefined,
      error: undefined,
      lost: false,
      detach: () => {},
    };
    // An EventEmitter without an 'error' listener would throw; the 'close' that follows is what counts.
    const onError = (error: unknown) => {
      session.error = error;
      logger.debug(`${name}: connection error`, { error: reason(error) });
    };
    const onClose = (error?: unknown) => {
      if (!owned) givenConnectionClosed = true;
      lose(session, error ?? new Error('connection closed'));
    };
    const onBlocked = (blockedBy: string) => {
      session.blockedReason = blockedBy;
      logger.warn(`${name}: the broker blocks publishing: ${blockedBy}`);
    };
    const onUnblocked = () => {
      session.blockedReason = undefined;
      logger.info(`${name}: the broker accepts publishes again`);
    };
    model.on('error', onError);
    model.on('close', onClose);
    model.on('blocked', onBlocked);
    model.on('unblocked', onUnblocked);
    session.detach = () => {
      model.off('error', onError);
      model.off('close', onClose);
      model.off('blocked', onBlocked);
      model.off('unblocked', onUnblocked);
    };
    try {
      const watch = <C extends Channel>(channel: C, role: string): C => {
        channel.on('error', (error: unknown) => {
          session.error = error;
          logger.debug(`${name}: ${role} channel error`, { error: reason(error) });
        });
        // When the connection goes, its channels close first and the connection's own 'close' (with
        // the broker's reason) follows in the same turn: let that one tell why.
        channel.on('close', () =>
          process.nextTick(() => lose(session, session.error ?? new Error(`${role} channel closed`))),
        );
        return channel;
      };
      const control = watch(await model.createChannel(), 'control');
      session.control = control;
      const publisher = watch(await model.createConfirmChannel(), 'publisher');
      session.publisher = publisher;
      session.window = new PublishWindow(publisher, limits);
      if (staleQueue && !owned) {
        await control.deleteQueue(staleQueue);
        staleQueue = undefined;
      }
      // Transient and auto-delete: a cluster leaves nothing behind on the broker once its last node is
      // gone. A node's queue is bound to both; the broadcast binding and the anchor keep them alive.
      await control.assertExchange(exchanges.broadcast, 'fanout', { durable: false, autoDelete: true });
      await control.assertExchange(exchanges.routed, 'direct', { durable: false, autoDelete: true });
      const queue = nodeQueueName(prefix);
      await control.assertQueue(queue, { exclusive: true, autoDelete: true, durable: false });
      session.queue = queue;
      await control.bindQueue(queue, exchanges.broadcast, '');
      await control.bindQueue(queue, exchanges.routed, ANCHOR_KEY);
      // noAck: the queue is exclusive, so an unacknowledged message would die with the connection
      // anyway; acknowledgements would only add a frame per message. The handlers are synchronous, so
      // TCP back-pressure is what slows the broker down for a busy node.
      await control.consume(queue, (message) => dispatch(session, message), { noAck: true, exclusive: true });
      if (session.lost) throw session.error ?? new Error('connection lost while setting up');
      return session;
    } catch (error) {
      session.lost = true;
      dispose(session);
      throw error;
    }
  }

  /** Opens a session within `timeoutMs`; one that completes after the deadline is closed. */
  function openSessionWithin(timeoutMs: number): Promise<Session> {
    const opening = openSession(timeoutMs);
    return withTimeout(
      opening,
      timeoutMs,
      () => new Error(`no connection with its exchanges, queue and consumer within ${timeoutMs} ms`),
    ).catch((error: unknown) => {
      opening.then(
        (late) => {
          late.lost = true;
          dispose(late);
        },
        () => {},
      );
      throw error;
    });
  }

  /** Lets go of a session's broker resources, without waiting. */
  function dispose(session: Session): void {
    session.window?.fail(new Error('connection lost'));
    if (!options.connection) {
      session.model.close().catch(() => {});
      return;
    }
    session.detach();
    if (session.queue) staleQueue = session.queue;
    session.control?.close().catch(() => {});
    session.publisher?.close().catch(() => {});
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
    dispose(session);
    logger.warn(
      `${name}: lost the connection to ${shownUrl} (${reason(error)}); reconnecting, ${interest.size} routing keys to re-bind`,
    );
    scheduleReconnect();
  }

  function scheduleReconnect(): void {
    if (phase !== 'down' || reconnectTimer) return;
    if (givenConnectionClosed) {
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
      session = await openSessionWithin(connectionTimeoutMs);
    } catch (error) {
      lastError = error;
      logger.debug(`${name}: reconnect attempt ${reconnectAttempt} failed`, { error: reason(error) });
      scheduleReconnect();
      return;
    }
    if (phase !== 'down' || session.lost) {
      if (!session.lost) {
        session.lost = true;
        dispose(session);
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

  async function release(session: Session | undefined): Promise<void> {
    if (!session) return;
    session.lost = true;
    session.window?.fail(new SockudoError(`${name}: closed`));
    if (!options.connection) {
      try {
        await withTimeout(session.model.close(), 1000, () => new Error('close timed out'));
      } catch {
        // Already closed, or the broker does not answer: drop the socket.
        (session.model.connection as { stream?: { destroy?(): void } }).stream?.destroy?.();
      }
      return;
    }
    session.detach();
    const control = session.control;
    await withTimeout(
      (async () => {
        if (control && session.queue) await control.deleteQueue(session.queue);
        await control?.close();
        await session.publisher?.close();
      })(),
      1000,
      () => new Error('close timed out'),
    ).catch((error: unknown) => logger.debug(`${name}: error while closing`, { error: reason(error) }));
  }

  const close = (): Promise<void> => {
    if (!closing) {
      phase = 'closed';
      clearTimeout(reconnectTimer);
      reconnectTimer = undefined;
      const session = current;
      current = undefined;
      closing = release(session);
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
          const session = await openSessionWithin(Math.max(1, deadline - Date.now()));
          if (phase !== 'starting') {
            session.lost = true;
            dispose(session);
            throw notStarted();
          }
          if (!session.lost) {
            current = session;
            phase = 'up';
            return;
          }
          dispose(session);
          lastError = session.error;
        } catch (error) {
          if (phase !== 'starting') throw notStarted();
          lastError = error;
        }
        // Keep trying until the deadline; a last attempt needs a little time to be worth making.
        const remaining = deadline - Date.now();
        if (givenConnectionClosed || remaining < 50) break;
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
      if (givenConnectionClosed) {
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
