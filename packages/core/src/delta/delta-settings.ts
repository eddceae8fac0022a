// Settings of delta compression, with Rust Sockudo's defaults (`delta_compression` in
// `crates/sockudo-core/src/options/v2_features.rs`).

/** The only delta algorithm this server encodes. Rust Sockudo also has `xdelta3` (VCDIFF). */
export const FOSSIL = 'fossil';

/** Delta compression of channel events sent to V2 sockets that asked for it (Rust Sockudo's `delta_compression`). */
export interface DeltaCompressionSettings {
  /** When false, `enable_delta_compression` is answered `enabled: false` and no delta is sent. @default true */
  enabled: boolean;
  /**
   * The algorithm named in `delta_compression_enabled` and every `delta`. Only `fossil` is encoded here;
   * a configured `xdelta3` is served as fossil (the frames say so). @default 'fossil'
   */
  algorithm: string;
  /** Deltas sent in a row before the next message goes out in full. @default 10 */
  fullMessageInterval: number;
  /** Frames shorter than this many bytes are sent as they are, outside the delta stream. @default 100 */
  minMessageSize: number;
  /** A base older than this many seconds is not used: the next message goes out in full. @default 300 */
  maxStateAgeSecs: number;
  /** Channels whose delta state one socket keeps; the least recently updated goes first. @default 100 */
  maxChannelStatesPerSocket: number;
  /** Conflation keys (bases) kept per channel and socket; the least recently updated goes first. @default 100 */
  maxConflationStatesPerChannel: number;
  /**
   * A dotted path into each message (`asset`, `data.symbol`) whose value keeps a base of its own per
   * value, for every channel without its own `conflation_key` in the app's `channel_delta_compression`.
   * @default undefined (one base per channel and event name)
   */
  conflationKeyPath?: string;
  /** Leave `algorithm` out of each delta (clients then assume fossil), as Rust Sockudo's option does. @default false */
  omitDeltaAlgorithm: boolean;
}

/** Rust Sockudo's defaults. */
export const DELTA_COMPRESSION_DEFAULTS: DeltaCompressionSettings = Object.freeze({
  enabled: true,
  algorithm: FOSSIL,
  fullMessageInterval: 10,
  minMessageSize: 100,
  maxStateAgeSecs: 300,
  maxChannelStatesPerSocket: 100,
  maxConflationStatesPerChannel: 100,
  omitDeltaAlgorithm: false,
});
