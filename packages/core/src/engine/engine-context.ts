import type { Adapter } from '../adapter/adapter.js';
import type {
  AppManagerV1,
  CacheV1,
  HistoryStoreV1,
  MetricsV1,
  QueueV1,
  RateLimiterV1,
} from '../spec/v1/index.js';
import type { Logger } from '../util/logger.js';
import type { WebhookDispatcher } from '../webhooks/webhook-dispatcher.js';
import type { ExtensionSettings } from './extension-settings.js';
import type { HeartbeatClock } from './heartbeat-clock.js';
import type { ConnectionRecoverySettings, HistorySettings } from './history-settings.js';
import type { WatchlistRegistry } from './watchlist.js';

/** The resolved services and settings every connection and the HTTP API share. */
export interface EngineContext {
  readonly adapter: Adapter;
  readonly appManager: AppManagerV1;
  readonly cache: CacheV1;
  readonly rateLimiter: RateLimiterV1;
  readonly queue: QueueV1;
  readonly metrics: MetricsV1;
  readonly logger: Logger;
  /** Seconds, as sent in `connection_established`. */
  readonly activityTimeout: number;
  readonly pongTimeoutMs: number;
  readonly maxPayloadBytes: number;
  readonly maxSocketBufferBytes: number;
  readonly maxConnections: number;
  readonly httpRequestLimitBytes: number;
  readonly httpTimestampSkewSeconds: number;
  /** How long `/up` waits for each dependency's health check. */
  readonly healthCheckTimeoutMs: number;
  readonly userAuthenticationTimeoutMs: number;
  /** How long a cache channel keeps its last event. */
  readonly channelCacheTtlSeconds: number;
  /** The shared clock of every connection's timeouts (session/heartbeat-sweep.ts advances it). */
  readonly clock: HeartbeatClock;
  /** Idempotent publish, echo control, event-name filtering and ephemeral messages. */
  readonly extensions: ExtensionSettings;
  readonly webhooks: WebhookDispatcher;
  /** Where channel history (and connection recovery's replay) lives; shared by every node or not. */
  readonly history: HistoryStoreV1;
  /** The server's `history` section (an app or namespace may override parts). */
  readonly historySettings: HistorySettings;
  /** The server's `connection_recovery` section (an app may override it). */
  readonly recoverySettings: ConnectionRecoverySettings;
  readonly watchlist: WatchlistRegistry;
}
