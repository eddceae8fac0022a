// Settings of Sockudo's delivery extensions, with Rust Sockudo's defaults
// (`crates/sockudo-core/src/options/v2_features.rs`): idempotent publish, echo control, event-name
// filtering on subscribe, ephemeral messages, tag filtering and delta compression.

import { DELTA_COMPRESSION_DEFAULTS, type DeltaCompressionSettings } from '../delta/delta-settings.js';

/** Idempotent publish on `POST /events` and `/batch_events` (Rust Sockudo's `idempotency`). */
export interface IdempotencySettings {
  /** @default true */
  enabled: boolean;
  /** How long a key is remembered, in seconds. @default 120 */
  ttlSeconds: number;
  /** Longest key accepted, in bytes; a longer one is answered with 400. @default 128 */
  maxKeyLength: number;
}

/** Whether a V2 socket receives its own client events (Rust Sockudo's `echo_control`). */
export interface EchoControlSettings {
  /** When false, `echo_messages` is ignored and every V2 socket gets its own client events. @default true */
  enabled: boolean;
  /** A V2 socket's setting when its URL has no `echo_messages`. @default true */
  defaultEchoMessages: boolean;
}

/** `filter.events` in V2 subscribe data (Rust Sockudo's `event_name_filtering`). */
export interface EventNameFilteringSettings {
  /** When false, `filter.events` is ignored. @default true */
  enabled: boolean;
  /** Names one filter may list. @default 50 */
  maxEventsPerFilter: number;
  /** Longest name in a filter, in bytes. @default 200 */
  maxEventNameLength: number;
}

/** `extras.ephemeral` on published messages (Rust Sockudo's `ephemeral`). */
export interface EphemeralSettings {
  /** When false, `extras.ephemeral` is removed from messages before delivery. @default true */
  enabled: boolean;
}

/** `tags` on published messages and `filter` on V2 subscribes (Rust Sockudo's `tag_filtering`). */
export interface TagFilteringSettings {
  /**
   * Apply subscriptions' tag filters; when false they are still checked (a bad one is refused) but
   * every message gets through. @default false
   */
  enabled: boolean;
  /** Include a message's `tags` in what V2 sockets receive (filters read them either way). @default true */
  enableTags: boolean;
}

/** Every extension's settings, as the engine holds them. */
export interface ExtensionSettings {
  idempotency: IdempotencySettings;
  echoControl: EchoControlSettings;
  eventNameFiltering: EventNameFilteringSettings;
  ephemeral: EphemeralSettings;
  tagFiltering: TagFilteringSettings;
  /** Deltas for V2 sockets that ask for them (docs/extensions.md). */
  deltaCompression: DeltaCompressionSettings;
}

/** What `createServer` accepts: any setting may be left out. */
export type ExtensionOptions = { [K in keyof ExtensionSettings]?: Partial<ExtensionSettings[K]> };

/** Rust Sockudo's defaults. */
export const EXTENSION_DEFAULTS: ExtensionSettings = Object.freeze({
  idempotency: Object.freeze({ enabled: true, ttlSeconds: 120, maxKeyLength: 128 }),
  echoControl: Object.freeze({ enabled: true, defaultEchoMessages: true }),
  eventNameFiltering: Object.freeze({ enabled: true, maxEventsPerFilter: 50, maxEventNameLength: 200 }),
  ephemeral: Object.freeze({ enabled: true }),
  tagFiltering: Object.freeze({ enabled: false, enableTags: true }),
  deltaCompression: DELTA_COMPRESSION_DEFAULTS,
});

/** The defaults with `options` laid over them, section by section. */
export function resolveExtensionSettings(options: ExtensionOptions = {}): ExtensionSettings {
  return {
    idempotency: { ...EXTENSION_DEFAULTS.idempotency, ...options.idempotency },
    echoControl: { ...EXTENSION_DEFAULTS.echoControl, ...options.echoControl },
    eventNameFiltering: { ...EXTENSION_DEFAULTS.eventNameFiltering, ...options.eventNameFiltering },
    ephemeral: { ...EXTENSION_DEFAULTS.ephemeral, ...options.ephemeral },
    tagFiltering: { ...EXTENSION_DEFAULTS.tagFiltering, ...options.tagFiltering },
    deltaCompression: { ...EXTENSION_DEFAULTS.deltaCompression, ...options.deltaCompression },
  };
}
