// Publishes on one confirm channel with a bound on everything held in memory: at most `maxInFlight`
// messages written and not yet confirmed by the broker, at most `maxWaiting` more waiting for a slot
// (or for the channel's write buffer to drain), each for at most `timeoutMs`.

import { errorText } from '@sockudo/core';

/** The part of an amqplib `ConfirmChannel` the window uses. */
export interface ConfirmPublisher {
  publish(
    exchange: string,
    routingKey: string,
    content: Buffer,
    options: { type?: string },
    callback: (error: unknown) => void,
  ): boolean;
  on(event: 'drain', listener: () => void): unknown;
}

/** The bounds of a {@link PublishWindow}. */
export interface PublishLimits {
  /** Messages written to the channel and not yet confirmed, at most. */
  readonly maxInFlight: number;
  /** Publishes waiting for a slot (or for 'drain'), at most; beyond this a publish rejects at once. */
  readonly maxWaiting: number;
  /** A publish not confirmed this long after it was called rejects (waiting time included). */
  readonly timeoutMs: number;
}

/** One message to publish. */
export interface OutgoingMessage {
  readonly exchange: string;
  readonly routingKey: string;
  readonly content: Buffer;
  /** The AMQP `type` property (which all-nodes publish this is). */
  readonly type?: string;
}

interface Pending {
  readonly message: OutgoingMessage;
  readonly deadline: number;
  resolve(): void;
  reject(error: Error): void;
}

/** Why a publish did not go out; the transport words it for people. */
export class PublishRejection extends Error {
  override name = 'PublishRejection';
}

/**
 * The publishes of one channel. Promises resolve when the broker confirmed the message (an `ack`), and
 * reject on a `nack`, when the channel closes first, or after `timeoutMs`. A publish that timed out
 * keeps its slot until the broker answers for it, so the number of unconfirmed messages on the channel
 * never exceeds `maxInFlight`; it may still be delivered.
 */
export class PublishWindow {
  private inFlight = 0;
  /** The channel's write buffer is full (publish() returned false) until it emits 'drain'. */
  private blocked = false;
  /** Written and not yet settled for the caller, in write order (which is also deadline order). */
  private readonly unsettled = new Set<Pending>();
  /** Waiting for a slot, oldest first; `head` is the first live entry. */
  private waiting: Array<Pending | undefined> = [];
  private head = 0;
  private failure: Error | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly channel: ConfirmPublisher,
    private readonly limits: PublishLimits,
  ) {
    channel.on('drain', () => {
      this.blocked = false;
      this.pump();
    });
  }

  /** Messages written and not yet confirmed. */
  get unconfirmed(): number {
    return this.inFlight;
  }

  /** Publishes waiting for a slot. */
  get queued(): number {
    return this.waiting.length - this.head;
  }

  publish(message: OutgoingMessage): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise<void>((resolve, reject) => {
      const pending: Pending = { message, deadline: Date.now() + this.limits.timeoutMs, resolve, reject };
      if (this.queued === 0 && this.canWrite()) {
        this.write(pending);
      } else if (this.queued >= this.limits.maxWaiting) {
        reject(
          new PublishRejection(
            `${this.inFlight} publishes are unconfirmed and ${this.queued} are waiting (the most allowed)`,
          ),
        );
        return;
      } else {
        this.waiting.push(pending);
      }
      this.schedule();
    });
  }

  /** Rejects everything written or waiting with `error`, and every later publish too. */
  fail(error: Error): void {
    if (this.failure) return;
    this.failure = error;
    clearTimeout(this.timer);
    this.timer = undefined;
    for (const pending of this.unsettled) pending.reject(error);
    this.unsettled.clear();
    for (let i = this.head; i < this.waiting.length; i++) this.waiting[i]?.reject(error);
    this.waiting = [];
    this.head = 0;
  }

  private canWrite(): boolean {
    return !this.failure && !this.blocked && this.inFlight < this.limits.maxInFlight;
  }

  private write(pending: Pending): void {
    const { exchange, routingKey, content, type } = pending.message;
    this.inFlight++;
    this.unsettled.add(pending);
    let written: boolean;
    try {
      written = this.channel.publish(exchange, routingKey, content, type ? { type } : {}, (error) => {
        this.inFlight--;
        if (this.unsettled.delete(pending)) {
          if (error) pending.reject(new PublishRejection(`the broker did not take it: ${errorText(error)}`));
          else pending.resolve();
        }
        this.pump();
      });
    } catch (error) {
      // amqplib throws once the channel is closing; no confirmation will come for this one.
      this.inFlight--;
      this.unsettled.delete(pending);
      pending.reject(new PublishRejection(errorText(error)));
      return;
    }
    if (!written) this.blocked = true;
  }

  private pump(): void {
    while (this.queued > 0 && this.canWrite()) {
      const next = this.waiting[this.head]!;
      this.waiting[this.head++] = undefined;
      this.write(next);
    }
    this.compact();
  }

  private compact(): void {
    if (this.head === this.waiting.length) {
      this.waiting = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.waiting.length) {
      this.waiting = this.waiting.slice(this.head);
      this.head = 0;
    }
  }

  /** One timer for the oldest deadline: written publishes are older than every waiting one. */
  private schedule(): void {
    if (this.timer || this.failure) return;
    const oldest = this.unsettled.values().next().value ?? this.waiting[this.head];
    if (!oldest) return;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.expire();
        this.schedule();
      },
      Math.max(0, oldest.deadline - Date.now()) + 1,
    );
    this.timer.unref();
  }

  private expire(): void {
    const now = Date.now();
    for (const pending of this.unsettled) {
      if (pending.deadline > now) break;
      this.unsettled.delete(pending); // its slot stays taken until the broker answers
      pending.reject(
        new PublishRejection(`the broker did not confirm it within ${this.limits.timeoutMs} ms`),
      );
    }
    while (this.queued > 0 && this.waiting[this.head]!.deadline <= now) {
      const pending = this.waiting[this.head]!;
      this.waiting[this.head++] = undefined;
      pending.reject(
        new PublishRejection(
          `no room within ${this.limits.timeoutMs} ms (${this.inFlight} publishes unconfirmed${this.blocked ? ', the write buffer is full' : ''})`,
        ),
      );
    }
    this.compact();
  }
}
