// A TransportV1 over PostgreSQL LISTEN/NOTIFY: each node holds one connection that listens on the
// cluster's channel and publishes with pg_notify(). Core's HorizontalAdapter does everything else
// (requests, heartbeats, dead nodes); this file only moves strings.

import {
  type Logger,
  SockudoError,
  silentLogger,
  type TransportHandlers,
  type TransportV1,
} from '@sockudo/core';
import pg from 'pg';
import { channelName, DEFAULT_PREFIX, quoteIdentifier } from './notify-channel.js';
import { encodeMessage, MessageAssembler, type MessageKind } from './notify-payloads.js';

/** Options of {@link createPgNotifyTransport}. */
export interface PgNotifyTransportOptions {
  /**
   * A PostgreSQL connection string, e.g. `postgres://user:password@127.0.0.1:5432/sockudo`. Without it
   * (and without `client`), node-postgres reads the `PGHOST`, `PGUSER`, ... environment variables.
   */
  connectionString?: string;
  /** More node-postgres client settings (ssl, ...); `connectionString` wins over their connection fields. */
  client?: pg.ClientConfig;
  /**
   * The notification channel: nodes with the same prefix form one cluster. Hashed to a 56-character
   * name when longer than PostgreSQL's 63-byte identifiers.
   * @default 'sockudo'
   */
  prefix?: string;
  /** How long `start()` keeps trying to connect and LISTEN before it rejects. @default 5000 */
  connectTimeoutMs?: number;
  /** How long `checkHealth()` waits for `SELECT 1`. @default 2000 */
  healthCheckTimeoutMs?: number;
  /** Where connection loss and recovery are reported. @default silent */
  logger?: Logger;
}

const describe = (error: unknown) => (error instanceof Error ? error.message : String(error));
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * A {@link TransportV1} over PostgreSQL `LISTEN`/`NOTIFY`. Messages over NOTIFY's 8000-byte limit are
 * split into chunks sent in one statement (one transaction, delivered together) and joined again.
 * A lost connection is re-opened in the background; messages sent meanwhile are lost, as with any
 * pub/sub broker, and the HorizontalAdapter's heartbeats and snapshots recover the cluster state.
 *
 * @example
 * ```ts
 * import { createServer } from '@sockudo/core';
 * import { createPgNotifyTransport } from 'sockudo-adapter-pg-notify';
 * const server = createServer({
 *   transport: createPgNotifyTransport({ connectionString: 'postgres://127.0.0.1:5432/sockudo' }),
 * });
 * ```
 */
export function createPgNotifyTransport(options: PgNotifyTransportOptions = {}): TransportV1 {
  const channel = channelName(options.prefix ?? DEFAULT_PREFIX);
  const connectTimeoutMs = options.connectTimeoutMs ?? 5000;
  const healthCheckTimeoutMs = options.healthCheckTimeoutMs ?? 2000;
  const logger = options.logger ?? silentLogger;
  const name = 'PgNotifyTransport';
  const assembler = new MessageAssembler();

  let state: 'new' | 'starting' | 'started' | 'closed' = 'new';
  let client: pg.Client | undefined;
  let handlers: TransportHandlers | undefined;
  let nextId = 0;
  let reconnecting: Promise<void> | undefined;

  // A function, so TypeScript does not narrow `state` across awaits: close() may run meanwhile.
  const isClosed = () => state === 'closed';
  const notStarted = () =>
    new SockudoError(`${name}: ${state === 'closed' ? 'closed' : 'not started (call start() first)'}`);

  const deliver = (notification: pg.Notification, own: number | undefined) => {
    // PostgreSQL also notifies the sending session; a node needs none of its own messages.
    if (notification.processId === own || notification.channel !== channel) return;
    const message = assembler.accept(notification.processId, notification.payload ?? '');
    if (!message || !handlers) return;
    if (message.kind === 'b') handlers.onBroadcast(message.payload);
    else if (message.kind === 'q') handlers.onRequest(message.payload);
    else handlers.onResponse(message.payload);
  };

  /** Opens a connection and LISTENs; the connection reports its own loss through `onLost`. */
  async function open(): Promise<pg.Client> {
    const connection = new pg.Client({
      ...options.client,
      ...(options.connectionString !== undefined && { connectionString: options.connectionString }),
      application_name: 'sockudo-adapter-pg-notify',
    });
    connection.on('error', (error) => onLost(connection, error));
    connection.on('end', () => onLost(connection, new Error('connection ended')));
    await connection.connect();
    const own = (connection as unknown as { processID?: number }).processID;
    connection.on('notification', (notification) => deliver(notification, own));
    await connection.query(`LISTEN ${quoteIdentifier(channel)}`);
    return connection;
  }

  async function openWithRetry(deadline: number): Promise<pg.Client> {
    let lastError: unknown;
    for (let attempt = 0; !isClosed(); attempt += 1) {
      try {
        const connection = await open();
        if (isClosed()) {
          await connection.end().catch(() => {});
          break;
        }
        return connection;
      } catch (error) {
        lastError = error;
        if (Date.now() >= deadline) break;
        await sleep(Math.min(250 * 2 ** attempt, 2000, Math.max(0, deadline - Date.now())));
      }
    }
    if (isClosed()) throw notStarted();
    throw new SockudoError(
      `${name}: could not connect and LISTEN on ${JSON.stringify(channel)} within ${connectTimeoutMs} ms: ${describe(lastError)}`,
      { cause: lastError },
    );
  }

  function onLost(connection: pg.Client, error: unknown): void {
    if (connection !== client || state !== 'started' || reconnecting) return;
    client = undefined;
    assembler.clear();
    connection.removeAllListeners('notification');
    connection.end().catch(() => {});
    logger.warn(`${name}: lost the PostgreSQL connection (${describe(error)}); reconnecting`);
    reconnecting = (async () => {
      while (state === 'started') {
        try {
          client = await openWithRetry(Date.now() + 30_000);
          logger.info(`${name}: reconnected and listening on ${JSON.stringify(channel)}`);
          return;
        } catch (failure) {
          if (state !== 'started') return;
          logger.warn(`${name}: ${describe(failure)}; retrying`);
        }
      }
    })().finally(() => {
      reconnecting = undefined;
    });
  }

  const publish = async (kind: MessageKind, payload: string): Promise<void> => {
    if (state !== 'started') throw notStarted();
    if (!client)
      throw new SockudoError(`${name}: publish failed: not connected to PostgreSQL (reconnecting)`);
    const notifications = encodeMessage(kind, payload, nextId++);
    try {
      // One statement is one transaction: the chunks of a large message go out together, in order.
      if (notifications.length === 1)
        await client.query('SELECT pg_notify($1, $2)', [channel, notifications[0]]);
      else
        await client.query(
          'SELECT pg_notify($1, chunk) FROM unnest($2::text[]) WITH ORDINALITY AS c(chunk, n) ORDER BY n',
          [channel, notifications],
        );
    } catch (error) {
      throw new SockudoError(`${name}: publish failed: ${describe(error)}`, { cause: error });
    }
  };

  return {
    specVersion: 1,

    async start(serverHandlers) {
      if (state !== 'new') throw new SockudoError(`${name}: start() can only be called once`);
      state = 'starting';
      handlers = serverHandlers;
      const connection = await openWithRetry(Date.now() + connectTimeoutMs).catch((error: unknown) => {
        if (state === 'starting') state = 'new';
        throw error;
      });
      client = connection;
      state = 'started';
    },

    publishBroadcast: (payload) => publish('b', payload),
    publishRequest: (payload) => publish('q', payload),
    publishResponse: (payload) => publish('r', payload),

    async checkHealth() {
      if (state !== 'started') throw notStarted();
      if (!client) throw new SockudoError(`${name}: not connected to PostgreSQL (reconnecting)`);
      await withTimeout(client.query('SELECT 1'), healthCheckTimeoutMs, 'PostgreSQL');
    },

    async close() {
      if (state === 'closed') return;
      state = 'closed';
      handlers = undefined;
      const connection = client;
      client = undefined;
      if (!connection) return;
      connection.removeAllListeners('notification');
      await withTimeout(connection.query(`UNLISTEN ${quoteIdentifier(channel)}`), 2000, 'UNLISTEN').catch(
        () => {},
      );
      await connection.end().catch((error: unknown) => {
        logger.debug(`${name}: error while closing`, { error: describe(error) });
      });
    },
  };
}
