// POST /events and /batch_events: each event validated, idempotency keys honoured, the events fanned
// out through the adapter (and kept for cache channels), and the `info` answer built.

import type { ServerResponse } from 'node:http';
import { isCacheChannel, userIdFromServerToUserChannel } from '@sockudo/protocol';
import type { App } from '../apps/app.js';
import { channelCacheKey } from '../channels/channel-cache.js';
import type { EngineContext } from '../engine/engine-context.js';
import { HistoryWriteError, publishWithHistory } from '../history/history-publisher.js';
import { appLabels } from '../metrics/metric-labels.js';
import { channelEventFrame } from '../wire/frames.js';
import { withExtras, withTags } from '../wire/v2-frames.js';
import {
  batchIdempotencyCacheKey,
  eventIdempotencyKey,
  headerIdempotencyKey,
  IdempotencyStore,
  idempotencyCacheKey,
  idempotencyFor,
} from './idempotency.js';
import { HttpError, sendJson } from './respond.js';
import { parseJson, parseTrigger, type TriggerInput } from './trigger-input.js';

/** An authenticated HTTP API request, as the route handlers get it. */
export interface ApiRequest {
  app: App;
  query: Record<string, string>;
  /** The `X-Idempotency-Key` header, when sent. */
  idempotencyHeader: string | string[] | undefined;
  body: Buffer;
  /** `performance.now()` when the request arrived, for `broadcast_latency_ms`. */
  receivedAt: number;
}

/** What the trigger routes use of the rest of the HTTP API. */
export interface TriggerRouteHelpers {
  /** Applies the app's rate limit; resolves with the `X-RateLimit-*` headers (throws 429 over it). */
  rateLimit(app: App, kind: 'backend', points: number): Promise<Record<string, string>>;
  /** The `info` attributes of one channel. */
  channelInfo(
    appId: string,
    channel: string,
    info: Set<string>,
  ): Promise<{ attributes: Record<string, number> }>;
}

/** The handlers of `POST /events` and `POST /batch_events`. */
export function createTriggerRoutes(ctx: EngineContext, { rateLimit, channelInfo }: TriggerRouteHelpers) {
  const { adapter } = ctx;
  const idempotency = new IdempotencyStore(ctx.cache, ctx.logger);

  async function publish(app: App, event: TriggerInput, receivedAt: number): Promise<void> {
    const { extras } = event;
    for (const channel of event.channels) {
      const pusherFrame = channelEventFrame(event.name, channel, event.data);
      // V2 fields travel with the frame; each wire's copy is made at delivery (wire/v2-frames.ts).
      const withV2Extras = extras ? withExtras(pusherFrame, extras.json) : pusherFrame;
      const frame = event.tags === undefined ? withV2Extras : withTags(withV2Extras, event.tags);
      const userId = userIdFromServerToUserChannel(channel);
      if (userId !== undefined) {
        await adapter.sendToUser(app.id, userId, frame, event.socketId);
        continue;
      }
      // With history or connection recovery on, the store assigns the serial first (history/).
      await publishWithHistory(ctx, app, channel, frame, event.name, extras?.ephemeral === true, (framed) =>
        adapter.broadcast(app.id, channel, framed, event.socketId),
      ).catch((error: unknown) => {
        if (!HistoryWriteError.isInstance(error)) throw error;
        ctx.logger.error('history append failed', { appId: app.id, channel, error: String(error.cause) });
        throw new HttpError(500, `Failed to store the message in channel history: ${channel}`);
      });
      if (isCacheChannel(channel)) {
        // What Rust Sockudo keeps too: event, channel and data, no extras.
        await ctx.cache.set(channelCacheKey(app.id, channel), pusherFrame, ctx.channelCacheTtlSeconds);
      }
    }
    const labels = appLabels(app.id);
    ctx.metrics.increment('http_events_published_total', labels, event.channels.length);
    // An ephemeral message skips history and webhooks (an API publish sends none anyway).
    if (extras?.ephemeral) ctx.metrics.increment('ephemeral_messages_total', labels, event.channels.length);
    ctx.metrics.observe('broadcast_latency_ms', labels, performance.now() - receivedAt);
  }

  /** The `info` answer of a trigger: `{}`, or the attributes of each channel asked about. */
  async function triggerResponse(app: App, event: TriggerInput): Promise<Record<string, unknown>> {
    if (event.info.size === 0) return {};
    const channels: Record<string, Record<string, number>> = {};
    for (const channel of event.channels) {
      channels[channel] = (await channelInfo(app.id, channel, event.info)).attributes;
    }
    return { channels };
  }

  /**
   * Runs `publish` once per idempotency key within the TTL (Rust Sockudo's `app:{id}:idempotency:{key}`
   * or, for a whole batch, `batch-idempotency`); a duplicate gets the first response's body. Without a
   * key it just runs.
   */
  async function once(
    app: App,
    cacheKey: string | undefined,
    ttlSeconds: number,
    publish: () => Promise<unknown>,
  ) {
    if (cacheKey === undefined) return publish();
    const labels = appLabels(app.id);
    ctx.metrics.increment('idempotency_publish_total', labels);
    const claim = await idempotency.claim(cacheKey, ttlSeconds);
    if (!claim.claimed) {
      ctx.metrics.increment('idempotency_duplicates_total', labels);
      return claim.body;
    }
    let body: unknown;
    try {
      body = await publish();
    } catch (error) {
      await idempotency.release(cacheKey);
      throw error;
    }
    await idempotency.commit(cacheKey, body, ttlSeconds);
    return body;
  }

  async function triggerEvents(request: ApiRequest, res: ServerResponse): Promise<void> {
    const { app, body, receivedAt } = request;
    const raw = parseJson(body);
    const event = parseTrigger(app, raw, 'event', true, ctx.extensions);
    const settings = idempotencyFor(app, ctx.extensions.idempotency);
    // The body's key wins over the header, as in Rust Sockudo.
    const key =
      eventIdempotencyKey(raw, 'event', settings) ??
      headerIdempotencyKey(request.idempotencyHeader, settings);
    const headers = await rateLimit(app, 'backend', event.channels.length);
    const cacheKey = key === undefined ? undefined : idempotencyCacheKey(app.id, key);
    const answer = await once(app, cacheKey, settings.ttlSeconds, async () => {
      await publish(app, event, receivedAt);
      return triggerResponse(app, event);
    });
    sendJson(res, 200, answer, headers);
  }

  async function triggerBatch(request: ApiRequest, res: ServerResponse): Promise<void> {
    const { app, body, receivedAt } = request;
    const { batch } = parseJson(body);
    if (!Array.isArray(batch) || batch.length === 0)
      throw new HttpError(400, 'batch must be a non-empty array');
    if (batch.length > app.maxEventBatchSize) {
      throw new HttpError(
        400,
        `batch holds ${batch.length} events; at most ${app.maxEventBatchSize} are allowed`,
      );
    }
    const settings = idempotencyFor(app, ctx.extensions.idempotency);
    const events = batch.map((raw, i) => parseTrigger(app, raw, `batch[${i}]`, false, ctx.extensions));
    // Each event may carry its own key (deduplicated alone); the header's key covers the whole batch.
    const keys = batch.map((raw, i) => eventIdempotencyKey(raw, `batch[${i}]`, settings));
    const batchKey = headerIdempotencyKey(request.idempotencyHeader, settings);
    const headers = await rateLimit(app, 'backend', events.length);
    const cacheKey = batchKey === undefined ? undefined : batchIdempotencyCacheKey(app.id, batchKey);
    const answer = await once(app, cacheKey, settings.ttlSeconds, async () => {
      const published = [];
      for (const [i, event] of events.entries()) {
        published.push(await publishBatchEvent(app, event, keys[i], settings.ttlSeconds, receivedAt));
      }
      if (events.every((e) => e.info.size === 0)) return {};
      const results = [];
      for (const [i, event] of events.entries()) {
        // A skipped duplicate answers `{}`, as in Rust Sockudo.
        results.push(
          published[i] ? (await channelInfo(app.id, event.channels[0]!, event.info)).attributes : {},
        );
      }
      return { batch: results };
    });
    sendJson(res, 200, answer, headers);
  }

  /** Publishes one batch event unless its own key was seen within the TTL; resolves whether it did. */
  async function publishBatchEvent(
    app: App,
    event: TriggerInput,
    key: string | undefined,
    ttlSeconds: number,
    receivedAt: number,
  ): Promise<boolean> {
    if (key === undefined) {
      await publish(app, event, receivedAt);
      return true;
    }
    const labels = appLabels(app.id);
    ctx.metrics.increment('idempotency_publish_total', labels);
    const cacheKey = idempotencyCacheKey(app.id, key);
    if (!(await idempotency.claimEvent(cacheKey, ttlSeconds))) {
      ctx.metrics.increment('idempotency_duplicates_total', labels);
      return false;
    }
    try {
      await publish(app, event, receivedAt);
    } catch (error) {
      await idempotency.release(cacheKey);
      throw error;
    }
    await idempotency.commitEvent(cacheKey, ttlSeconds);
    return true;
  }

  return { triggerEvents, triggerBatch };
}
