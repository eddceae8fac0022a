// `pusher:signin`: verifies the user signature, indexes the socket under its user (for `sendToUser`
// and `terminate_connections`) and starts the user's watchlist.

import { ErrorCode, PusherEvent, verifyUserAuth } from '@sockudo/protocol';
import type { EngineContext } from '../engine/engine-context.js';
import { MAX_WATCHLIST_SIZE, watchlistFrame } from '../engine/watchlist.js';
import { isRecord } from '../util/raw-record.js';
import { eventFrame } from '../wire/frames.js';
import type { SessionSocket } from './session-socket.js';

/** Handles `pusher:signin`. A failure is a non-fatal `pusher:error` 4009; the socket stays open. */
export async function signin(conn: SessionSocket, ctx: EngineContext, data: unknown): Promise<void> {
  const request = isRecord(data) ? data : {};
  const userData = request.user_data;
  if (typeof userData !== 'string') {
    conn.sendError(ErrorCode.Unauthorized, 'pusher:signin needs user_data as a JSON-encoded string');
    return;
  }
  if (!verifyUserAuth(conn.app.key, conn.app.secret, conn.id, userData, request.auth)) {
    conn.sendError(
      ErrorCode.Unauthorized,
      'Invalid signature: expected HMAC SHA256 hex digest of socket_id::user::user_data',
    );
    return;
  }
  let user: unknown;
  try {
    user = JSON.parse(userData);
  } catch {
    conn.sendError(ErrorCode.Unauthorized, 'user_data is not valid JSON');
    return;
  }
  if (!isRecord(user) || typeof user.id !== 'string' || user.id === '') {
    conn.sendError(ErrorCode.Unauthorized, 'user_data.id must be a non-empty string');
    return;
  }
  if (conn.userId !== undefined && conn.userId !== user.id) {
    conn.sendError(ErrorCode.Unauthorized, 'This connection is already signed in as another user');
    return;
  }
  if (conn.isClosed) return;
  const firstSignin = conn.userId === undefined;
  conn.signedIn(user.id);
  if (!firstSignin) {
    conn.send(eventFrame(PusherEvent.SigninSuccess, { user_data: userData }));
    return;
  }

  // signin_success only once the adapter holds the user (in a cluster: the node's broker subscription
  // to the user is confirmed), so a sendToUser triggered right after it reaches this socket.
  const { online } = await ctx.adapter.addUser(conn);
  conn.send(eventFrame(PusherEvent.SigninSuccess, { user_data: userData }));
  if (!conn.app.enableWatchlistEvents) return;
  if (online) ctx.watchlist.notify(conn.appId, user.id, 'online');

  const requested = Array.isArray(user.watchlist)
    ? user.watchlist.filter((id) => typeof id === 'string')
    : [];
  const watchlist = [...new Set(requested as string[])].slice(0, MAX_WATCHLIST_SIZE);
  if (requested.length > MAX_WATCHLIST_SIZE) {
    conn.sendError(
      ErrorCode.WatchlistLimitExceeded,
      `Watchlist limit exceeded: only the first ${MAX_WATCHLIST_SIZE} user ids are watched`,
    );
  }
  if (watchlist.length === 0) return;
  conn.watchlist = watchlist;
  ctx.watchlist.watch(conn, watchlist);
  const onlineNow = await ctx.adapter.onlineUsers(conn.appId, watchlist);
  conn.send(
    watchlistFrame(
      watchlist.filter((id) => onlineNow.has(id)),
      watchlist.filter((id) => !onlineNow.has(id)),
    ),
  );
}

/** Undoes sign-in state when a signed-in socket closes. */
export async function signout(conn: SessionSocket, ctx: EngineContext): Promise<void> {
  if (conn.watchlist.length > 0) ctx.watchlist.unwatch(conn, conn.watchlist);
  if (conn.userId === undefined) return;
  const { offline } = await ctx.adapter.removeUser(conn);
  if (offline && conn.app.enableWatchlistEvents) ctx.watchlist.notify(conn.appId, conn.userId, 'offline');
}
