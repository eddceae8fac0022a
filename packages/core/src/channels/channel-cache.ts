// Cache channels keep their last event: the HTTP API stores it under this key when it publishes, and a
// new subscriber gets it replayed (or `pusher:cache_miss` and a `cache_miss` webhook when there is none).

import { PusherEvent } from '@sockudo/protocol';
import type { EngineContext } from '../engine/engine-context.js';
import { eventFrame } from '../wire/frames.js';
import type { Subscriber } from './subscriber.js';

/** The cache key of a cache channel's last event (Rust Sockudo's layout). */
export function channelCacheKey(appId: string, channel: string): string {
  return `app:${appId}:channel:${channel}:cache_miss`;
}

/** Sends a new subscriber of a cache channel its last event, or a cache miss. */
export async function replayCache(conn: Subscriber, ctx: EngineContext, channel: string): Promise<void> {
  const cached = await ctx.cache.get(channelCacheKey(conn.appId, channel));
  if (cached !== undefined) {
    conn.send(cached);
    return;
  }
  conn.send(eventFrame(PusherEvent.CacheMiss, undefined, channel));
  ctx.webhooks.emit(conn.app, { name: 'cache_miss', channel });
}
