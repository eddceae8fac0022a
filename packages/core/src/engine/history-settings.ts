// Settings of channel history and connection recovery, with Rust Sockudo's names and defaults
// (`crates/sockudo-core/src/options/v2_features.rs`: `history`, `connection_recovery`). An app may
// override them (`policy.history`, `policy.connection_recovery`), a channel namespace the retention.

/** Durable channel history (Rust Sockudo's `history`). */
export interface HistorySettings {
  /** Store every non-ephemeral message of every channel, with a serial. @default false */
  enabled: boolean;
  /** Whether a subscription may ask for recent messages (`rewind` in the subscribe data). @default true */
  rewindEnabled: boolean;
  /** Messages published longer ago than this are dropped. @default 86400 */
  retentionWindowSeconds: number;
  /** Most items in one history page, and the page size of a replay. @default 100 */
  maxPageSize: number;
  /** Most messages kept per channel. @default undefined (no bound) */
  maxMessagesPerChannel: number | undefined;
  /** Most payload bytes kept per channel. @default undefined (no bound) */
  maxBytesPerChannel: number | undefined;
}

/** Connection recovery, `pusher:resume` (Rust Sockudo's `connection_recovery`). */
export interface ConnectionRecoverySettings {
  /** Serial every message and answer `pusher:resume`. @default false */
  enabled: boolean;
  /** How long messages of a channel without history stay replayable, in seconds. @default 120 */
  bufferTtlSeconds: number;
  /** Most messages one resume replays per channel; more missed is `recovery_window_exceeded`. @default 100 */
  maxBufferSize: number;
}

/** What `createServer` accepts: any setting may be left out. */
export type HistoryOptions = Partial<HistorySettings>;
export type ConnectionRecoveryOptions = Partial<ConnectionRecoverySettings>;

export const HISTORY_DEFAULTS: HistorySettings = Object.freeze({
  enabled: false,
  rewindEnabled: true,
  retentionWindowSeconds: 86_400,
  maxPageSize: 100,
  maxMessagesPerChannel: undefined,
  maxBytesPerChannel: undefined,
});

export const CONNECTION_RECOVERY_DEFAULTS: ConnectionRecoverySettings = Object.freeze({
  enabled: false,
  bufferTtlSeconds: 120,
  maxBufferSize: 100,
});

/** The defaults with `options` laid over them. */
export function resolveHistorySettings(options: HistoryOptions = {}): HistorySettings {
  return { ...HISTORY_DEFAULTS, ...withoutUndefined(options) };
}

/** The defaults with `options` laid over them. */
export function resolveConnectionRecoverySettings(
  options: ConnectionRecoveryOptions = {},
): ConnectionRecoverySettings {
  return { ...CONNECTION_RECOVERY_DEFAULTS, ...withoutUndefined(options) };
}

function withoutUndefined<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as Partial<T>;
}
