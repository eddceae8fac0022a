// Watchlists: which local connections watch which users, so a user's first sign-in and last sign-out
// reach exactly the sockets that listed them.

import { PusherEvent } from '@sockudo/protocol';
import type { SocketHandle } from '../adapter/adapter.js';
import { appLabels } from '../metrics/metric-labels.js';
import { noopMetrics } from '../metrics/noop-metrics.js';
import type { MetricsV1 } from '../spec/v1/index.js';
import { eventFrame } from '../wire/frames.js';

/** Pusher accepts at most this many ids in a watchlist; the rest are ignored with error 4302. */
export const MAX_WATCHLIST_SIZE = 100;

/** `pusher_internal:watchlist_events` with one entry per non-empty list. */
export function watchlistFrame(online: string[], offline: string[]): string {
  const events: Array<{ name: 'online' | 'offline'; user_ids: string[] }> = [];
  if (online.length > 0) events.push({ name: 'online', user_ids: online });
  if (offline.length > 0) events.push({ name: 'offline', user_ids: offline });
  return eventFrame(PusherEvent.WatchlistEvents, { events });
}

/** Per app: watched user id → the local sockets watching that user. */
export class WatchlistRegistry {
  private readonly watchers = new Map<string, Map<string, Set<SocketHandle>>>();

  /** `metrics` counts each notification's frames once, as a fan-out. */
  constructor(private readonly metrics: MetricsV1 = noopMetrics) {}

  watch(socket: SocketHandle, userIds: readonly string[]): void {
    let app = this.watchers.get(socket.appId);
    if (!app) {
      app = new Map();
      this.watchers.set(socket.appId, app);
    }
    for (const id of userIds) {
      let set = app.get(id);
      if (!set) {
        set = new Set();
        app.set(id, set);
      }
      set.add(socket);
    }
  }

  unwatch(socket: SocketHandle, userIds: readonly string[]): void {
    const app = this.watchers.get(socket.appId);
    if (!app) return;
    for (const id of userIds) {
      const set = app.get(id);
      if (set?.delete(socket) && set.size === 0) app.delete(id);
    }
    if (app.size === 0) this.watchers.delete(socket.appId);
  }

  /** Tells every local watcher of `userId` that the user went online or offline. */
  notify(appId: string, userId: string, status: 'online' | 'offline'): void {
    const set = this.watchers.get(appId)?.get(userId);
    if (!set) return;
    const frame = Buffer.from(
      status === 'online' ? watchlistFrame([userId], []) : watchlistFrame([], [userId]),
    );
    for (const socket of set) socket.send(frame);
    const labels = appLabels(appId);
    this.metrics.increment('ws_messages_sent_total', labels, set.size);
    this.metrics.increment('socket_transmitted_bytes', labels, set.size * frame.length);
  }
}
