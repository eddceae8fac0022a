// What the Redis and the Redis Cluster transports share: a publisher and a subscriber connection
// turned into a TransportV2 — three control channels for all nodes, one channel per routing key for
// the nodes interested in it — with bounded waits everywhere a dead broker could otherwise hang a
// caller, and the interest set restored by the transport itself after the subscriber reconnects.

import {
  errorText,
  type Logger,
  SockudoError,
  type TransportHandlersV2,
  type TransportV2,
  withTimeout,
} from '@sockudo/core';
import type { Cluster, Redis } from 'ioredis';
import type { RedisChannels } from './redis-channels.js';

type Connection = Redis | Cluster;

/** The driver-specific pieces {@link createPubSubTransport} is assembled from. */
export interface PubSubParts {
  /** Names the transport in errors and log lines. */
  readonly name: string;
  /** Publishes; the transport refuses to publish unless it is `ready`, so nothing queues up. */
  readonly publisher: Connection;
  /** Subscribes; re-subscribes by itself after a reconnect. */
  readonly subscriber: Connection;
  readonly channels: RedisChannels;
  /** `message` for SUBSCRIBE, `smessage` for sharded SSUBSCRIBE. */
  readonly messageEvent: 'message' | 'smessage';
  subscribe(channels: string[]): Promise<unknown>;
  publish(channel: string, payload: string): Promise<unknown>;
  /** Routing keys: how their channels are subscribed to, left and published to. */
  readonly routed: {
    /** `message` or `smessage`, as the routed channels are subscribed. */
    readonly messageEvent: 'message' | 'smessage';
    /** Subscribes to routed channels (any number: the part batches them into commands). */
    subscribe(channels: string[]): Promise<unknown>;
    unsubscribe(channels: string[]): Promise<unknown>;
    publish(channel: string, payload: string): Promise<unknown>;
  };
  /**
   * Calls `lost` when the subscriber's subscriptions may be gone and `ready` when it can subscribe
   * again; the transport then re-subscribes everything. @default the subscriber's 'close' and 'ready'
   */
  watchSubscriber?(lost: () => void, ready: () => void): void;
  nodeCount?(): Promise<number>;
  /** The round trip checkHealth() times. @default publisher.ping() */
  ping?(): Promise<unknown>;
  readonly connectTimeoutMs: number;
  readonly healthCheckTimeoutMs: number;
  readonly logger: Logger;
}

/** Caps ioredis's reconnect back-off like Rust Sockudo: 100 ms, 200 ms, 400 ms, … 1 s, forever. */
export function cappedBackoff(times: number): number {
  return Math.min(100 * 2 ** Math.max(0, times - 1), 1000);
}

/** How often a pending restore is tried again. */
const RESTORE_RETRY_MS = 500;

/** Assembles a {@link TransportV2} from a publisher and a subscriber connection. */
export function createPubSubTransport(parts: PubSubParts): TransportV2 {
  const { name, publisher, subscriber, channels, logger } = parts;
  let state: 'new' | 'starting' | 'started' | 'closed' = 'new';
  let closing: Promise<void> | undefined;
  let lastError: unknown;
  let handlers: TransportHandlersV2 | undefined;
  /** The interest set: routing key → its channel. */
  const interest = new Map<string, string>();
  const routedPrefix = channels.routedPrefix;
  /**
   * True from a subscriber loss (or a subscribe that did not reach Redis) until every subscription is
   * back; while true, a timer retries the restore whenever both connections are ready.
   */
  let restoring = false;
  let restoreRun = 0;
  let restoreTimer: NodeJS.Timeout | undefined;

  // ioredis emits 'error' for every failed (re)connect attempt; an EventEmitter without an 'error'
  // listener would throw it. Log the first loss at warn and the recovery at info, the rest at debug.
  const watch = (connection: Connection, role: string) => {
    let everReady = false;
    let lost = false;
    connection.on('error', (error: unknown) => {
      lastError = error;
      logger.debug(`${name}: ${role} connection error`, { error: errorText(error) });
    });
    connection.on('ready', () => {
      if (lost) logger.info(`${name}: ${role} connection restored`);
      everReady = true;
      lost = false;
    });
    connection.on('close', () => {
      if (!everReady || lost || state !== 'started') return;
      lost = true;
      logger.warn(`${name}: ${role} connection lost; reconnecting`, { error: errorText(lastError) });
    });
  };
  watch(publisher, 'publisher');
  watch(subscriber, 'subscriber');

  const dispatch = (channel: string, message: string) => {
    if (state === 'closed' || !handlers) return;
    // A throwing handler must not reach ioredis's parser, which would drop the connection.
    try {
      if (channel.startsWith(routedPrefix)) handlers.onRouted(channel.slice(routedPrefix.length), message);
      else if (channel === channels.broadcast) handlers.onBroadcast(message);
      else if (channel === channels.requests) handlers.onRequest(message);
      else if (channel === channels.responses) handlers.onResponse(message);
    } catch (error) {
      logger.error(`${name}: message handler threw`, { channel, error: errorText(error) });
    }
  };

  const notStarted = () =>
    new SockudoError(`${name}: ${state === 'closed' ? 'closed' : 'not started (call start() first)'}`);

  const requireReady = (connection: Connection, role: string) => {
    if (connection.status !== 'ready') {
      throw new SockudoError(`${name}: ${role} connection is ${connection.status}`, { cause: lastError });
    }
  };

  const whenReady = (connection: Connection): Promise<void> => {
    if (connection.status === 'ready') return Promise.resolve();
    if (connection.status === 'wait') connection.connect().catch(() => {}); // retried by ioredis
    return new Promise((resolve) => connection.once('ready', () => resolve()));
  };

  const publish = async (
    channel: string,
    payload: string,
    send: (channel: string, payload: string) => Promise<unknown> = parts.publish,
  ): Promise<void> => {
    if (state !== 'started') throw notStarted();
    if (publisher.status !== 'ready') {
      throw new SockudoError(`${name}: publish to ${channel} failed: not connected (${publisher.status})`, {
        cause: lastError,
      });
    }
    try {
      await send(channel, payload);
    } catch (error) {
      if (errorText(error) === 'Command timed out' && publisher.status === 'ready') {
        // Redis holds the connection open but has stopped answering (hung, or stopped): every further
        // publish would pile up in ioredis's queue and the socket. Dropping the connection fails what
        // is queued, the transport refuses publishes until it is ready again, and ioredis reconnects.
        logger.warn(`${name}: Redis did not answer a publish in time; reconnecting`);
        publisher.disconnect(true);
      }
      throw new SockudoError(`${name}: publish to ${channel} failed: ${errorText(error)}`, { cause: error });
    }
  };

  const quit = async (connection: Connection) => {
    if (connection.status === 'ready') {
      try {
        await withTimeout(connection.quit(), 1000, () => new Error('QUIT timed out'));
        return;
      } catch {
        // fall through to a hard disconnect
      }
    }
    connection.disconnect();
  };

  const controlChannels = [channels.broadcast, channels.requests, channels.responses];

  // After the subscriber reconnects: the control channels and the whole interest set again, then
  // healthy. A loss during the run starts another run; only the latest one reports.
  const restore = async () => {
    if (state !== 'started' || !restoring) return;
    if (subscriber.status !== 'ready' || publisher.status !== 'ready') return;
    const run = ++restoreRun;
    try {
      await parts.subscribe(controlChannels);
      if (interest.size > 0) await parts.routed.subscribe([...interest.values()]);
    } catch (error) {
      // The connection dropped again; the next 'ready' runs again.
      logger.debug(`${name}: re-subscribe failed`, { error: errorText(error) });
      return;
    }
    if (run !== restoreRun || state !== 'started') return;
    restoring = false;
    clearInterval(restoreTimer);
    restoreTimer = undefined;
    logger.info(`${name}: subscriptions restored (${interest.size} routing keys)`);
    handlers?.onRestored?.();
  };
  const watchSubscriber =
    parts.watchSubscriber ??
    ((lost: () => void, ready: () => void) => {
      subscriber.on('close', lost);
      subscriber.on('ready', ready);
    });
  // Some losses are not announced (a Redis Cluster's classic subscriber moves to another node on its
  // own), so the restore does not depend on seeing 'ready': a timer tries again until it succeeds.
  const needRestore = () => {
    if (state !== 'started') return;
    restoring = true;
    restoreTimer ??= setInterval(() => void restore(), RESTORE_RETRY_MS);
    restoreTimer.unref();
  };
  // A lost publisher connection usually means Redis went away for the subscriber too, even when its
  // own loss goes unannounced; a needless restore costs one re-subscribe.
  publisher.on('close', needRestore);
  watchSubscriber(needRestore, () => {
    void restore();
  });

  const close = (): Promise<void> => {
    if (!closing) {
      state = 'closed';
      clearInterval(restoreTimer);
      subscriber.off(parts.messageEvent, dispatch);
      subscriber.off(parts.routed.messageEvent, dispatch);
      closing = Promise.all([quit(publisher), quit(subscriber)]).then(() => {});
    }
    return closing;
  };

  return {
    specVersion: 2,

    async start(h) {
      if (state !== 'new') {
        throw new SockudoError(`${name}: start() may be called once (state: ${state})`);
      }
      state = 'starting';
      handlers = h;
      subscriber.on(parts.messageEvent, dispatch);
      if (parts.routed.messageEvent !== parts.messageEvent)
        subscriber.on(parts.routed.messageEvent, dispatch);
      try {
        await withTimeout(
          Promise.all([whenReady(publisher), parts.subscribe(controlChannels)]),
          parts.connectTimeoutMs,
          () =>
            new SockudoError(
              `${name}: could not connect and subscribe within ${parts.connectTimeoutMs} ms` +
                (lastError ? `: ${errorText(lastError)}` : ''),
              { cause: lastError },
            ),
        );
      } catch (error) {
        await close();
        throw error;
      }
      if (state === 'starting') state = 'started';
    },

    publishBroadcast: (payload) => publish(channels.broadcast, payload),
    publishRequest: (payload) => publish(channels.requests, payload),
    publishResponse: (payload) => publish(channels.responses, payload),

    async publishTo(key, payload) {
      await publish(`${routedPrefix}${key}`, payload, parts.routed.publish);
    },

    async subscribe(keys) {
      if (state !== 'started') throw notStarted();
      const fresh: string[] = [];
      for (const key of keys) {
        const channel = `${routedPrefix}${key}`;
        if (!interest.has(key)) interest.set(key, channel);
        fresh.push(channel);
      }
      if (fresh.length === 0) return;
      // Kept in the set either way: the restore after the reconnect subscribes them.
      // The publisher's status is checked too: a cluster's subscriber object can stay 'ready' for a
      // while after its nodes died, and a SUBSCRIBE sent then would wait instead of failing.
      if (restoring || subscriber.status !== 'ready' || publisher.status !== 'ready') {
        needRestore();
        throw new SockudoError(
          `${name}: not connected (subscriber ${subscriber.status}, publisher ${publisher.status}); subscribed once it is back`,
          { cause: lastError },
        );
      }
      try {
        await parts.routed.subscribe(fresh);
      } catch (error) {
        needRestore();
        throw new SockudoError(`${name}: subscribe failed: ${errorText(error)}`, { cause: error });
      }
    },

    async unsubscribe(keys) {
      const gone: string[] = [];
      for (const key of keys) {
        const channel = interest.get(key);
        if (channel === undefined) continue;
        interest.delete(key);
        gone.push(channel);
      }
      // While away there is nothing to leave: the restore subscribes only what is still held.
      if (gone.length === 0 || state !== 'started' || restoring || subscriber.status !== 'ready') return;
      await parts.routed.unsubscribe(gone).catch((error: unknown) => {
        logger.debug(`${name}: unsubscribe failed`, { error: errorText(error) });
      });
    },

    ...(parts.nodeCount && {
      async nodeCount() {
        if (state !== 'started') throw notStarted();
        requireReady(publisher, 'publisher');
        return parts.nodeCount!();
      },
    }),

    async checkHealth() {
      if (state !== 'started') throw notStarted();
      // Checked first so that no PING waits in a queue while Redis is away.
      requireReady(subscriber, 'subscriber');
      requireReady(publisher, 'publisher');
      if (restoring) throw new SockudoError(`${name}: reconnected; restoring subscriptions`);
      try {
        await withTimeout(
          parts.ping ? parts.ping() : publisher.ping(),
          parts.healthCheckTimeoutMs,
          () => new Error(`no PONG within ${parts.healthCheckTimeoutMs} ms`),
        );
      } catch (error) {
        throw new SockudoError(`${name}: health check failed: ${errorText(error)}`, { cause: error });
      }
    },

    close,
  };
}
