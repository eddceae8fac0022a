// The delta part of a fan-out: what each delta socket of a channel gets for one message. A delta is
// computed once per distinct base (sockets that got the same previous message share it, usually all of
// them) and each distinct frame is built once, so the cost grows with the bases, not the sockets.

import { isProtocolEvent } from '@sockudo/protocol';
import type { App } from '../apps/app.js';
import { type ChannelDeltaSettings, channelDeltaSettings } from '../apps/channel-delta-compression.js';
import type { MetricLabels, MetricsV1 } from '../spec/v1/index.js';
import { conflationKeyOf } from './conflation-key.js';
import { deltaFrame, fullMessageFrame } from './delta-frames.js';
import { FOSSIL } from './delta-settings.js';
import { base64, fossilDelta } from './fossil-codec.js';
import type { SocketDelta } from './socket-delta.js';

/** A socket as the delta fan-out sees it. */
export interface DeltaSocket {
  readonly delta?: SocketDelta;
  send(frame: Buffer): void;
}

/** Delivered frames and their bytes, for the adapter's per-fan-out counts. */
export interface DeltaDelivery {
  delivered: number;
  bytes: number;
}

const ENCRYPTED_PREFIX = 'private-encrypted-';

/**
 * One distinct base of this fan-out: the delta from it (null when a full message is smaller), and its
 * frames by target sequence (a base's sequence is always the target's minus one).
 */
interface BaseDelta {
  readonly delta64: string | null;
  readonly frames: Map<number, Buffer>;
}

/** The app's settings for `channel`, remembered for the last app asked (one fan-out is one app). */
let lastApp: App | undefined;
let lastChannel: string | undefined;
let lastSettings: ChannelDeltaSettings | undefined;

function settingsFor(app: App, channel: string): ChannelDeltaSettings | undefined {
  if (app.channelDeltaCompression === undefined) return undefined;
  if (app !== lastApp || channel !== lastChannel) {
    lastSettings = channelDeltaSettings(app.channelDeltaCompression, channel);
    lastApp = app;
    lastChannel = channel;
  }
  return lastSettings;
}

/**
 * Sends `v2` (the V2 frame, `payload` its bytes) on `channel` to `sockets`, every one a V2 socket whose
 * delta state wants the channel: each gets a delta from its base, or the message in full with its
 * delta sequence. Messages that never travel as deltas (protocol events, `private-encrypted-` channels,
 * frames under `min_message_size`, channels the app disabled) go out as `payload` itself, untracked.
 */
export function sendWithDelta(
  channel: string,
  event: string | undefined,
  v2: string,
  payload: Buffer,
  sockets: readonly DeltaSocket[],
  metrics: MetricsV1,
  labels: MetricLabels,
): DeltaDelivery {
  const first = sockets[0]!.delta!;
  const { settings } = first;
  const channelSettings = settingsFor(first.app, channel);
  if (
    !settings.enabled ||
    event === undefined ||
    isProtocolEvent(event) ||
    channel.startsWith(ENCRYPTED_PREFIX) ||
    payload.length < settings.minMessageSize ||
    channelSettings?.enabled === false
  ) {
    for (const socket of sockets) socket.send(payload);
    return { delivered: sockets.length, bytes: sockets.length * payload.length };
  }

  const path = channelSettings?.conflationKey ?? settings.conflationKeyPath;
  const conflationKey = path === undefined ? '' : conflationKeyOf(v2, path);
  const baseKey = conflationKey === '' ? event : `${event}:${conflationKey}`;
  const maxKeys = channelSettings?.maxConflationKeys ?? settings.maxConflationStatesPerChannel;
  const maxAgeMs = settings.maxStateAgeSecs * 1000;
  const interval = settings.fullMessageInterval;
  const algorithm = settings.omitDeltaAlgorithm ? undefined : FOSSIL;
  const now = Date.now();

  const deltas = new Map<Buffer, BaseDelta>();
  const fullFrames = new Map<number, Buffer>();
  const channelJson = JSON.stringify(channel);
  const eventJson = JSON.stringify(event);
  // A delta frame's bytes besides the delta itself (two sequences of up to 10 digits each): a delta that
  // would not make the frame smaller than the message in full is not sent (Rust Sockudo compares the
  // raw delta with the message, which lets a small message's delta frame grow past it).
  const overhead = deltaFrame(channelJson, eventJson, '', 0, algorithm, conflationKey, 0).length + 18;
  let deltaCount = 0;
  let bytes = 0;
  let saved = 0;
  for (const socket of sockets) {
    const state = socket.delta!.baseState(channel, baseKey, maxKeys, now);
    const seq = state.nextSeq;
    let frame: Buffer | undefined;
    const base = state.base;
    // Rust Sockudo sends the first two messages of a base key in full, then deltas until
    // `full_message_interval` of them have gone out in a row.
    if (base !== undefined && seq >= 2 && state.deltaCount < interval && now - state.updatedAt < maxAgeMs) {
      let entry = deltas.get(base);
      if (entry === undefined) {
        const delta = fossilDelta(base, payload);
        const delta64 = base64(delta);
        entry = { delta64: delta64.length + overhead < payload.length ? delta64 : null, frames: new Map() };
        deltas.set(base, entry);
      }
      if (entry.delta64 !== null) {
        frame = entry.frames.get(seq);
        if (frame === undefined) {
          frame = deltaFrame(
            channelJson,
            eventJson,
            entry.delta64,
            seq,
            algorithm,
            conflationKey,
            state.baseSeq,
          );
          entry.frames.set(seq, frame);
        }
        deltaCount++;
        saved += payload.length - frame.length;
        state.deltaCount++;
      }
    }
    if (frame === undefined) {
      frame = fullFrames.get(seq);
      if (frame === undefined) {
        frame = fullMessageFrame(v2, seq, conflationKey);
        fullFrames.set(seq, frame);
      }
      state.deltaCount = 0;
    }
    state.base = payload;
    state.baseSeq = seq;
    state.nextSeq = seq + 1;
    state.updatedAt = now;
    socket.send(frame);
    bytes += frame.length;
  }
  const full = sockets.length - deltaCount;
  if (deltaCount > 0) {
    metrics.increment('delta_compression_delta_messages_total', labels, deltaCount);
    metrics.increment('delta_compression_bandwidth_saved_bytes', labels, saved);
  }
  if (full > 0) metrics.increment('delta_compression_full_messages_total', labels, full);
  metrics.increment('delta_compression_bandwidth_original_bytes', labels, sockets.length * payload.length);
  return { delivered: sockets.length, bytes };
}
