// What the Redis and the Redis Cluster transports share: a publisher and a subscriber connection
// turned into a TransportV1, with bounded waits everywhere a dead broker could otherwise hang a caller.

import {
  type Logger,
  SockudoError,
  type TransportHandlers,
  type TransportV1,
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

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Assembles a {@link TransportV1} from a publisher and a subscriber connection. */
export function createPubSubTransport(parts: PubSubParts): TransportV1 {
  const { name, publisher, subscriber, channels, logger } = parts;
  let state: 'new' | 'starting' | 'started' | 'closed' = 'new';
  let closing: Promise<void> | undefined;
  let lastError: unknown;
  let handlers: TransportHandlers | undefined;

  // ioredis emits 'error' for every failed (re)connect attempt; an EventEmitter without an 'error'
  // listener would throw it. Log the first loss at warn and the recovery at info, the rest at debug.
  const watch = (connection: Connection, role: string) => {
    let everReady = false;
    let lost = false;
    connection.on('error', (error: unknown) => {
      lastError = error;
      logger.debug(`${name}: ${role} connection error`, { error: describe(error) });
    });
    connection.on('ready', () => {
      if (lost) logger.info(`${name}: ${role} connection restored`);
      everReady = true;
      lost = false;
    });
    connection.on('close', () => {
      if (!everReady || lost || state !== 'started') return;
      lost = true;
      logger.warn(`${name}: ${role} connection lost; reconnecting`, { error: describe(lastError) });
    });
  };
  watch(publisher, 'publisher');
  watch(subscriber, 'subscriber');

  const dispatch = (channel: string, message: string) => {
    if (state === 'closed' || !handlers) return;
    // A throwing handler must not reach ioredis's parser, which would drop the connection.
    try {
      if (channel === channels.broadcast) handlers.onBroadcast(message);
      else if (channel === channels.requests) handlers.onRequest(message);
      else if (channel === channels.responses) handlers.onResponse(message);
    } catch (error) {
      logger.error(`${name}: message handler threw`, { channel, error: describe(error) });
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

  const publish = async (channel: string, payload: string): Promise<void> => {
    if (state !== 'started') throw notStarted();
    if (publisher.status !== 'ready') {
      throw new SockudoError(`${name}: publish to ${channel} failed: not connected (${publisher.status})`, {
        cause: lastError,
      });
    }
    try {
      await parts.publish(channel, payload);
    } catch (error) {
      if (describe(error) === 'Command timed out' && publisher.status === 'ready') {
        // Redis holds the connection open but has stopped answering (hung, or stopped): every further
        // publish would pile up in ioredis's queue and the socket. Dropping the connection fails what
        // is queued, the transport refuses publishes until it is ready again, and ioredis reconnects.
        logger.warn(`${name}: Redis did not answer a publish in time; reconnecting`);
        publisher.disconnect(true);
      }
      throw new SockudoError(`${name}: publish to ${channel} failed: ${describe(error)}`, { cause: error });
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

  const close = (): Promise<void> => {
    if (!closing) {
      state = 'closed';
      subscriber.off(parts.messageEvent, dispatch);
      closing = Promise.all([quit(publisher), quit(subscriber)]).then(() => {});
    }
    return closing;
  };

  return {
    specVersion: 1,

    async start(h) {
      if (state !== 'new') {
        throw new SockudoError(`${name}: start() may be called once (state: ${state})`);
      }
      state = 'starting';
      handlers = h;
      subscriber.on(parts.messageEvent, dispatch);
      try {
        await withTimeout(
          Promise.all([
            whenReady(publisher),
            parts.subscribe([channels.broadcast, channels.requests, channels.responses]),
          ]),
          parts.connectTimeoutMs,
          () =>
            new SockudoError(
              `${name}: could not connect and subscribe within ${parts.connectTimeoutMs} ms` +
                (lastError ? `: ${describe(lastError)}` : ''),
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
      try {
        await withTimeout(
          parts.ping ? parts.ping() : publisher.ping(),
          parts.healthCheckTimeoutMs,
          () => new Error(`no PONG within ${parts.healthCheckTimeoutMs} ms`),
        );
      } catch (error) {
        throw new SockudoError(`${name}: health check failed: ${describe(error)}`, { cause: error });
      }
    },

    close,
  };
}
