export type { AppManagerV1 } from './app-manager.js';
export type { CacheV1 } from './cache.js';
export type { DriverContextV1, DriverInstanceV1, DriverKind, SockudoDriverV1 } from './driver-module.js';
export type {
  HistoryAppendResult,
  HistoryBounds,
  HistoryDirection,
  HistoryItem,
  HistoryMessage,
  HistoryPage,
  HistoryPosition,
  HistoryPurgeRequest,
  HistoryPurgeResult,
  HistoryReadRequest,
  HistoryResetResult,
  HistoryRetention,
  HistoryStoreV1,
  HistoryStreamState,
} from './history-store.js';
export type { MetricLabels, MetricsV1 } from './metrics.js';
export type { QueueJob, QueueJobOutcome, QueueV1 } from './queue.js';
export type { RateLimiterV1, RateLimitResult } from './rate-limiter.js';
export type { TransportHandlers, TransportV1 } from './transport.js';
