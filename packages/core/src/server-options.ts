import type { Server as HttpServer } from 'node:http';
import type { HorizontalAdapter, HorizontalAdapterOptions } from './adapter/horizontal-adapter.js';
import type { App } from './apps/app.js';
import type { ExtensionOptions } from './engine/extension-settings.js';
import type { ConnectionRecoveryOptions, HistoryOptions } from './engine/history-settings.js';
import type { CorsOptions } from './http/cors.js';
import type { CachedAppManagerOptions } from './memory/cached-app-manager.js';
import type {
  AppManagerV1,
  CacheV1,
  HistoryStoreV1,
  MetricsV1,
  QueueV1,
  RateLimiterV1,
  TransportV1,
} from './spec/v1/index.js';
import type { TransportV2 } from './spec/v2/index.js';
import type { Logger } from './util/logger.js';
import type { WebhookOptions } from './webhooks/webhook-dispatcher.js';
import type { WebSocketEngineName } from './websocket/wire-socket.js';

/** Options of {@link createServer}. Every field is optional; the defaults serve a single node. */
export interface ServerOptions {
  /** Address to listen on. @default '0.0.0.0' */
  host?: string;
  /** Port for WebSockets and the HTTP API; 0 picks a free one. @default 6001 */
  port?: number;
  /**
   * Apps served by the built-in memory app manager, as {@link App} objects or raw records in Rust
   * Sockudo's shape. Ignored when `appManager` is given.
   */
  apps?: Array<App | Record<string, unknown>>;
  /** Where apps come from. @default a memory app manager over `apps` */
  appManager?: AppManagerV1;
  /**
   * The app cache in front of `appManager` (not used for the memory one), or `false` for none.
   * @default { ttlSeconds: 300 }
   */
  appCache?: false | CachedAppManagerOptions;
  /** @default a memory cache */
  cache?: CacheV1;
  /** @default a memory rate limiter */
  rateLimiter?: RateLimiterV1;
  /** @default a memory queue */
  queue?: QueueV1;
  /** @default no metrics */
  metrics?: MetricsV1;
  /** @default silent */
  logger?: Logger;
  /** Seconds of silence before the server pings a client; sent in `connection_established`. @default 120 */
  activityTimeout?: number;
  /** Seconds to wait for a pong before closing with 4201. @default 30 */
  pongTimeout?: number;
  /**
   * Largest inbound WebSocket message, in KB. A bigger one is answered with `pusher:error` 4300 and the
   * socket stays open; beyond 4× this the WebSocket layer refuses it (close 1009). @default 64
   */
  websocketMaxPayloadKb?: number;
  /**
   * What speaks WebSocket on the upgraded TCP sockets: `lean`, our own RFC 6455 framing over the socket
   * (no extensions; ~1.5 KB less per idle connection), or `ws` (the npm package). @default 'lean'
   */
  websocketEngine?: WebSocketEngineName;
  /** Connections on this node across all apps; 0 = unlimited. Over it, new sockets get 4100. @default 0 */
  maxConnections?: number;
  /** Largest HTTP API request body, in MB. @default 10 */
  httpRequestLimitInMb?: number;
  /** Bytes allowed to queue for one socket before it is closed with 4100 as a slow consumer. @default 1 MiB */
  maxSocketBufferBytes?: number;
  /** Seconds `close()` waits for sockets to finish closing. @default 10 */
  shutdownGracePeriod?: number;
  /** How long `/up` waits for each dependency (adapter, app manager, cache, queue, rate limiter). @default 2000 */
  healthCheckTimeoutMs?: number;
  /** Maximum allowed difference between `auth_timestamp` and the server clock. @default 600 */
  httpTimestampSkewSeconds?: number;
  /**
   * Seconds a connection of an app with `enable_user_authentication` has to sign in before it is closed
   * with 4009. @default 3600 (Rust Sockudo's default)
   */
  userAuthenticationTimeout?: number;
  /** Seconds a cache channel keeps its last event. @default 1800 (Pusher: 30 minutes) */
  channelCacheTtl?: number;
  /** Webhook batching, delays, timeouts and retries. */
  webhooks?: WebhookOptions;
  /**
   * Joins this node to a cluster: with a transport the engine runs a {@link HorizontalAdapter} over it,
   * so triggers, presence, counts and user operations span every node.
   */
  transport?: TransportV1 | TransportV2;
  /** Timeouts and heartbeats of the cluster protocol (only with `transport`). */
  horizontal?: HorizontalAdapterOptions;
  /** An existing HTTP(S) server to attach to instead of creating one (TLS, custom routes). */
  server?: HttpServer;
  /** CORS headers of the HTTP API (Rust Sockudo's `cors` section). */
  cors?: CorsOptions;
  /**
   * Sockudo's delivery extensions, each defaulting as in Rust Sockudo: `idempotency` (on, 120 s, keys
   * up to 128 bytes), `echoControl` (on, echo by default), `eventNameFiltering` (on, 50 names of up to
   * 200 bytes), `ephemeral` (on) and `tagFiltering` (off; tags delivered). See docs/extensions.md.
   */
  extensions?: ExtensionOptions;
  /**
   * Where channel history and connection recovery's replay are kept. Give a shared store (Redis,
   * PostgreSQL, MySQL) when several nodes serve the same apps, so a client can resume on any of them.
   * @default a memory store (this node only), bounded by `historySettings`
   */
  history?: HistoryStoreV1;
  /**
   * Rust Sockudo's `history` section: `enabled` (false), `rewindEnabled` (true),
   * `retentionWindowSeconds` (86400), `maxPageSize` (100), `maxMessagesPerChannel`,
   * `maxBytesPerChannel`. An app overrides it in `policy.history`, a namespace its retention.
   */
  historySettings?: HistoryOptions;
  /**
   * Rust Sockudo's `connection_recovery` section: `enabled` (false), `bufferTtlSeconds` (120),
   * `maxBufferSize` (100). An app overrides it in `policy.connection_recovery`.
   */
  connectionRecovery?: ConnectionRecoveryOptions;
}
