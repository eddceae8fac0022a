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
export { APP_DEFAULTS, APP_RECORD_KEYS, type App, appFromRecord, type WebhookConfig } from './app.js';
export { FEATURE_COLUMNS, flatColumns, LIMIT_COLUMNS, policyRecord, storedPolicy } from './app-record.js';
export { type CachedAppManagerOptions, createCachedAppManager } from './cached-app-manager.js';
export type { EngineContext } from './engine-context.js';
export { errorText, redact } from './error-text.js';
export {
  AuthError,
  ConfigError,
  RequestTimeoutError,
  SockudoError,
  UnsupportedSpecVersionError,
} from './errors.js';
export { type Logger, silentLogger } from './logger.js';
export { createMemoryAppManager } from './memory/memory-app-manager.js';
export { createMemoryCache, type MemoryCacheOptions } from './memory/memory-cache.js';
export { createMemoryQueue, type MemoryQueueOptions } from './memory/memory-queue.js';
export { createMemoryRateLimiter } from './memory/memory-rate-limiter.js';
export { noopMetrics } from './memory/noop-metrics.js';
export type { CorsOptions, ServerOptions } from './options.js';
export { createServer, type SockudoServer } from './server.js';
export type * from './spec/v1/index.js';
export type * from './spec/v2/index.js';
export { sleep, withTimeout } from './util/with-timeout.js';
