// Subscribe and unsubscribe per channel type: which signature each type needs, what the joining socket
// receives, and what the other subscribers are told. Presence is counted per user, not per socket.

import {
  classifyChannel,
  ErrorCode,
  isServerToUserChannel,
  PROTOCOL_V2,
  PusherEvent,
  userIdFromServerToUserChannel,
  validateChannelName,
  verifyChannelAuth,
} from '@sockudo/protocol';
import type { PresenceMember } from '../adapter/adapter.js';
import type { EngineContext } from '../engine/engine-context.js';
import { parseRewind, type RewindSocket, rewindChannel } from '../history/rewind.js';
import { isRecord } from '../util/raw-record.js';
import type { TagPredicate } from '../wire/frame-tags.js';
import { channelEventFrame, eventFrame } from '../wire/frames.js';
import { replayCache } from './channel-cache.js';
import { eventNameFilter, INVALID_FILTER_CODE } from './event-name-filter.js';
import type { Subscriber } from './subscriber.js';
import { subscriptionTagFilter } from './tag-filter.js';

const MAX_USER_ID_LENGTH = 128;

/**
 * Refuses a subscription. pusher-js and Laravel Echo surface `pusher:subscription_error` on the channel
 * (Echo's `.error()` callback); Pusher itself reports with `pusher:error`. Both are sent so either kind
 * of client sees why, and the socket stays open.
 */
function reject(
  conn: Subscriber,
  channel: string | undefined,
  code: number,
  message: string,
  status = 401,
): void {
  if (channel !== undefined) {
    conn.send(
      eventFrame(PusherEvent.SubscriptionError, { type: 'AuthError', error: message, status }, channel),
    );
  }
  conn.sendError(code, message, channel);
}

/** Parses and checks presence `channel_data`; returns the member or a rejection message. */
function presenceMember(conn: Subscriber, channelData: unknown): PresenceMember | string {
  if (typeof channelData !== 'string') return 'Presence channels need channel_data';
  let parsed: unknown;
  try {
    parsed = JSON.parse(channelData);
  } catch {
    return 'channel_data is not valid JSON';
  }
  if (!isRecord(parsed)) return 'channel_data must be a JSON object';
  const rawId = parsed.user_id;
  if ((typeof rawId !== 'string' && typeof rawId !== 'number') || rawId === '') {
    return 'channel_data.user_id must be a non-empty string or number';
  }
  const userId = String(rawId);
  if (userId.length > MAX_USER_ID_LENGTH) return `user_id is longer than ${MAX_USER_ID_LENGTH} characters`;
  const userInfo = parsed.user_info ?? {};
  const limit = conn.app.maxPresenceMemberSizeInKb * 1024;
  if (Buffer.byteLength(JSON.stringify(userInfo)) > limit) {
    return `user_info is larger than ${conn.app.maxPresenceMemberSizeInKb} KB`;
  }
  return { userId, userInfo };
}

/** Handles `pusher:subscribe`. */
export async function subscribe(conn: Subscriber, ctx: EngineContext, data: unknown): Promise<void> {
  const request = isRecord(data) ? data : {};
  const channel = request.channel;
  if (typeof channel !== 'string') {
    conn.sendError(ErrorCode.GenericError, 'pusher:subscribe needs data.channel');
    return;
  }
  // V2 only: a Pusher socket's subscribe data is read as Pusher defines it.
  let events: ReadonlySet<string> | undefined;
  let tags: TagPredicate | undefined;
  if (conn.protocol === PROTOCOL_V2) {
    const filter = eventNameFilter(request, ctx.extensions.eventNameFiltering);
    if ('error' in filter) {
      conn.sendError(INVALID_FILTER_CODE, filter.error);
      return;
    }
    events = filter.events;
    // Checked even while tag filtering is off, as Rust Sockudo does; applied only while it is on.
    const tagFilter = subscriptionTagFilter(request, events !== undefined);
    if ('error' in tagFilter) {
      conn.sendError(INVALID_FILTER_CODE, tagFilter.error);
      return;
    }
    if (ctx.extensions.tagFiltering.enabled) tags = tagFilter.predicate;
  }
  if (isServerToUserChannel(channel)) {
    // pusher-js subscribes here after sign-in; delivery goes through the user index, not the channel.
    if (conn.userId === undefined || userIdFromServerToUserChannel(channel) !== conn.userId) {
      reject(conn, channel, ErrorCode.Unauthorized, `Only the signed-in user may subscribe to ${channel}`);
    } else {
      conn.send(eventFrame(PusherEvent.SubscriptionSucceeded, {}, channel));
    }
    return;
  }
  const invalid = validateChannelName(channel, conn.app.maxChannelNameLength);
  if (invalid) {
    reject(conn, channel, ErrorCode.GenericError, invalid, 400);
    return;
  }
  if (conn.channels.has(channel)) {
    conn.sendError(null, `Existing subscription to channel ${channel}`, channel);
    return;
  }
  const rewind = conn.replayGate ? parseRewind(request.rewind) : undefined;
  if (rewind && 'error' in rewind) {
    conn.sendError(ErrorCode.GenericError, rewind.error, channel);
    return;
  }
  const info = classifyChannel(channel);
  let member: PresenceMember | undefined;
  if (info.requiresAuth) {
    const channelData = info.type === 'presence' ? request.channel_data : undefined;
    if (channelData !== undefined && typeof channelData !== 'string') {
      reject(conn, channel, ErrorCode.Unauthorized, 'channel_data must be a JSON-encoded string');
      return;
    }
    const { key, secret } = conn.app;
    if (!verifyChannelAuth(key, secret, conn.id, channel, request.auth, channelData as string | undefined)) {
      reject(
        conn,
        channel,
        ErrorCode.Unauthorized,
        typeof request.auth === 'string'
          ? `Invalid signature for channel ${channel}: expected HMAC SHA256 hex digest of socket_id:channel${info.type === 'presence' ? ':channel_data' : ''}`
          : `Missing auth for channel ${channel}`,
      );
      return;
    }
    if (info.type === 'presence') {
      const parsed = presenceMember(conn, channelData);
      if (typeof parsed === 'string') {
        reject(conn, channel, ErrorCode.Unauthorized, parsed, 400);
        return;
      }
      member = parsed;
      const max = conn.app.maxPresenceMembersPerChannel;
      if (max > 0 && !(await ctx.adapter.isPresenceMember(conn.appId, channel, member.userId))) {
        const members = await ctx.adapter.getPresenceMembers(conn.appId, channel);
        if (members.size >= max) {
          reject(
            conn,
            channel,
            ErrorCode.OverCapacity,
            `Presence channel ${channel} is full (${max} members)`,
            403,
          );
          return;
        }
      }
    }
  }
  if (conn.isClosed) return;

  conn.channels.set(channel, member?.userId);
  // Before the join, so no event published after it reaches the socket unfiltered.
  if (events) conn.filterEvents?.(channel, events);
  if (tags) conn.filterTags?.(channel, tags);
  if (request.delta !== undefined) conn.subscriptionDelta?.(channel, request.delta);
  // A rewind holds the channel's live messages from the join until the history is out (history/).
  if (rewind) conn.replayGate!().hold(channel);
  const joined = await ctx.adapter.join(conn, channel, member);
  const { app } = conn;
  ctx.metrics.increment('channel_subscriptions_total', { appId: conn.appId, type: info.type });
  if (joined.channelOccupied) ctx.webhooks.emit(app, { name: 'channel_occupied', channel });
  if (joined.memberAdded) ctx.webhooks.emit(app, { name: 'member_added', channel, user_id: member!.userId });
  if (info.type !== 'presence') {
    ctx.webhooks.emit(app, {
      name: 'subscription_count',
      channel,
      subscription_count: joined.subscriptionCount,
    });
  }

  if (member) {
    const members = await ctx.adapter.getPresenceMembers(conn.appId, channel);
    const hash = Object.fromEntries(members);
    conn.send(
      eventFrame(
        PusherEvent.SubscriptionSucceeded,
        { presence: { ids: [...members.keys()], hash, count: members.size } },
        channel,
      ),
    );
    if (joined.memberAdded) {
      const added = JSON.stringify({ user_id: member.userId, user_info: member.userInfo });
      await ctx.adapter.broadcast(
        conn.appId,
        channel,
        channelEventFrame(PusherEvent.MemberAdded, channel, added),
        conn.id,
      );
    }
  } else {
    conn.send(eventFrame(PusherEvent.SubscriptionSucceeded, {}, channel));
  }
  if (info.cache) await replayCache(conn, ctx, channel);
  if (rewind) await rewindChannel(conn as Subscriber & RewindSocket, ctx, channel, rewind);
}

/** Handles `pusher:unsubscribe`, and every channel of a closing socket. */
export async function unsubscribe(conn: Subscriber, ctx: EngineContext, data: unknown): Promise<void> {
  const channel = isRecord(data) ? data.channel : undefined;
  if (typeof channel !== 'string' || !conn.channels.has(channel)) return;
  const userId = conn.channels.get(channel);
  conn.channels.delete(channel);
  conn.filterEvents?.(channel, undefined);
  conn.filterTags?.(channel, undefined);
  conn.delta?.forget(channel);
  const left = await ctx.adapter.leave(conn, channel, userId);
  if (!left.left) return;
  const { app } = conn;
  ctx.metrics.increment('channel_unsubscriptions_total', { appId: conn.appId });
  if (left.memberRemoved) {
    const removed = JSON.stringify({ user_id: left.memberRemoved.userId });
    await ctx.adapter.broadcast(
      conn.appId,
      channel,
      channelEventFrame(PusherEvent.MemberRemoved, channel, removed),
    );
    ctx.webhooks.emit(app, { name: 'member_removed', channel, user_id: left.memberRemoved.userId });
  }
  if (left.channelVacated) ctx.webhooks.emit(app, { name: 'channel_vacated', channel });
  else if (userId === undefined) {
    ctx.webhooks.emit(app, {
      name: 'subscription_count',
      channel,
      subscription_count: left.subscriptionCount,
    });
  }
}
