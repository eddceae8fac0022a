// S1's check: every subscriber must receive exactly the events sent to its channel, each once.
// Each event goes to one channel, so the ledger keeps one slot per event id (the channel it was sent to
// and how often it arrived) instead of a set per subscriber: two typed arrays, no allocation per delivery.

/** What the ledger found; `lost`, `duplicated`, `misrouted` and `unknown` must all be 0. */
export interface LedgerSummary {
  /** Events sent (each to one channel with one subscriber, so also the deliveries expected). */
  expected: number;
  /** Deliveries that arrived, duplicates included. */
  received: number;
  /** Events that never arrived at their subscriber. */
  lost: number;
  /** Deliveries beyond the first of an event at its subscriber. */
  duplicated: number;
  /** Deliveries at a subscriber of another channel than the event was sent to. */
  misrouted: number;
  /** Deliveries of an id that was never sent. */
  unknown: number;
}

const NOT_SENT = -1;
const MAX_COUNT = 255;

/** Event ids are 0, 1, 2, … in the order the events are sent; channels are numbered too. */
export class DeliveryLedger {
  private channelOf: Int32Array;
  private seen: Uint8Array;
  private sent = 0;
  private received = 0;
  private duplicated = 0;
  private misrouted = 0;
  private unknown = 0;

  /** `capacity` is how many events are expected in all; the ledger grows past it if need be. */
  constructor(capacity = 1024) {
    this.channelOf = new Int32Array(Math.max(1, capacity)).fill(NOT_SENT);
    this.seen = new Uint8Array(this.channelOf.length);
  }

  /** Records that event `id` is being sent to `channel`; call it before the event can arrive. */
  expect(id: number, channel: number): void {
    if (!Number.isInteger(id) || id < 0)
      throw new RangeError(`event id must be a non-negative integer: ${id}`);
    if (id >= this.channelOf.length) this.grow(id + 1);
    if (this.channelOf[id] !== NOT_SENT) throw new RangeError(`event id ${id} was already sent`);
    this.channelOf[id] = channel;
    this.sent++;
  }

  /** Records that the subscriber of `channel` received event `id`. */
  receive(id: number, channel: number): void {
    this.received++;
    const sentTo =
      Number.isInteger(id) && id >= 0 && id < this.channelOf.length ? this.channelOf[id]! : NOT_SENT;
    if (sentTo === NOT_SENT) {
      this.unknown++;
    } else if (sentTo !== channel) {
      this.misrouted++;
    } else {
      const count = this.seen[id]!;
      if (count > 0) this.duplicated++;
      if (count < MAX_COUNT) this.seen[id] = count + 1;
    }
  }

  /** Deliveries so far, duplicates included. */
  get receivedCount(): number {
    return this.received;
  }

  /** Events sent so far. */
  get expectedCount(): number {
    return this.sent;
  }

  /** True once every sent event arrived at least once (or more arrived than were sent). */
  caughtUp(): boolean {
    return this.received - this.duplicated - this.misrouted - this.unknown >= this.sent;
  }

  /** The counts; `lost` is computed by scanning every sent id, so call it once, at the end. */
  summary(): LedgerSummary {
    let lost = 0;
    for (let id = 0; id < this.channelOf.length; id++) {
      if (this.channelOf[id] !== NOT_SENT && this.seen[id] === 0) lost++;
    }
    return {
      expected: this.sent,
      received: this.received,
      lost,
      duplicated: this.duplicated,
      misrouted: this.misrouted,
      unknown: this.unknown,
    };
  }

  private grow(minimum: number): void {
    const length = Math.max(minimum, this.channelOf.length * 2);
    const channelOf = new Int32Array(length).fill(NOT_SENT);
    channelOf.set(this.channelOf);
    const seen = new Uint8Array(length);
    seen.set(this.seen);
    this.channelOf = channelOf;
    this.seen = seen;
  }
}
