// One interval for every connection's timeouts: each tick advances the shared clock and asks each
// connection whether a deadline passed (ping an idle socket, close one that missed its pong or did not
// sign in in time). Walking 100k connections is well under a millisecond; 100k timers are not free.

import type { SocketHandle } from '../adapter/adapter.js';
import type { EngineContext } from '../engine/engine-context.js';

/** What the sweep asks of a connection. */
export interface Heartbeat {
  heartbeat(now: number, idleTicks: number, pongTicks: number): void;
}

function hasHeartbeat(socket: SocketHandle): socket is SocketHandle & Heartbeat {
  return typeof (socket as Partial<Heartbeat>).heartbeat === 'function';
}

/** Starts the sweep; returns its stop function. */
export function startHeartbeatSweep(ctx: EngineContext): () => void {
  const { clock } = ctx;
  const idleTicks = clock.ticksIn(ctx.activityTimeout * 1000);
  const pongTicks = clock.ticksIn(ctx.pongTimeoutMs);
  const timer = setInterval(() => {
    const now = ++clock.tick;
    for (const socket of ctx.adapter.localSockets()) {
      if (hasHeartbeat(socket)) socket.heartbeat(now, idleTicks, pongTicks);
    }
  }, clock.tickMs);
  timer.unref();
  return () => clearInterval(timer);
}
