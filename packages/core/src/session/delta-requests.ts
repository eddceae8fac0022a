// What a client says about delta compression: `enable_delta_compression` (every channel), a
// subscription's `delta` setting (one channel) and `delta_sync_error` (start a channel again), read as
// Rust Sockudo's handlers read them (`handler/message_handlers.rs`, `handler/types.rs`).

import { PROTOCOL_V2 } from '@sockudo/protocol';
import type { App } from '../apps/app.js';
import { deltaEnabledFrame } from '../delta/delta-frames.js';
import { type DeltaCompressionSettings, FOSSIL } from '../delta/delta-settings.js';
import { SocketDelta } from '../delta/socket-delta.js';
import { isRecord } from '../util/raw-record.js';

/** Rust Sockudo's code for an invalid message (the socket stays open). */
export const INVALID_DELTA_MESSAGE_CODE = 4000;

/** A connection as these handlers see it. */
export interface DeltaSession {
  readonly app: App;
  readonly protocol: 1 | 2;
  delta: SocketDelta | undefined;
  send(frame: string): void;
  sendError(code: number | null, message: string, channel?: string): void;
}

/** `data` as an object: given as one, or as its JSON text; undefined/null is `{}`; otherwise undefined. */
function dataObject(data: unknown): Record<string, unknown> | undefined {
  if (data === undefined || data === null) return {};
  let value = data;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return undefined;
    }
  }
  return isRecord(value) ? value : undefined;
}

/**
 * `enable_delta_compression`. @sockudo/client sends `{ algorithms: ["fossil", "xdelta3"] }`; Rust
 * Sockudo ignores the data. Here a malformed message, or a list that leaves out fossil (the one
 * algorithm encoded here), is refused with 4000 and leaves deltas off. A Pusher-protocol socket, or a
 * server with `delta_compression.enabled` off, is answered `enabled: false`: deltas reach V2 sockets only
 * (so in Rust Sockudo, which answers `enabled: true` there and sends none).
 */
export function enableDeltaCompression(
  session: DeltaSession,
  settings: DeltaCompressionSettings,
  data: unknown,
): void {
  const request = dataObject(data);
  if (request === undefined) {
    session.sendError(
      INVALID_DELTA_MESSAGE_CODE,
      'Invalid message format: enable_delta_compression data must be an object',
    );
    return;
  }
  const offered = request.algorithms;
  if (offered !== undefined) {
    if (!Array.isArray(offered) || offered.some((name) => typeof name !== 'string')) {
      session.sendError(
        INVALID_DELTA_MESSAGE_CODE,
        'Invalid message format: enable_delta_compression algorithms must be an array of strings',
      );
      return;
    }
    if (!offered.some((name: string) => name.toLowerCase() === FOSSIL)) {
      session.sendError(
        INVALID_DELTA_MESSAGE_CODE,
        `Invalid message format: no supported delta algorithm in ${JSON.stringify(offered)}; this server sends fossil`,
      );
      return;
    }
  }
  const served = settings.enabled && session.protocol === PROTOCOL_V2;
  if (served) {
    session.delta ??= new SocketDelta(settings, session.app);
    session.delta.enabledAll = true;
  }
  session.send(deltaEnabledFrame(served, FOSSIL));
}

/**
 * A subscription's `delta`, as Rust Sockudo's `SubscriptionDeltaSettings::from_value` reads it: `true` /
 * `false`, an algorithm name (`"fossil"`, `"xdelta3"`, `"vcdiff"`: on; `"disabled"`, `"false"`,
 * `"none"`: off; any other name: on) or `{ enabled, algorithm }`; undefined when it says nothing.
 */
export function subscriptionDeltaChoice(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') return !['disabled', 'false', 'none'].includes(value.toLowerCase());
  if (isRecord(value)) return typeof value.enabled === 'boolean' ? value.enabled : true;
  return undefined;
}

/**
 * Applies a V2 subscription's `delta` to `channel` before the socket joins it. Turning deltas on for a
 * socket that never sent `enable_delta_compression` is confirmed with a `delta_compression_enabled`
 * naming the channel, as Rust Sockudo does. `private-encrypted-` channels never get deltas.
 */
export function applySubscriptionDelta(
  session: DeltaSession,
  settings: DeltaCompressionSettings,
  channel: string,
  value: unknown,
): void {
  const choice = subscriptionDeltaChoice(value);
  if (choice === undefined || session.protocol !== PROTOCOL_V2 || channel.startsWith('private-encrypted-')) {
    return;
  }
  if (choice && !settings.enabled) return;
  const confirm = choice && !session.delta?.enabledAll;
  if (choice || session.delta !== undefined) {
    session.delta ??= new SocketDelta(settings, session.app);
    session.delta.setSubscription(channel, choice);
  }
  if (confirm) session.send(deltaEnabledFrame(true, FOSSIL, channel));
}

/**
 * `delta_sync_error { channel }`: the client could not apply a delta on `channel`, so its bases there
 * are forgotten and the next message goes out in full (sequence 0 again). A message without a channel
 * is refused with 4000 (Rust Sockudo logs it and ignores it).
 */
export function deltaSyncError(session: DeltaSession, data: unknown): void {
  const channel = dataObject(data)?.channel;
  if (typeof channel !== 'string' || channel === '') {
    session.sendError(
      INVALID_DELTA_MESSAGE_CODE,
      'Invalid message format: delta_sync_error needs data.channel',
    );
    return;
  }
  session.delta?.clearChannel(channel);
}
