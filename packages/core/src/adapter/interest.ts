// Which routing keys this node holds on the broker, and when it takes or drops them. The adapter says
// "I want this key" when a channel or user gets its first local socket and "release it" after the last
// one leaves; the tracker turns that into few broker commands: the wants of one batching window become
// one subscribe, and a released key lingers before it is unsubscribed, so a client that reconnects (or
// a socket that resubscribes) does not churn the broker.

import type { TransportV2 } from '../spec/v2/index.js';
import { withTimeout } from '../util/with-timeout.js';

/** Settings of an {@link InterestTracker}. */
export interface InterestOptions {
  /** How long a released key stays subscribed in case it is wanted again. */
  lingerMs: number;
  /** How long wants are collected into one subscribe; 0 = the rest of this event-loop turn. */
  batchMs: number;
  /** A subscribe the broker has not acknowledged within this long is given up waiting for. */
  subscribeTimeoutMs: number;
  /** Told when a subscribe or unsubscribe failed or timed out (the transport retries after a reconnect). */
  onError(what: 'subscribe' | 'unsubscribe', keys: number, error: unknown): void;
  /** Told the number of keys held whenever it changes. */
  onSize(size: number): void;
}

/** Tracks the keys a {@link TransportV2} is subscribed to on behalf of one HorizontalAdapter. */
export class InterestTracker {
  /** Every key held → settles when the broker acknowledged it (or the wait was given up); never rejects. */
  private readonly keys = new Map<string, Promise<void>>();
  /** Released keys → when they are unsubscribed. The linger is constant, so this is in deadline order. */
  private readonly releasing = new Map<string, number>();
  private batch: Array<{ key: string; done: () => void }> = [];
  private batchTimer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  private sweepTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly transport: TransportV2,
    private readonly options: InterestOptions,
  ) {}

  /** The number of keys held (lingering ones included). */
  get size(): number {
    return this.keys.size;
  }

  /** Whether `key` is held (wanted or lingering). */
  has(key: string): boolean {
    return this.keys.has(key);
  }

  /**
   * Holds `key`; resolves once the broker has acknowledged it, so that anything published to it from
   * then on reaches this node. A key already held resolves with its first subscription.
   */
  want(key: string): Promise<void> {
    const held = this.keys.get(key);
    if (held) {
      this.releasing.delete(key);
      return held;
    }
    let done!: () => void;
    const ready = new Promise<void>((resolve) => {
      done = resolve;
    });
    this.keys.set(key, ready);
    this.options.onSize(this.keys.size);
    if (this.closed) {
      done();
      return ready;
    }
    this.batch.push({ key, done });
    this.batchTimer ??=
      this.options.batchMs > 0
        ? setTimeout(() => this.flush(), this.options.batchMs)
        : setImmediate(() => this.flush());
    return ready;
  }

  /** Lets go of `key` after the linger, unless it is wanted again before then. */
  release(key: string): void {
    if (!this.keys.has(key) || this.releasing.has(key)) return;
    this.releasing.set(key, Date.now() + this.options.lingerMs);
    if (!this.sweepTimer && !this.closed) this.scheduleSweep(this.options.lingerMs);
  }

  /** Stops all timers; the transport's close drops the subscriptions themselves. */
  close(): void {
    this.closed = true;
    if (this.batchTimer) {
      clearTimeout(this.batchTimer as NodeJS.Timeout);
      clearImmediate(this.batchTimer as NodeJS.Immediate);
      this.batchTimer = undefined;
    }
    clearTimeout(this.sweepTimer);
    for (const { done } of this.batch.splice(0)) done();
  }

  private flush(): void {
    this.batchTimer = undefined;
    const batch = this.batch.splice(0);
    if (batch.length === 0) return;
    const keys = batch.map(({ key }) => key);
    const { subscribeTimeoutMs } = this.options;
    withTimeout(
      this.transport.subscribe(keys),
      subscribeTimeoutMs,
      () => new Error(`the broker did not acknowledge the subscription within ${subscribeTimeoutMs} ms`),
    )
      .catch((error: unknown) => this.options.onError('subscribe', keys.length, error))
      .finally(() => {
        for (const { done } of batch) done();
      });
  }

  private scheduleSweep(delayMs: number): void {
    this.sweepTimer = setTimeout(() => this.sweep(), Math.max(0, delayMs));
    this.sweepTimer.unref();
  }

  /**
   * Unsubscribes, in one command, every key whose linger has run out, or nearly: keys released a few
   * milliseconds apart (one burst of leaves, spread over a clock tick or two) go together.
   */
  private sweep(): void {
    this.sweepTimer = undefined;
    if (this.closed) return;
    const now = Date.now();
    const cutoff = now + Math.min(50, this.options.lingerMs / 4);
    const expired: string[] = [];
    for (const [key, at] of this.releasing) {
      if (at > cutoff) {
        this.scheduleSweep(at - now);
        break;
      }
      this.releasing.delete(key);
      this.keys.delete(key);
      expired.push(key);
    }
    if (expired.length === 0) return;
    this.options.onSize(this.keys.size);
    this.transport
      .unsubscribe(expired)
      .catch((error: unknown) => this.options.onError('unsubscribe', expired.length, error));
  }
}
