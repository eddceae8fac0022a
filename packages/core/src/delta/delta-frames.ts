// The frames of delta compression, in Rust Sockudo's shapes (`crates/sockudo-adapter/src/local_adapter/
// broadcast.rs`, `handler/message_handlers.rs`). Built for the Pusher wire; a V2 socket's copy has
// `sockudo:` names (the fan-out writes V2 names itself, as only V2 sockets get deltas).

import { SOCKUDO_EVENT_PREFIX } from '@sockudo/protocol';

/** Client → server: turn deltas on for every channel of the socket. */
export const ENABLE_DELTA_COMPRESSION = 'pusher:enable_delta_compression';
/** Server → client: the answer to {@link ENABLE_DELTA_COMPRESSION}: `{ enabled, algorithm }`. */
export const DELTA_COMPRESSION_ENABLED = 'pusher:delta_compression_enabled';
/** Client → server: `{ channel }`: the client lost its base there; the next message is sent in full. */
export const DELTA_SYNC_ERROR = 'pusher:delta_sync_error';
/** Server → client: a channel event as a delta from the client's base. */
export const DELTA = 'pusher:delta';

const V2_DELTA_LEAD = `{"event":${JSON.stringify(SOCKUDO_EVENT_PREFIX + DELTA.slice('pusher:'.length))},"channel":`;

/**
 * `delta_compression_enabled`; with `channel` it answers a subscription's own `delta` setting, as Rust
 * Sockudo's `apply_subscription_delta_settings` does (the channel is then in the frame and its data).
 */
export function deltaEnabledFrame(enabled: boolean, algorithm: string, channel?: string): string {
  const data: Record<string, unknown> = { enabled, algorithm };
  if (channel === undefined) return JSON.stringify({ event: DELTA_COMPRESSION_ENABLED, data });
  data.channel = channel;
  return JSON.stringify({ event: DELTA_COMPRESSION_ENABLED, channel, data });
}

/**
 * A message in full inside a delta stream: the frame as every other V2 socket gets it, with
 * `__delta_seq` (and `__conflation_key`) appended. The client strips those two fields to get its base.
 */
export function fullMessageFrame(v2: string, seq: number, conflationKey: string): Buffer {
  const key = conflationKey === '' ? '' : `,"__conflation_key":${JSON.stringify(conflationKey)}`;
  return Buffer.from(`${v2.slice(0, -1)},"__delta_seq":${seq}${key}}`);
}

/**
 * `sockudo:delta`: `data` (an object, as Rust Sockudo sends it) names the event, the base64 delta, the
 * target sequence `seq`, the algorithm (unless `algorithm` is undefined), the conflation key when there
 * is one and the base's sequence `base_index`.
 */
export function deltaFrame(
  channelJson: string,
  eventJson: string,
  delta64: string,
  seq: number,
  algorithm: string | undefined,
  conflationKey: string,
  baseSeq: number,
): Buffer {
  const key = conflationKey === '' ? '' : `,"conflation_key":${JSON.stringify(conflationKey)}`;
  const named = algorithm === undefined ? '' : `,"algorithm":"${algorithm}"`;
  return Buffer.from(
    `${V2_DELTA_LEAD}${channelJson},"data":{"event":${eventJson},"delta":"${delta64}","seq":${seq}${named}${key},"base_index":${baseSeq}}}`,
  );
}
