// What subscribe and unsubscribe need of a socket. The session's Connection implements it; the router
// depends on this shape, never on the Connection class, so the two modules do not import each other.

import type { SocketHandle } from '../adapter/adapter.js';
import type { App } from '../apps/app.js';
import type { RewindSocket } from '../history/rewind.js';
import type { TagPredicate } from '../wire/frame-tags.js';
import type { Subscriptions } from './subscriptions.js';

/** A socket as the channel router sees it: its app, its subscriptions, and a way to report errors. */
export interface Subscriber extends SocketHandle {
  readonly app: App;
  /** Subscribed channels → the presence user id the socket joined with (undefined elsewhere). */
  readonly channels: Subscriptions;
  /** True once the socket is closing or closed; a subscribe that finishes later joins nothing. */
  readonly isClosed: boolean;
  /** Non-fatal protocol error: the socket stays open. */
  sendError(code: number | null, message: string, channel?: string): void;
  /** V2: only `events` (application events) reach this socket on `channel`; undefined lifts the filter. */
  filterEvents?(channel: string, events: ReadonlySet<string> | undefined): void;
  /** V2: only application events whose tags pass `filter` reach this socket on `channel`; undefined lifts it. */
  filterTags?(channel: string, filter: TagPredicate | undefined): void;
  /** V2: the subscribe data's `delta` setting for `channel` (delta compression), applied before the join. */
  subscriptionDelta?(channel: string, setting: unknown): void;
  /** What rewind on subscribe needs (the session's Connection has it). */
  replayGate?: RewindSocket['replayGate'];
  dropReplayGate?: RewindSocket['dropReplayGate'];
  sendPast?: RewindSocket['sendPast'];
}
