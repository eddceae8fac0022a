// Reads what a resuming client missed on one channel: every retained message after its position, up
// to the head of the channel as it was when the resume began, checked for continuity page by page.
// Each way it can fail is one of Rust Sockudo's codes and reasons (recovery.rs), so clients can tell
// "history reset" from "too far behind" from "the store is down".

import type { EngineContext } from '../engine/engine-context.js';
import type { HistoryBounds, HistoryItem, HistoryPosition, HistoryStreamState } from '../spec/v1/index.js';
import { HistoryCursorExpiredError } from '../util/errors.js';
import type { ChannelPolicy } from './channel-policy.js';

/** A channel's position as the client sent it. */
export interface ResumePosition {
  serial: number;
  streamId: string | undefined;
  lastMessageId: string | undefined;
  /** From legacy `channel_serials`: no stream id to check continuity against. */
  legacy: boolean;
}

/** Why a channel could not be recovered, as `pusher:resume_failed` reports it. */
export interface ReplayFailure {
  code: 'stream_reset' | 'position_expired' | 'persistence_unavailable' | 'continuity_unverifiable';
  reason: string;
  currentStreamId?: string | undefined;
  oldestSerial?: number | undefined;
  newestSerial?: number | undefined;
}

/** The missed messages, in order, and where the replay ends. */
export interface Replay {
  items: HistoryItem[];
  /** `cold` for a channel with durable history, `hot` for connection recovery's short buffer. */
  source: 'cold' | 'hot';
  /** The head the replay went up to: live messages up to it are duplicates. */
  upTo: number;
  streamId: string | undefined;
}

function failure(
  code: ReplayFailure['code'],
  reason: string,
  state?: Pick<HistoryStreamState, 'streamId' | 'oldestSerial' | 'newestSerial'>,
): { failure: ReplayFailure } {
  return {
    failure: {
      code,
      reason,
      currentStreamId: state?.streamId,
      oldestSerial: state?.oldestSerial,
      newestSerial: state?.newestSerial,
    },
  };
}

/**
 * Whether retention already dropped part of what `bounds` ask for: Rust Sockudo's
 * `truncated_by_retention` (a start bound below the oldest retained message, or no start bound while
 * serial 1 is gone).
 */
export function truncatedByRetention(bounds: HistoryBounds, state: HistoryStreamState): boolean {
  if (state.oldestSerial === undefined) return false;
  if (bounds.startSerial !== undefined) return bounds.startSerial < state.oldestSerial;
  if (bounds.startTimeMs !== undefined)
    return state.oldestSerial > 1 && bounds.startTimeMs < (state.oldestPublishedAtMs ?? 0);
  return state.oldestSerial > 1;
}

/** Checks the channel's head against the position; undefined when a replay can go ahead. */
function checkHead(
  state: HistoryStreamState,
  position: ResumePosition,
  maxReplay: number,
): { failure: ReplayFailure } | undefined {
  const { serial } = position;
  if (state.streamId !== position.streamId)
    return failure('stream_reset', 'durable_stream_id_mismatch', state);
  const { newestSerial, oldestSerial, nextSerial } = state;
  if (newestSerial !== undefined && serial > newestSerial) {
    return failure('continuity_unverifiable', 'position_ahead_of_durable_stream', state);
  }
  if (newestSerial === undefined) {
    if (nextSerial === undefined) {
      return failure('continuity_unverifiable', 'durable_stream_head_unavailable', {
        streamId: state.streamId,
        oldestSerial: undefined,
        newestSerial: undefined,
      });
    }
    if (serial + 1 < nextSerial) {
      return failure('position_expired', 'durable_history_empty_after_prior_writes', {
        streamId: state.streamId,
        oldestSerial: undefined,
        newestSerial: undefined,
      });
    }
    if (serial + 1 > nextSerial) {
      return failure('continuity_unverifiable', 'position_ahead_of_durable_stream', {
        streamId: state.streamId,
        oldestSerial: undefined,
        newestSerial: undefined,
      });
    }
    return undefined;
  }
  if (oldestSerial !== undefined && serial + 1 < oldestSerial) {
    return failure('position_expired', 'retained_history_floor_is_ahead_of_requested_serial', state);
  }
  if (newestSerial - serial > maxReplay)
    return failure('position_expired', 'recovery_window_exceeded', state);
  return undefined;
}

/** What `position` missed on `channel`, or why that cannot be told. */
export async function readMissed(
  ctx: EngineContext,
  appId: string,
  channel: string,
  position: ResumePosition,
  policy: ChannelPolicy,
): Promise<Replay | { failure: ReplayFailure }> {
  const source = policy.history ? 'cold' : 'hot';
  if (!policy.history && !policy.recovery) {
    return failure('position_expired', 'hot_replay_expired_and_durable_history_disabled');
  }
  if (position.legacy && policy.history) {
    return failure('continuity_unverifiable', 'legacy_serial_only_position_cannot_use_cold_recovery');
  }
  let state: HistoryStreamState;
  try {
    state = await ctx.history.state(appId, channel);
  } catch {
    return failure('persistence_unavailable', 'durable_history_state_unavailable');
  }
  // A legacy serial has no stream id: the short buffer takes the channel's current stream as its own.
  const expected: ResumePosition = position.legacy ? { ...position, streamId: state.streamId } : position;
  const refused = checkHead(state, expected, policy.maxReplay);
  if (refused) return refused;
  const head = state.newestSerial ?? position.serial;
  const items: HistoryItem[] = [];
  if (head === position.serial) return { items, source, upTo: head, streamId: state.streamId };
  const bounds = { startSerial: position.serial + 1, endSerial: head };
  let cursor: HistoryPosition | undefined;
  let expectedSerial = position.serial + 1;
  for (;;) {
    let page: Awaited<ReturnType<typeof ctx.history.readPage>>;
    try {
      page = await ctx.history.readPage({
        appId,
        channel,
        direction: 'oldest_first',
        limit: policy.maxPageSize,
        cursor,
        bounds,
      });
    } catch (error) {
      if (!HistoryCursorExpiredError.isInstance(error)) {
        return failure('persistence_unavailable', 'durable_history_read_failed');
      }
      const now = await ctx.history.state(appId, channel).catch(() => undefined);
      return now !== undefined && now.streamId !== expected.streamId
        ? failure('stream_reset', 'durable_stream_changed_during_reconnect', now)
        : failure('position_expired', 'retention_boundary_crossed_during_reconnect', now);
    }
    if (page.state.streamId !== expected.streamId) {
      return failure(
        'stream_reset',
        cursor === undefined ? 'durable_stream_id_mismatch' : 'durable_stream_changed_during_reconnect',
        page.state,
      );
    }
    for (const item of page.items) {
      if (item.streamId !== expected.streamId) {
        return failure('continuity_unverifiable', 'durable_history_item_stream_mismatch', page.state);
      }
      if (item.serial !== expectedSerial || item.serial > head) {
        // The first page starting past the position means the floor moved up meanwhile.
        return expectedSerial === position.serial + 1 && item.serial > expectedSerial
          ? failure('position_expired', 'retained_history_floor_is_ahead_of_requested_serial', page.state)
          : failure('continuity_unverifiable', 'durable_history_is_not_contiguous', page.state);
      }
      expectedSerial++;
      // The client holds this message already (Rust Sockudo's duplicate suppression).
      if (position.lastMessageId !== undefined && item.messageId === position.lastMessageId) continue;
      items.push(item);
    }
    if (!page.hasMore) {
      if (expectedSerial <= head) {
        return failure(
          expectedSerial === position.serial + 1 ? 'position_expired' : 'continuity_unverifiable',
          expectedSerial === position.serial + 1
            ? 'retained_history_floor_is_ahead_of_requested_serial'
            : 'durable_history_ended_before_stream_head',
          page.state,
        );
      }
      return { items, source, upTo: head, streamId: state.streamId };
    }
    if (page.nextCursor === undefined || page.items.length === 0) {
      return failure('continuity_unverifiable', 'durable_history_cursor_did_not_advance', page.state);
    }
    cursor = page.nextCursor;
  }
}
