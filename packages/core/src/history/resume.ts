// `pusher:resume` / `sockudo:resume`: a reconnecting client names, per channel, the last position it
// saw; it gets exactly what it missed, from the history store (so on any node sharing it), then the
// live messages held back meanwhile; or, per channel, `pusher:resume_failed` saying why. Codes,
// reasons and answers are Rust Sockudo's (`crates/sockudo-adapter/src/handler/recovery.rs`).

import { ErrorCode, PROTOCOL_V2 } from '@sockudo/protocol';
import type { App } from '../apps/app.js';
import type { EngineContext } from '../engine/engine-context.js';
import { appLabels } from '../metrics/metric-labels.js';
import { isRecord } from '../util/raw-record.js';
import { eventFrame } from '../wire/frames.js';
import { v1Frame, v2Frame } from '../wire/v2-frames.js';
import { channelPolicy, recoveryFor } from './channel-policy.js';
import { deliveredFrame } from './history-publisher.js';
import type { ReplayGate } from './replay-gate.js';
import { type ReplayFailure, type ResumePosition, readMissed } from './replay-reader.js';

export type { ResumePosition } from './replay-reader.js';

export const RESUME_EVENT = 'pusher:resume';
export const RESUME_SUCCESS_EVENT = 'pusher:resume_success';
export const RESUME_FAILED_EVENT = 'pusher:resume_failed';
/** `pusher:error` codes of a resume that cannot start (Rust Sockudo's). */
export const RECOVERY_DISABLED_CODE = 4301;
export const NO_POSITIONS_CODE = 4302;

/** What a resume needs of a socket (the session's Connection). */
export interface ResumeSocket {
  readonly id: string;
  readonly app: App;
  readonly protocol?: number;
  readonly channels: { has(channel: string): boolean };
  readonly isClosed: boolean;
  /** The socket's gate, made on first use. */
  replayGate(): ReplayGate;
  /** Drops the gate once nothing is held. */
  dropReplayGate(): void;
  /** Sends a frame built for the Pusher wire for this socket alone (V2: renamed, given a message_id). */
  send(frame: string): void;
  /** Sends a payload already in this socket's wire form, past the gate. */
  sendPast(payload: Buffer): void;
  sendError(code: number | null, message: string, channel?: string): void;
  acceptsEvent?(channel: string, event: string): boolean;
}

/** The positions of a resume's data, or why there are none. */
export function parseResumePositions(data: unknown): Map<string, ResumePosition> | string {
  let raw = data;
  if (typeof raw === 'string') {
    try {
      raw = JSON.parse(raw);
    } catch (error) {
      return `Invalid resume data JSON: ${(error as Error).message}`;
    }
  }
  if (!isRecord(raw)) return 'Missing data in resume message';
  const positions = new Map<string, ResumePosition>();
  const serialOk = (value: unknown): value is number =>
    typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
  if (isRecord(raw.channel_positions)) {
    for (const [channel, position] of Object.entries(raw.channel_positions)) {
      if (!isRecord(position) || !serialOk(position.serial)) {
        return `Invalid resume data JSON: channel_positions.${channel}.serial must be a non-negative integer`;
      }
      positions.set(channel, {
        serial: position.serial,
        streamId: typeof position.stream_id === 'string' ? position.stream_id : undefined,
        lastMessageId: typeof position.last_message_id === 'string' ? position.last_message_id : undefined,
        legacy: false,
      });
    }
    return positions;
  }
  if (isRecord(raw.channel_serials)) {
    for (const [channel, serial] of Object.entries(raw.channel_serials)) {
      if (!serialOk(serial)) {
        return `Invalid resume data JSON: channel_serials.${channel} must be a non-negative integer`;
      }
      positions.set(channel, { serial, streamId: undefined, lastMessageId: undefined, legacy: true });
    }
    return positions;
  }
  return 'Missing channel_positions or channel_serials in resume data';
}

/**
 * Starts holding the live messages of the channels a resume names, as soon as it arrives (before the
 * subscribes queued ahead of it finish), so nothing reaches the socket between them and the replay.
 */
export function holdResumedChannels(socket: ResumeSocket, data: unknown): void {
  const positions = parseResumePositions(data);
  if (typeof positions === 'string' || positions.size === 0) return;
  const gate = socket.replayGate();
  for (const channel of positions.keys()) gate.hold(channel);
}

/** Handles `pusher:resume`. */
export async function resume(socket: ResumeSocket, ctx: EngineContext, data: unknown): Promise<void> {
  const positions = parseResumePositions(data);
  const gate = socket.replayGate();
  const replayedUpTo = new Map<string, { streamId: string | undefined; serial: number }>();
  try {
    if (!recoveryFor(ctx, socket.app).enabled) {
      socket.sendError(RECOVERY_DISABLED_CODE, 'Connection recovery is not enabled');
      return;
    }
    if (typeof positions === 'string') {
      socket.sendError(ErrorCode.GenericError, positions);
      return;
    }
    if (positions.size === 0) {
      socket.sendError(NO_POSITIONS_CODE, 'No channel recovery positions provided');
      return;
    }
    const recovered: unknown[] = [];
    const failed: unknown[] = [];
    const labels = appLabels(socket.app.id);
    for (const [channel, position] of positions) {
      if (socket.isClosed) return;
      if (socket.channels.has(channel)) gate.hold(channel);
      const policy = channelPolicy(ctx, socket.app, channel);
      const outcome = await readMissed(ctx, socket.app.id, channel, position, policy);
      if ('failure' in outcome) {
        reportFailure(socket, ctx, channel, position, outcome.failure, failed);
        continue;
      }
      replayedUpTo.set(channel, { streamId: position.streamId ?? outcome.streamId, serial: outcome.upTo });
      let replayed = 0;
      let last: { stream_id: string; serial: number; last_message_id: string | null } | null = null;
      for (const item of outcome.items) {
        last = { stream_id: item.streamId, serial: item.serial, last_message_id: item.messageId ?? null };
        if (
          socket.protocol === PROTOCOL_V2 &&
          item.eventName !== undefined &&
          socket.acceptsEvent &&
          !socket.acceptsEvent(channel, item.eventName)
        ) {
          continue;
        }
        const frame = deliveredFrame(item);
        socket.sendPast(Buffer.from(socket.protocol === PROTOCOL_V2 ? v2Frame(frame) : v1Frame(frame)));
        replayed++;
      }
      ctx.metrics.increment('history_replayed_messages_total', labels, replayed);
      ctx.metrics.increment('ws_messages_sent_total', labels, replayed);
      ctx.metrics.increment('history_recovery_success_total', { ...labels, source: outcome.source });
      recovered.push({ channel, source: outcome.source, replayed, position: last });
    }
    socket.send(eventFrame(RESUME_SUCCESS_EVENT, JSON.stringify({ recovered, failed })));
  } finally {
    // What was held goes out now, in serial order, without what the replay already delivered.
    for (const channel of [...(positions instanceof Map ? positions.keys() : [])]) {
      if (!gate.isHeld(channel)) continue;
      for (const payload of gate.release(channel, replayedUpTo.get(channel))) socket.sendPast(payload);
    }
    if (!gate.holding) socket.dropReplayGate();
  }
}

function reportFailure(
  socket: ResumeSocket,
  ctx: EngineContext,
  channel: string,
  position: ResumePosition,
  failure: ReplayFailure,
  failed: unknown[],
): void {
  const details = {
    code: failure.code,
    reason: failure.reason,
    expected_stream_id: position.streamId ?? null,
    current_stream_id: failure.currentStreamId ?? null,
    oldest_available_serial: failure.oldestSerial ?? null,
    newest_available_serial: failure.newestSerial ?? null,
  };
  socket.send(eventFrame(RESUME_FAILED_EVENT, JSON.stringify(details), channel));
  ctx.metrics.increment('history_recovery_failures_total', {
    ...appLabels(socket.app.id),
    code: failure.code,
  });
  failed.push({ channel, ...details });
}
