// createServer: one node:http server carrying both the WebSocket endpoint (/app/{key}) and the HTTP API,
// plus the lifecycle a process needs: listen, and a graceful close that tells clients to reconnect.

import { createServer as createHttpServer, type Server as HttpServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { ErrorCode, generateSocketId } from '@sockudo/protocol';
import type { Adapter, AdapterEvents } from './adapter/adapter.js';
import { HorizontalAdapter } from './adapter/horizontal-adapter.js';
import { LocalAdapter } from './adapter/local-adapter.js';
import type { App } from './apps/app.js';
import type { EngineContext } from './engine/engine-context.js';
import { resolveExtensionSettings } from './engine/extension-settings.js';
import { HeartbeatClock } from './engine/heartbeat-clock.js';
import { resolveConnectionRecoverySettings, resolveHistorySettings } from './engine/history-settings.js';
import { WatchlistRegistry } from './engine/watchlist.js';
import { SequencedLocalAdapter } from './history/sequenced-local-adapter.js';
import { createHttpApi, type HttpApiState } from './http/http-api.js';
import { createCachedAppManager } from './memory/cached-app-manager.js';
import { createMemoryAppManager } from './memory/memory-app-manager.js';
import { createMemoryCache } from './memory/memory-cache.js';
import { createMemoryHistoryStore } from './memory/memory-history-store.js';
import { createMemoryQueue } from './memory/memory-queue.js';
import { createMemoryRateLimiter } from './memory/memory-rate-limiter.js';
import { appLabels } from './metrics/metric-labels.js';
import { noopMetrics } from './metrics/noop-metrics.js';
import type { ServerOptions } from './server-options.js';
import { Connection } from './session/connection.js';
import { startHeartbeatSweep } from './session/heartbeat-sweep.js';
import { type WireOptions, wireOptionsOf } from './session/wire-options.js';
import type { AppManagerV1 } from './spec/v1/index.js';
import { UnsupportedSpecVersionError } from './util/errors.js';
import { silentLogger } from './util/logger.js';
import { WebhookDispatcher } from './webhooks/webhook-dispatcher.js';
import { createLeanEngine } from './websocket/lean-engine.js';
import type { WebSocketEngine, WireSocket } from './websocket/wire-socket.js';
import { createWsEngine } from './websocket/ws-engine.js';
import { errorFrame } from './wire/frames.js';
import { v2Frame } from './wire/v2-frames.js';

/** A running (or ready to run) Sockudo node. */
export interface SockudoServer {
  /** Starts listening; resolves with the bound address (useful with `port: 0`). */
  listen(): Promise<{ host: string; port: number }>;
  /**
   * Stops accepting, fails `/ready`, closes every socket with 4200 so clients reconnect elsewhere, and
   * resolves when all are closed or the grace period has passed.
   */
  close(options?: { gracePeriodMs?: number }): Promise<void>;
  /** The bound address, once listening. */
  address(): { host: string; port: number } | undefined;
  /** The node:http server, to add routes or inspect. */
  readonly httpServer: HttpServer;
  readonly context: EngineContext;
}

function requireSpec<T extends { specVersion?: unknown }>(name: string, driver: T, versions = [1]): T {
  if (!versions.includes(driver.specVersion as number)) {
    throw new UnsupportedSpecVersionError(name, driver.specVersion, versions);
  }
  return driver;
}

function destroySocket(this: Duplex): void {
  this.destroy();
}

function rejectUpgrade(socket: Duplex, status: number, text: string, body = ''): void {
  const length = Buffer.byteLength(body);
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: ${length}\r\n\r\n${body}`);
}

/** The configured app manager behind the app cache, or the memory one over `apps` (which needs none). */
function resolveAppManager(options: ServerOptions): AppManagerV1 {
  if (!options.appManager) return createMemoryAppManager(options.apps ?? []);
  const manager = requireSpec('appManager', options.appManager);
  return options.appCache === false ? manager : createCachedAppManager(manager, options.appCache);
}

/** Whether `origin` is allowed by an app's `allowedOrigins` (empty or `*` allows every origin). */
function originAllowed(app: App, origin: string | undefined): boolean {
  const allowed = app.allowedOrigins;
  if (allowed.length === 0 || allowed.includes('*')) return true;
  if (!origin) return false;
  return allowed.some((pattern) =>
    pattern.includes('*')
      ? new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`).test(origin)
      : pattern === origin,
  );
}

/**
 * Creates a Sockudo node: Pusher protocol v7 over WebSockets at `/app/{key}` and the Pusher HTTP API,
 * on one port.
 *
 * @example
 * ```ts
 * import { createServer } from '@sockudo/core';
 * const server = createServer({ port: 6001, apps: [{ id: 'app-id', key: 'app-key', secret: 'app-secret' }] });
 * await server.listen();
 * ```
 */
export function createServer(options: ServerOptions = {}): SockudoServer {
  const metrics = requireSpec('metrics', options.metrics ?? noopMetrics);
  const extensions = resolveExtensionSettings(options.extensions);
  const deliverTags = extensions.tagFiltering.enableTags;
  const logger = options.logger ?? silentLogger;
  const historySettings = resolveHistorySettings(options.historySettings);
  const history = requireSpec(
    'history',
    options.history ??
      createMemoryHistoryStore({
        retentionWindowSeconds: historySettings.retentionWindowSeconds,
        maxMessagesPerChannel: historySettings.maxMessagesPerChannel ?? 1000,
        maxBytesPerChannel: historySettings.maxBytesPerChannel,
      }),
  );
  // In a cluster, messages of channels with history reach this node's sockets in serial order, once,
  // with gaps filled from the history store (history/sequenced-local-adapter.ts).
  const local = options.transport
    ? new SequencedLocalAdapter({ metrics, deliverTags, history, logger })
    : new LocalAdapter({ metrics, deliverTags });
  const adapter: Adapter = options.transport
    ? new HorizontalAdapter(local, requireSpec('transport', options.transport, [1, 2]), {
        ...options.horizontal,
        logger: options.logger,
        metrics,
      })
    : local;
  const queue = requireSpec('queue', options.queue ?? createMemoryQueue());
  const context: EngineContext = {
    adapter,
    appManager: resolveAppManager(options),
    cache: requireSpec('cache', options.cache ?? createMemoryCache()),
    rateLimiter: requireSpec('rateLimiter', options.rateLimiter ?? createMemoryRateLimiter()),
    queue,
    metrics,
    logger,
    webhooks: new WebhookDispatcher(queue, logger, metrics, options.webhooks),
    watchlist: new WatchlistRegistry(metrics),
    extensions,
    history,
    historySettings,
    recoverySettings: resolveConnectionRecoverySettings(options.connectionRecovery),
    userAuthenticationTimeoutMs: (options.userAuthenticationTimeout ?? 3600) * 1000,
    clock: new HeartbeatClock([
      (options.activityTimeout ?? 120) * 1000,
      (options.pongTimeout ?? 30) * 1000,
      (options.userAuthenticationTimeout ?? 3600) * 1000,
    ]),
    channelCacheTtlSeconds: options.channelCacheTtl ?? 1800,
    activityTimeout: options.activityTimeout ?? 120,
    pongTimeoutMs: (options.pongTimeout ?? 30) * 1000,
    maxPayloadBytes: (options.websocketMaxPayloadKb ?? 64) * 1024,
    maxSocketBufferBytes: options.maxSocketBufferBytes ?? 1024 * 1024,
    maxConnections: options.maxConnections ?? 0,
    httpRequestLimitBytes: (options.httpRequestLimitInMb ?? 10) * 1024 * 1024,
    httpTimestampSkewSeconds: options.httpTimestampSkewSeconds ?? 600,
    healthCheckTimeoutMs: options.healthCheckTimeoutMs ?? 2000,
  };
  const state: HttpApiState = { draining: false };
  const httpServer = options.server ?? createHttpServer();
  // Frames between our limit and 4× it get a pusher:error; only beyond that does the engine close (1009).
  const engineOptions = { maxPayloadBytes: context.maxPayloadBytes * 4 };
  const engine: WebSocketEngine =
    options.websocketEngine === 'ws' ? createWsEngine(engineOptions) : createLeanEngine(engineOptions);
  const handleHttp = createHttpApi(context, state, options.cors);
  httpServer.on('request', handleHttp);

  /** Refused sockets still closing: close() cuts those whose clients never answer the close frame. */
  const refused = new Set<WireSocket>();

  function refuse(ws: WireSocket, wire: WireOptions, appId: string, code: number, message: string): void {
    metrics.increment('connection_errors_total', { appId, code });
    refused.add(ws);
    ws.listen({
      onMessage() {},
      onPong() {},
      onError() {},
      onClose: () => refused.delete(ws),
    });
    const frame = errorFrame(code, message);
    ws.sendText(wire.protocol === 2 ? v2Frame(frame) : frame);
    ws.close(code, message);
  }

  /** Admits an upgraded socket. Deliberately outside onUpgrade: nothing kept per socket may hold `req`. */
  async function accept(ws: WireSocket, app: App, wire: WireOptions): Promise<void> {
    if (app.maxConnections > 0 && (await adapter.getSocketCount(app.id)).value >= app.maxConnections) {
      return refuse(
        ws,
        wire,
        app.id,
        ErrorCode.OverConnectionQuota,
        'Application is over its connection quota',
      );
    }
    if (!ws.isOpen) return;
    new Connection(generateSocketId(), ws, app, context, wire).open();
    metrics.increment('new_connections_total', appLabels(app.id));
  }

  async function onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on('error', destroySocket);
    // The path without the query, cut by hand: a WHATWG URL per connection showed in the C1 profile.
    const target = req.url ?? '/';
    const queryAt = target.indexOf('?');
    const match = /^\/app\/([^/]+)\/?$/.exec(queryAt < 0 ? target : target.slice(0, queryAt));
    if (state.draining) return rejectUpgrade(socket, 503, 'Service Unavailable');
    if (!match) return rejectUpgrade(socket, 404, 'Not Found');
    const wire = wireOptionsOf(queryAt < 0 ? '' : target.slice(queryAt + 1), context.extensions.echoControl);
    if ('refused' in wire) return rejectUpgrade(socket, 400, 'Bad Request', wire.refused);
    const key = decodeURIComponent(match[1]!);
    let app: App | undefined;
    try {
      app = await context.appManager.findByKey(key);
    } catch (error) {
      logger.error('app lookup failed', { error: String(error) });
      return rejectUpgrade(socket, 503, 'Service Unavailable');
    }
    // Decide before the upgrade what needs the request, so the callback below captures no `req`.
    let refusal: [code: number, message: string] | undefined;
    if (!app) refusal = [ErrorCode.AppNotFound, `App key ${key} does not exist`];
    else if (!app.enabled) refusal = [ErrorCode.AppDisabled, 'Application is disabled'];
    else if (!originAllowed(app, req.headers.origin))
      refusal = [ErrorCode.Unauthorized, 'Origin not allowed'];
    else if (context.maxConnections > 0 && adapter.localSocketCount() >= context.maxConnections) {
      refusal = [ErrorCode.OverCapacity, 'Server is over capacity'];
    }
    // Corked across the upgrade, the 101 answer and connection_established (sent from the callback, which
    // ws calls synchronously) leave in one write instead of two system calls per connection.
    socket.cork();
    engine.handleUpgrade(req, socket, head, (ws) => {
      // The engine has its own error listener on the socket from here on; ours would be one more.
      socket.off('error', destroySocket);
      if (refusal || !app)
        return refuse(ws, wire, app?.id ?? '', ...(refusal ?? [ErrorCode.AppNotFound, 'Unknown app']));
      accept(ws, app, wire).catch((error: unknown) => {
        logger.error('connection setup failed', { error: String(error) });
        ws.terminate();
      });
    });
    socket.uncork();
  }

  httpServer.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    onUpgrade(req, socket, head).catch((error: unknown) => {
      logger.error('upgrade failed', { error: String(error) });
      socket.destroy();
    });
  });
  httpServer.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });

  /** Changes the cluster reports (a peer's users, a dead node's members) become local notifications. */
  const adapterEvents: AdapterEvents = {
    userOnline: (appId, userId) => context.watchlist.notify(appId, userId, 'online'),
    userOffline: (appId, userId) => context.watchlist.notify(appId, userId, 'offline'),
    membersExpired: (appId, channel, userIds, sendWebhooks) => {
      if (!sendWebhooks) return;
      void withApp(appId, (app) => {
        for (const userId of userIds)
          context.webhooks.emit(app, { name: 'member_removed', channel, user_id: userId });
      });
    },
    channelsVacated: (appId, channels, sendWebhooks) => {
      if (!sendWebhooks) return;
      void withApp(appId, (app) => {
        for (const channel of channels) context.webhooks.emit(app, { name: 'channel_vacated', channel });
      });
    },
  };
  async function withApp(appId: string, use: (app: App) => void): Promise<void> {
    try {
      const app = await context.appManager.findById(appId);
      if (app) use(app);
    } catch (error) {
      logger.error('app lookup failed', { appId, error: String(error) });
    }
  }

  let bound: { host: string; port: number } | undefined;
  let stopHeartbeat: (() => void) | undefined;
  let closing: Promise<void> | undefined;

  return {
    httpServer,
    context,
    address: () => bound,
    async listen() {
      const host = options.host ?? '0.0.0.0';
      const port = options.port ?? 6001;
      await adapter.start(adapterEvents);
      stopHeartbeat ??= startHeartbeatSweep(context);
      return new Promise((resolve, reject) => {
        const onError = (error: Error) => reject(error);
        httpServer.once('error', onError);
        httpServer.listen(port, host, () => {
          httpServer.off('error', onError);
          const address = httpServer.address() as AddressInfo;
          bound = { host: address.address, port: address.port };
          logger.info('listening', bound);
          resolve(bound);
        });
      });
    },
    close({ gracePeriodMs = (options.shutdownGracePeriod ?? 10) * 1000 } = {}) {
      closing ??= (async () => {
        state.draining = true;
        const serverClosed = new Promise<void>((resolve) => {
          if (!httpServer.listening) return resolve();
          httpServer.close(() => resolve());
        });
        const sockets = [...adapter.localSockets()];
        for (const socket of sockets) socket.close(ErrorCode.ReconnectImmediately, 'Server is shutting down');
        const deadline = Date.now() + gracePeriodMs;
        while (adapter.localSocketCount() > 0 && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        // Whatever did not finish closing in the grace period (a client that never answers the close
        // handshake, a refused socket) is cut, so close() keeps its promise of the grace period.
        for (const socket of [...adapter.localSockets()]) {
          if (socket instanceof Connection) socket.terminate();
        }
        for (const ws of refused) ws.terminate();
        httpServer.closeAllConnections();
        await serverClosed;
        engine.close();
        stopHeartbeat?.();
        context.webhooks.close();
        await adapter.close();
        await Promise.allSettled([
          context.appManager.close?.(),
          context.cache.close?.(),
          context.rateLimiter.close?.(),
          context.queue.close?.(),
          context.history.close(),
          context.metrics.close?.(),
        ]);
      })();
      return closing;
    },
  };
}
