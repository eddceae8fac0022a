// Holds a socket's live messages of the channels it is resuming, so they reach it after the replay and
// not interleaved with it: what the replay already delivered is dropped, the rest goes out in serial
// order. Only a socket that is resuming has one, so every other send pays a single field check.

/** A held fan-out payload, with what its JSON says of its channel and position. */
interface Held {
  payload: Buffer;
  serial: number | undefined;
  streamId: string | undefined;
}

export class ReplayGate {
  private readonly held = new Map<string, Held[]>();

  /** Starts holding `channel`'s live messages (again, a no-op). */
  hold(channel: string): void {
    if (!this.held.has(channel)) this.held.set(channel, []);
  }

  /** Whether any channel is held. */
  get holding(): boolean {
    return this.held.size > 0;
  }

  isHeld(channel: string): boolean {
    return this.held.has(channel);
  }

  /**
   * Keeps `payload` (a fan-out in the socket's wire form) when its channel is held; returns whether it
   * did. Parsing is paid only while a channel is held.
   */
  offer(payload: Buffer): boolean {
    let message: { channel?: unknown; serial?: unknown; stream_id?: unknown };
    try {
      message = JSON.parse(payload.toString('utf8'));
    } catch {
      return false;
    }
    if (typeof message.channel !== 'string') return false;
    const queue = this.held.get(message.channel);
    if (!queue) return false;
    queue.push({
      payload,
      serial: typeof message.serial === 'number' ? message.serial : undefined,
      streamId: typeof message.stream_id === 'string' ? message.stream_id : undefined,
    });
    return true;
  }

  /** Stops holding every channel; returns what was held, channel by channel, in serial order. */
  releaseAll(): Buffer[] {
    return [...this.held.keys()].flatMap((channel) => this.release(channel));
  }

  /**
   * Stops holding `channel` and returns what was held, in serial order (messages without a serial
   * last, in arrival order), without those the replay delivered: a serial up to `replayedUpTo` of
   * stream `streamId`.
   */
  release(channel: string, replayedUpTo?: { streamId: string | undefined; serial: number }): Buffer[] {
    const queue = this.held.get(channel);
    this.held.delete(channel);
    if (!queue) return [];
    const kept = queue.filter(
      (held) =>
        replayedUpTo === undefined ||
        held.serial === undefined ||
        held.streamId !== replayedUpTo.streamId ||
        held.serial > replayedUpTo.serial,
    );
    // A stable sort: equal keys (no serial) keep their arrival order.
    kept.sort((a, b) => (a.serial ?? Number.MAX_SAFE_INTEGER) - (b.serial ?? Number.MAX_SAFE_INTEGER));
    return kept.map((held) => held.payload);
  }
}
