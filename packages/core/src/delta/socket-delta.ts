// One socket's delta state, created only when the socket asks for deltas: per channel, per base key
// (the event name, plus the conflation key's value), the last message it was sent and Rust Sockudo's
// delta sequence. Bounded by `max_channel_states_per_socket` and `max_conflation_states_per_channel`.

import type { App } from '../apps/app.js';
import type { DeltaCompressionSettings } from './delta-settings.js';

/** What a socket was last sent under one base key, and where its delta sequence stands. */
export interface BaseState {
  /** The frame the client holds as its base (the V2 frame as sent, without `__delta_seq`). */
  base: Buffer | undefined;
  /** The sequence `base` was sent with (a delta's `base_index`). */
  baseSeq: number;
  /** The sequence of the next message (a full message's `__delta_seq`, a delta's `seq`). */
  nextSeq: number;
  /** Deltas sent since the last full message. */
  deltaCount: number;
  /** `Date.now()` when `base` was sent. */
  updatedAt: number;
}

interface ChannelState {
  readonly keys: Map<string, BaseState>;
  updatedAt: number;
}

/** The entry of `map` updated longest ago. */
function oldest<T extends { updatedAt: number }>(map: Map<string, T>): string | undefined {
  let key: string | undefined;
  let at = Number.POSITIVE_INFINITY;
  for (const [k, value] of map) {
    if (value.updatedAt < at) {
      at = value.updatedAt;
      key = k;
    }
  }
  return key;
}

/** A V2 socket's delta compression: which channels get deltas, and the bases it holds on each. */
export class SocketDelta {
  /** `enable_delta_compression` was received: every channel gets deltas unless its subscription said no. */
  enabledAll = false;
  /** Per-subscription choices (`delta` in the subscribe data), over `enabledAll`. */
  private subscriptions: Map<string, boolean> | undefined = undefined;
  private readonly channels = new Map<string, ChannelState>();

  constructor(
    readonly settings: DeltaCompressionSettings,
    readonly app: App,
  ) {}

  /** Whether messages on `channel` go to this socket through its delta stream. */
  wants(channel: string): boolean {
    return this.subscriptions?.get(channel) ?? this.enabledAll;
  }

  /** Records a subscription's own choice; undefined drops it (the socket's choice applies again). */
  setSubscription(channel: string, enabled: boolean | undefined): void {
    if (enabled === undefined) {
      this.subscriptions?.delete(channel);
      return;
    }
    this.subscriptions ??= new Map();
    this.subscriptions.set(channel, enabled);
  }

  /** The state of base key `key` on `channel`, made on first use; the oldest is dropped past the limits. */
  baseState(channel: string, key: string, maxKeys: number, now: number): BaseState {
    let state = this.channels.get(channel);
    if (state === undefined) {
      if (this.channels.size >= this.settings.maxChannelStatesPerSocket) {
        this.channels.delete(oldest(this.channels)!);
      }
      state = { keys: new Map(), updatedAt: now };
      this.channels.set(channel, state);
    }
    state.updatedAt = now;
    let base = state.keys.get(key);
    if (base === undefined) {
      if (state.keys.size >= maxKeys) state.keys.delete(oldest(state.keys)!);
      base = { base: undefined, baseSeq: 0, nextSeq: 0, deltaCount: 0, updatedAt: now };
      state.keys.set(key, base);
    }
    return base;
  }

  /**
   * Forgets every base on `channel` (unsubscribe, `delta_sync_error`): the next message there is full
   * and starts the sequence again at 0, as in Rust Sockudo.
   */
  clearChannel(channel: string): void {
    this.channels.delete(channel);
  }

  /** The socket left `channel`: its bases and its subscription's choice go (a new subscription starts fresh). */
  forget(channel: string): void {
    this.channels.delete(channel);
    this.subscriptions?.delete(channel);
  }

  /** Channels with state, and base keys summed over them (for tests and limits). */
  get size(): { channels: number; keys: number } {
    let keys = 0;
    for (const state of this.channels.values()) keys += state.keys.size;
    return { channels: this.channels.size, keys };
  }
}
