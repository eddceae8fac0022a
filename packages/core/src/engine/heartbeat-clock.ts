// A coarse clock for every connection's timeouts (activity, pong, sign-in): one shared interval
// advances it and sweeps the connections, instead of a timer per connection. A connection notes the
// tick of its last inbound activity, a small integer that costs nothing to store.

export class HeartbeatClock {
  /** Ticks since the server started. */
  tick = 0;
  /** Milliseconds per tick: a quarter of the shortest timeout, between 25 ms and 1 s. */
  readonly tickMs: number;

  constructor(timeoutsMs: readonly number[]) {
    const shortest = Math.min(...timeoutsMs.filter((ms) => ms > 0));
    this.tickMs = Number.isFinite(shortest) ? Math.min(1000, Math.max(25, Math.floor(shortest / 4))) : 1000;
  }

  /** Whole ticks in `ms`; a deadline is passed once more than this many ticks have gone by. */
  ticksIn(ms: number): number {
    return Math.max(1, Math.round(ms / this.tickMs));
  }
}
