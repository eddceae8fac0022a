// Webhooks: events are batched per app, `channel_vacated`/`member_removed` are held for a moment and
// cancelled when the channel or member comes back, and each batch is signed and handed to the Queue.
// Nothing here awaits the network on the socket path: `emit` only records and schedules.

import { signWebhook } from '@sockudo/protocol';
import type { App, WebhookConfig } from '../apps/app.js';
import type { MetricsV1, QueueJob, QueueJobOutcome, QueueV1 } from '../spec/v1/index.js';
import type { Logger } from '../util/logger.js';

/** One webhook event, as Pusher sends it in `events[]`. */
export interface WebhookEvent {
  name:
    | 'channel_occupied'
    | 'channel_vacated'
    | 'member_added'
    | 'member_removed'
    | 'client_event'
    | 'cache_miss'
    | 'subscription_count';
  channel: string;
  user_id?: string;
  event?: string;
  data?: unknown;
  socket_id?: string;
  subscription_count?: number;
}

/** Webhook delivery settings. Keys follow Rust Sockudo's `webhooks` section. */
export interface WebhookOptions {
  /** Collect events per app for `batchDurationMs` (or until `batchSize`) before sending. @default true */
  batching?: boolean;
  /** @default 50 */
  batchDurationMs?: number;
  /** @default 100 */
  batchSize?: number;
  /** How long `channel_vacated` and `member_removed` wait for a quick return. @default 3000 */
  leaveDelayMs?: number;
  /** @default 10000 */
  requestTimeoutMs?: number;
  /** First retry delay; doubles each attempt. @default 1000 */
  initialBackoffMs?: number;
  /** @default 60000 */
  maxBackoffMs?: number;
  /** Give up once this long has passed since the first attempt (Pusher retries for 5 minutes). @default 300000 */
  maxElapsedTimeMs?: number;
}

/** What goes on the queue: a signed, ready-to-send request. The app secret never does. */
export interface WebhookJob {
  url: string;
  headers: Record<string, string>;
  body: string;
  firstAttemptAt: number;
  /** For the `app_id` label of the delivery metrics (absent on jobs queued by older versions). */
  appId?: string;
}

const CACHE_MISS_INTERVAL_MS = 5000;

/** The queue name webhook jobs use. */
export const WEBHOOK_QUEUE = 'webhooks';

function matches(hook: WebhookConfig, event: WebhookEvent): boolean {
  // subscription_count is chatty: only webhooks that ask for it by name receive it.
  if (
    hook.eventTypes.length === 0 ? event.name === 'subscription_count' : !hook.eventTypes.includes(event.name)
  ) {
    return false;
  }
  const filter = hook.filter;
  if (!filter) return true;
  if (filter.channelPrefix && !event.channel.startsWith(filter.channelPrefix)) return false;
  if (filter.channelSuffix && !event.channel.endsWith(filter.channelSuffix)) return false;
  if (filter.channelPattern && !new RegExp(filter.channelPattern).test(event.channel)) return false;
  return true;
}

/** Retry on network errors, timeouts, 408, 409, 425, 429 and 5xx; other statuses are final. */
function retryable(status: number): boolean {
  return status === 408 || status === 409 || status === 425 || status === 429 || status >= 500;
}

/** Batches, delays, signs and queues webhook events; delivers queued jobs with retries. */
export class WebhookDispatcher {
  private readonly batches = new Map<
    string,
    { app: App; events: WebhookEvent[]; timer: NodeJS.Timeout | undefined }
  >();
  private readonly held = new Map<string, { timer: NodeJS.Timeout; app: App; event: WebhookEvent }>();
  private readonly settings: Required<WebhookOptions>;
  private closed = false;
  /** app + channel → when its last cache_miss was reported, so a burst of misses sends one webhook. */
  private readonly recentMisses = new Map<string, number>();

  constructor(
    private readonly queue: QueueV1,
    private readonly logger: Logger,
    private readonly metrics: MetricsV1,
    options: WebhookOptions = {},
  ) {
    this.settings = {
      batching: options.batching ?? true,
      batchDurationMs: options.batchDurationMs ?? 50,
      batchSize: options.batchSize ?? 100,
      leaveDelayMs: options.leaveDelayMs ?? 3000,
      requestTimeoutMs: options.requestTimeoutMs ?? 10_000,
      initialBackoffMs: options.initialBackoffMs ?? 1000,
      maxBackoffMs: options.maxBackoffMs ?? 60_000,
      maxElapsedTimeMs: options.maxElapsedTimeMs ?? 300_000,
    };
    queue.process<WebhookJob>(WEBHOOK_QUEUE, (job) => this.deliver(job));
  }

  /** Records an event for `app`. Cheap when the app has no webhooks. */
  emit(app: App, event: WebhookEvent): void {
    if (this.closed || app.webhooks.length === 0) return;
    const leaving = event.name === 'channel_vacated' || event.name === 'member_removed';
    const returning = event.name === 'channel_occupied' || event.name === 'member_added';
    const heldKey =
      leaving || returning
        ? `${app.id}\0${event.name === 'channel_vacated' || event.name === 'channel_occupied' ? 'c' : `m\0${event.user_id}`}\0${event.channel}`
        : '';
    const pending = returning ? this.held.get(heldKey) : undefined;
    if (pending) {
      // Left and came back within the delay: neither the leave nor the return is reported.
      clearTimeout(pending.timer);
      this.held.delete(heldKey);
      return;
    }
    // A leave is held even if no webhook wants it: a webhook may want the return it cancels.
    if (leaving && this.settings.leaveDelayMs > 0) {
      const timer = setTimeout(() => {
        this.held.delete(heldKey);
        this.accept(app, event);
      }, this.settings.leaveDelayMs);
      timer.unref();
      this.held.set(heldKey, { timer, app, event });
      return;
    }
    this.accept(app, event);
  }

  /** Batches an event some webhook of the app wants; the rest neither cost nor count towards a batch. */
  private accept(app: App, event: WebhookEvent): void {
    if (!app.webhooks.some((hook) => matches(hook, event))) return;
    if (event.name === 'cache_miss' && this.seenMissRecently(app.id, event.channel)) return;
    this.enqueue(app, event);
  }

  private seenMissRecently(appId: string, channel: string): boolean {
    const key = `${appId}\0${channel}`;
    const now = Date.now();
    if ((this.recentMisses.get(key) ?? 0) > now - CACHE_MISS_INTERVAL_MS) return true;
    if (this.recentMisses.size >= 10_000) this.recentMisses.clear(); // bounded; a rare extra webhook is fine
    this.recentMisses.set(key, now);
    return false;
  }

  private enqueue(app: App, event: WebhookEvent): void {
    if (!this.settings.batching) {
      this.flushEvents(app, [event]);
      return;
    }
    let batch = this.batches.get(app.id);
    if (!batch) {
      batch = { app, events: [], timer: undefined };
      this.batches.set(app.id, batch);
    }
    batch.app = app;
    batch.events.push(event);
    if (batch.events.length >= this.settings.batchSize) {
      this.flush(app.id);
    } else if (!batch.timer) {
      batch.timer = setTimeout(() => this.flush(app.id), this.settings.batchDurationMs);
      batch.timer.unref();
    }
  }

  private flush(appId: string): void {
    const batch = this.batches.get(appId);
    if (!batch) return;
    this.batches.delete(appId);
    if (batch.timer) clearTimeout(batch.timer);
    this.flushEvents(batch.app, batch.events);
  }

  private flushEvents(app: App, events: WebhookEvent[]): void {
    const now = Date.now();
    for (const hook of app.webhooks) {
      const selected = events.filter((event) => matches(hook, event));
      if (selected.length === 0) continue;
      const body = JSON.stringify({ time_ms: now, events: selected });
      const job: WebhookJob = {
        url: hook.url,
        body,
        firstAttemptAt: now,
        appId: app.id,
        headers: {
          ...hook.headers,
          'Content-Type': 'application/json',
          'X-Pusher-Key': app.key,
          'X-Pusher-Signature': signWebhook(app.secret, body),
        },
      };
      this.queue.push(WEBHOOK_QUEUE, job).catch((error: unknown) => {
        this.metrics.increment('webhook_failures_total', { appId: app.id, reason: 'queue' });
        this.logger.error('webhook could not be queued', { appId: app.id, error: String(error) });
      });
    }
  }

  private async deliver(job: QueueJob<WebhookJob>): Promise<QueueJobOutcome> {
    const { url, headers, body, firstAttemptAt, appId } = job.data;
    let status = 0;
    let reason: string;
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers,
        body,
        signal: AbortSignal.timeout(this.settings.requestTimeoutMs),
      });
      status = response.status;
      await response.body?.cancel();
      if (response.ok) {
        this.metrics.increment('webhooks_sent_total', { appId, status });
        return { status: 'done' };
      }
      reason = `HTTP ${status}`;
    } catch (error) {
      reason = error instanceof Error ? error.message : String(error);
    }
    this.metrics.increment('webhook_failures_total', { appId, status });
    const delayMs = Math.min(
      this.settings.initialBackoffMs * 2 ** Math.max(0, job.attempts - 1),
      this.settings.maxBackoffMs,
    );
    const giveUp =
      (status !== 0 && !retryable(status)) ||
      Date.now() + delayMs - firstAttemptAt > this.settings.maxElapsedTimeMs;
    this.logger.warn(giveUp ? 'webhook failed; giving up' : 'webhook failed; will retry', {
      url: new URL(url).origin,
      reason,
      attempt: job.attempts,
    });
    return giveUp ? { status: 'failed', reason } : { status: 'retry', delayMs };
  }

  /** Queues held leave events and open batches now, then stops accepting events. */
  close(): void {
    for (const { timer, app, event } of this.held.values()) {
      clearTimeout(timer);
      this.accept(app, event);
    }
    this.held.clear();
    for (const appId of [...this.batches.keys()]) this.flush(appId);
    this.closed = true;
  }
}
