// Rewind on subscribe (`rewind` in the subscribe data, Rust Sockudo's `SubscriptionRewind`): the
// channel's last N messages, or those of the last N seconds, sent right after
// `subscription_succeeded` and before any live message, then `sockudo:rewind_complete`.

import { PROTOCOL_V2 } from '@sockudo/protocol';
import type { App } from '../apps/app.js';
import type { EngineContext } from '../engine/engine-context.js';
import type { HistoryBounds, HistoryItem, HistoryPosition } from '../spec/v1/index.js';
import { isRecord } from '../util/raw-record.js';
import { v1Frame, v2Frame } from '../wire/v2-frames.js';
import { channelPolicy } from './channel-policy.js';
import { deliveredFrame } from './history-publisher.js';
import type { ReplayGate } from './replay-gate.js';
import { truncatedByRetention } from './replay-reader.js';

/** How far back a subscription asks to start. */
export type Rewind = { count: number } | { seconds: number };

/** `pusher:error` code of a rewind the channel's policy does not allow (Rust Sockudo's `Error::Channel`). */
export const REWIND_REFUSED_CODE = 4300;

/** What a rewind needs of a socket (the session's Connection). */
export interface RewindSocket {
  readonly app: App;
  readonly protocol?: number;
  replayGate(): ReplayGate;
  dropReplayGate(): void;
  send(frame: string): void;
  sendPast(payload: Buffer): void;
  sendError(code: number | null, message: string, channel?: string): void;
  acceptsEvent?(channel: string, event: string): boolean;
}

const positive = (value: unknown): number | undefined => {
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  return typeof n === 'number' && Number.isSafeInteger(n) && n > 0 ? n : undefined;
};

/** The subscribe data's `rewind`: a count (`5`, `"5"`, `{count}`), seconds (`{seconds}`, `{duration_seconds}`). */
export function parseRewind(raw: unknown): Rewind | undefined | { error: string } {
  if (raw === undefined || raw === null) return undefined;
  const count = positive(raw);
  if (count !== undefined) return { count };
  if (isRecord(raw)) {
    const byCount = positive(raw.count);
    if (byCount !== undefined) return { count: byCount };
    const seconds = positive(raw.seconds) ?? positive(raw.duration_seconds);
    if (seconds !== undefined) return { seconds };
  }
  return { error: 'Invalid rewind option in subscription data' };
}

/** Sends the rewind of `channel` (whose live messages the gate holds since before the join). */
export async function rewindChannel(
  socket: RewindSocket,
  ctx: EngineContext,
  channel: string,
  rewind: Rewind,
): Promise<void> {
  const gate = socket.replayGate();
  try {
    const policy = channelPolicy(ctx, socket.app, channel);
    if (!policy.rewind) {
      socket.sendError(
        REWIND_REFUSED_CODE,
        `Channel rewind is disabled by policy for channel '${channel}'`,
        channel,
      );
      return;
    }
    const max = policy.maxPageSize;
    const wanted = 'count' in rewind ? rewind.count : Number.POSITIVE_INFINITY;
    const desired = Math.min(wanted, max);
    const scanLimit = Math.max(max * 16, desired);
    const bounds: HistoryBounds =
      'seconds' in rewind ? { startTimeMs: Date.now() - rewind.seconds * 1000 } : {};
    const direction = 'count' in rewind ? 'newest_first' : 'oldest_first';
    const v2 = socket.protocol === PROTOCOL_V2;
    const selected: HistoryItem[] = [];
    let scanned = 0;
    let head: { streamId: string | undefined; serial: number } | undefined;
    let truncatedRetention = false;
    let sourceHasMore = false;
    let cursor: HistoryPosition | undefined;
    for (;;) {
      const page = await ctx.history.readPage({
        appId: socket.app.id,
        channel,
        direction,
        limit: Math.min(desired, max),
        cursor,
        bounds,
      });
      if (head === undefined && page.state.newestSerial !== undefined) {
        head = { streamId: page.state.streamId, serial: page.state.newestSerial };
      }
      truncatedRetention ||= truncatedByRetention(bounds, page.state);
      for (const item of page.items) {
        scanned++;
        const allowed =
          !v2 ||
          item.eventName === undefined ||
          !socket.acceptsEvent ||
          socket.acceptsEvent(channel, item.eventName);
        if (allowed) selected.push(item);
        if (selected.length === desired || scanned === scanLimit) break;
      }
      sourceHasMore = page.hasMore;
      if (selected.length === desired || scanned === scanLimit || !page.hasMore || !page.nextCursor) break;
      cursor = page.nextCursor;
    }
    if ('count' in rewind) selected.reverse();
    for (const item of selected) {
      const frame = deliveredFrame(item);
      socket.sendPast(Buffer.from(v2 ? v2Frame(frame) : v1Frame(frame)));
    }
    const live = gate.release(channel, head);
    for (const payload of live) socket.sendPast(payload);
    const truncatedLimit =
      wanted > max || (sourceHasMore && (selected.length === desired || scanned === scanLimit));
    ctx.metrics.increment('history_replayed_messages_total', { appId: socket.app.id }, selected.length);
    socket.send(
      JSON.stringify({
        event: 'sockudo:rewind_complete',
        channel,
        data: {
          historical_count: selected.length,
          live_count: live.length,
          complete: !truncatedRetention && !truncatedLimit,
          truncated_by_retention: truncatedRetention,
          truncated_by_limit: truncatedLimit,
        },
      }),
    );
  } catch (error) {
    ctx.logger.error('rewind failed', { appId: socket.app.id, channel, error: String(error) });
    socket.sendError(REWIND_REFUSED_CODE, `Channel rewind failed for channel '${channel}'`, channel);
  } finally {
    if (gate.isHeld(channel)) for (const payload of gate.release(channel)) socket.sendPast(payload);
    if (!gate.holding) socket.dropReplayGate();
  }
}
