export type {
  Adapter,
  AdapterEvents,
  ChannelSummary,
  Counted,
  JoinResult,
  LeaveResult,
  PresenceMember,
  SocketHandle,
} from './adapter/adapter.js';
export {
  type ClusterRouting,
  HorizontalAdapter,
  type HorizontalAdapterOptions,
} from './adapter/horizontal-adapter.js';
export type { NodeSnapshot } from './adapter/local-adapter.js';
export { LocalAdapter, type LocalAdapterOptions } from './adapter/local-adapter.js';
export {
  createMemoryBus,
  createMemoryTransport,
  type MemoryBus,
  type MemoryTransportOptions,
} from './adapter/memory-transport.js';
export {
  APP_DEFAULTS,
  APP_RECORD_KEYS,
  type App,
  type AppIdempotency,
  appFromRecord,
  type WebhookConfig,
} from './apps/app.js';
export type {
  AppConnectionRecoveryPolicy,
  AppHistoryPolicy,
  NamespaceHistoryPolicy,
} from './apps/app-history-policy.js';
export {
  FEATURE_COLUMNS,
  flatColumns,
  LIMIT_COLUMNS,
  policyRecord,
  storedPolicy,
} from './apps/app-record.js';
export {
  type ChannelDeltaRule,
  type ChannelDeltaSettings,
  channelDeltaSettings,
  channelPatternMatches,
  parseChannelDeltaCompression,
} from './apps/channel-delta-compression.js';
export { DELTA_COMPRESSION_DEFAULTS, type DeltaCompressionSettings } from './delta/delta-settings.js';
export { applyFossilDelta, fossilDelta } from './delta/fossil-codec.js';
export type { EngineContext } from './engine/engine-context.js';
export {
  type EchoControlSettings,
  type EphemeralSettings,
  type EventNameFilteringSettings,
  EXTENSION_DEFAULTS,
  type ExtensionOptions,
  type ExtensionSettings,
  type IdempotencySettings,
  type TagFilteringSettings,
} from './engine/extension-settings.js';
export type {
  ConnectionRecoveryOptions,
  ConnectionRecoverySettings,
  HistoryOptions,
  HistorySettings,
} from './engine/history-settings.js';
export type { CorsOptions } from './http/cors.js';
export { type CachedAppManagerOptions, createCachedAppManager } from './memory/cached-app-manager.js';
export {
  assertHistoryCursorLive,
  emptyHistoryState,
  utf8Length,
  validateHistoryPurgeRequest,
  validateHistoryReadRequest,
  validateHistoryRetention,
} from './memory/history-rules.js';
export { createMemoryAppManager } from './memory/memory-app-manager.js';
export { createMemoryCache, type MemoryCacheOptions } from './memory/memory-cache.js';
export { createMemoryHistoryStore, type MemoryHistoryStoreOptions } from './memory/memory-history-store.js';
export { createMemoryQueue, type MemoryQueueOptions } from './memory/memory-queue.js';
export { createMemoryRateLimiter } from './memory/memory-rate-limiter.js';
export { noopMetrics } from './metrics/noop-metrics.js';
export { createServer, type SockudoServer } from './server.js';
export type { ServerOptions } from './server-options.js';
export type * from './spec/v1/index.js';
export type * from './spec/v2/index.js';
export { errorText, redact } from './util/error-text.js';
export {
  AuthError,
  ConfigError,
  HistoryCursorExpiredError,
  InvalidHistoryRequestError,
  RequestTimeoutError,
  SockudoError,
  UnsupportedSpecVersionError,
} from './util/errors.js';
export { type Logger, silentLogger } from './util/logger.js';
export { sleep, withTimeout } from './util/with-timeout.js';
export { MessageTags, type TagPredicate } from './wire/frame-tags.js';
