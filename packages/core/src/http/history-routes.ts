// The history routes of Rust Sockudo (`crates/sockudo-server/src/http_handler/history/`): a page of a
// channel's history, its state, and the destructive reset and purge, with Rust Sockudo's parameters,
// answers and statuses (400 invalid_input, 422 feature_disabled). Signed like every other route.

import type { ServerResponse } from 'node:http';
import type { App } from '../apps/app.js';
import type { EngineContext } from '../engine/engine-context.js';
import { channelPolicy } from '../history/channel-policy.js';
import {
  boundsJson,
  decodeHistoryCursor,
  encodeHistoryCursor,
  type HistoryCursor,
} from '../history/history-cursor.js';
import { deliveredFrame } from '../history/history-publisher.js';
import { truncatedByRetention } from '../history/replay-reader.js';
import type {
  HistoryBounds,
  HistoryDirection,
  HistoryPurgeRequest,
  HistoryStreamState,
} from '../spec/v1/index.js';
import { HistoryCursorExpiredError, InvalidHistoryRequestError } from '../util/errors.js';
import { isRecord } from '../util/raw-record.js';
import { v2Frame } from '../wire/v2-frames.js';
import { HttpError, sendJson } from './respond.js';
import type { ApiRequest } from './trigger-routes.js';

const invalid = (message: string) => new HttpError(400, message, undefined, 'invalid_input');

/** What the history routes use of the rest of the HTTP API. */
export interface HistoryRouteHelpers {
  rateLimit(app: App, kind: 'backend' | 'read', points: number): Promise<Record<string, string>>;
  checkChannelName(app: App, channel: string): void;
}

/** Rust Sockudo's runtime state of a stream this server always reports healthy. */
function streamState(streamId: string | undefined) {
  return {
    stream_id: streamId ?? null,
    durable_state: 'healthy',
    recovery_allowed: true,
    reset_required: false,
    reason: null,
    node_id: null,
    last_transition_at_ms: null,
    authoritative_source: 'history_store',
    observed_source: 'history_store',
  };
}

function inspection(state: HistoryStreamState) {
  return {
    stream_id: state.streamId ?? null,
    next_serial: state.nextSerial ?? null,
    retained: {
      stream_id: state.streamId ?? null,
      retained_messages: state.retainedMessages,
      retained_bytes: state.retainedBytes,
      oldest_available_serial: state.oldestSerial ?? null,
      newest_available_serial: state.newestSerial ?? null,
      oldest_available_published_at_ms: state.oldestPublishedAtMs ?? null,
      newest_available_published_at_ms: state.newestPublishedAtMs ?? null,
    },
    state: streamState(state.streamId),
  };
}

function direction(raw: string | undefined): HistoryDirection {
  const value = (raw ?? 'newest_first').toLowerCase();
  if (value === 'newest_first' || value === 'backwards' || value === 'reverse') return 'newest_first';
  if (value === 'oldest_first' || value === 'forwards' || value === 'forward') return 'oldest_first';
  throw invalid(
    `Invalid direction '${value}'. Accepted values: newest_first, oldest_first, backwards, forwards`,
  );
}

function integer(query: Record<string, string>, ...names: string[]): number | undefined {
  for (const name of names) {
    const raw = query[name];
    if (raw === undefined) continue;
    const n = Number(raw);
    if (raw.trim() === '' || !Number.isSafeInteger(n) || n < 0) {
      throw invalid(`Failed to deserialize query string: ${name}: invalid digit found in string`);
    }
    return n;
  }
  return undefined;
}

function sameBounds(a: HistoryBounds, b: HistoryBounds): boolean {
  return (
    a.startSerial === b.startSerial &&
    a.endSerial === b.endSerial &&
    a.startTimeMs === b.startTimeMs &&
    a.endTimeMs === b.endTimeMs
  );
}

/** The JSON body of a reset or purge; 400 when it is not JSON, 422 when a field is missing or mistyped. */
function confirmation(body: Buffer, channel: string, operation: 'reset' | 'purge'): Record<string, unknown> {
  let raw: unknown;
  try {
    raw = JSON.parse(body.toString('utf8'));
  } catch {
    throw new HttpError(400, 'Failed to parse the request body as JSON', undefined, 'invalid_input');
  }
  if (!isRecord(raw)) throw new HttpError(422, 'Failed to deserialize the JSON body: expected an object');
  for (const field of ['confirm_channel', 'confirm_operation', 'reason']) {
    if (typeof raw[field] !== 'string') {
      throw new HttpError(422, `Failed to deserialize the JSON body: missing field \`${field}\``);
    }
  }
  if (raw.requested_by !== undefined && raw.requested_by !== null && typeof raw.requested_by !== 'string') {
    throw new HttpError(422, 'Failed to deserialize the JSON body: requested_by must be a string');
  }
  if (raw.confirm_channel !== channel) throw invalid('confirm_channel must exactly match the channel path');
  if (raw.confirm_operation !== operation) throw invalid(`confirm_operation must be '${operation}'`);
  if ((raw.reason as string).trim() === '') throw invalid('reason must not be empty');
  return raw;
}

/** The handlers of `/apps/:id/channels/:channel/history` and its `state`, `reset` and `purge`. */
export function createHistoryRoutes(
  ctx: EngineContext,
  { rateLimit, checkChannelName }: HistoryRouteHelpers,
) {
  function enabledFor(app: App, channel: string) {
    checkChannelName(app, channel);
    const policy = channelPolicy(ctx, app, channel);
    if (!policy.history) {
      throw new HttpError(
        422,
        `Durable history is disabled by policy for channel '${channel}'`,
        undefined,
        'feature_disabled',
      );
    }
    return policy;
  }

  async function getHistory({ app, query }: ApiRequest, res: ServerResponse, channel: string): Promise<void> {
    const policy = enabledFor(app, channel);
    const order = direction(query.direction);
    const limit = Math.min(integer(query, 'limit') ?? policy.maxPageSize, policy.maxPageSize);
    if (limit === 0) throw invalid('History limit must be greater than 0');
    const bounds: HistoryBounds = {
      startSerial: integer(query, 'start_serial'),
      endSerial: integer(query, 'end_serial'),
      startTimeMs: integer(query, 'start_time_ms', 'start'),
      endTimeMs: integer(query, 'end_time_ms', 'end'),
    };
    let cursor: HistoryCursor | undefined;
    if (query.cursor !== undefined) {
      const decoded = decodeHistoryCursor(query.cursor);
      if (typeof decoded === 'string') throw invalid(decoded);
      cursor = decoded;
      if (
        cursor.appId !== app.id ||
        cursor.channel !== channel ||
        cursor.direction !== order ||
        !sameBounds(cursor.bounds, bounds)
      ) {
        throw invalid(
          'History cursor does not match this request (channel, direction and bounds must be the same)',
        );
      }
    }
    const headers = await rateLimit(app, 'read', 1);
    let page: Awaited<ReturnType<typeof ctx.history.readPage>>;
    try {
      page = await ctx.history.readPage({
        appId: app.id,
        channel,
        direction: order,
        limit,
        cursor: cursor?.position,
        bounds,
      });
    } catch (error) {
      if (HistoryCursorExpiredError.isInstance(error))
        throw invalid(`Expired history cursor: ${error.message}`);
      if (InvalidHistoryRequestError.isInstance(error)) throw invalid(error.message);
      throw error;
    }
    const truncated = truncatedByRetention(bounds, page.state);
    const { state } = page;
    sendJson(
      res,
      200,
      {
        items: page.items.map((item) => ({
          stream_id: item.streamId,
          serial: item.serial,
          published_at_ms: item.publishedAtMs,
          message_id: item.messageId ?? null,
          event_name: item.eventName ?? null,
          operation_kind: item.operationKind,
          payload_size_bytes: item.payloadSizeBytes,
          message: JSON.parse(v2Frame(deliveredFrame(item))),
        })),
        direction: order,
        limit,
        has_more: page.hasMore,
        next_cursor:
          page.hasMore && page.nextCursor
            ? encodeHistoryCursor({
                appId: app.id,
                channel,
                direction: order,
                bounds,
                position: page.nextCursor,
              })
            : null,
        bounds: boundsJson(bounds),
        continuity: {
          stream_id: state.streamId ?? null,
          oldest_available_serial: state.oldestSerial ?? null,
          newest_available_serial: state.newestSerial ?? null,
          oldest_available_published_at_ms: state.oldestPublishedAtMs ?? null,
          newest_available_published_at_ms: state.newestPublishedAtMs ?? null,
          retained_messages: state.retainedMessages,
          retained_bytes: state.retainedBytes,
          complete: !page.hasMore && !truncated,
          truncated_by_retention: truncated,
        },
        stream_state: streamState(state.streamId),
      },
      headers,
    );
  }

  async function getHistoryState({ app }: ApiRequest, res: ServerResponse, channel: string): Promise<void> {
    enabledFor(app, channel);
    const headers = await rateLimit(app, 'read', 1);
    const state = await ctx.history.state(app.id, channel);
    sendJson(res, 200, { channel, stream: inspection(state) }, headers);
  }

  async function resetHistory(
    { app, body }: ApiRequest,
    res: ServerResponse,
    channel: string,
  ): Promise<void> {
    enabledFor(app, channel);
    const request = confirmation(body, channel, 'reset');
    const headers = await rateLimit(app, 'backend', 1);
    const result = await ctx.history.reset(app.id, channel);
    ctx.logger.warn('channel history reset', { appId: app.id, channel, reason: request.reason });
    sendJson(
      res,
      200,
      {
        ok: true,
        operation: 'reset',
        channel,
        reason: request.reason,
        requested_by: request.requested_by ?? null,
        previous_stream_id: result.previousStreamId ?? null,
        new_stream_id: result.newStreamId,
        purged_messages: result.purgedMessages,
        purged_bytes: result.purgedBytes,
        stream: inspection(result.state),
      },
      headers,
    );
  }

  async function purgeHistory(
    { app, body }: ApiRequest,
    res: ServerResponse,
    channel: string,
  ): Promise<void> {
    enabledFor(app, channel);
    const request = confirmation(body, channel, 'purge');
    const mode = request.mode;
    let purge: HistoryPurgeRequest;
    const number = (field: string) => {
      const value = request[field];
      if (value === undefined || value === null)
        throw invalid(`${field} is required for purge mode ${String(mode)}`);
      if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
        throw new HttpError(
          422,
          `Failed to deserialize the JSON body: ${field} must be a non-negative integer`,
        );
      }
      return value;
    };
    if (mode === 'all') purge = { mode };
    else if (mode === 'before_serial') purge = { mode, beforeSerial: number('before_serial') };
    else if (mode === 'before_time_ms') purge = { mode, beforeTimeMs: number('before_time_ms') };
    else {
      throw new HttpError(
        422,
        'Failed to deserialize the JSON body: mode: unknown variant, expected one of `all`, `before_serial`, `before_time_ms`',
      );
    }
    const headers = await rateLimit(app, 'backend', 1);
    const result = await ctx.history.purge(app.id, channel, purge);
    sendJson(
      res,
      200,
      {
        ok: true,
        operation: 'purge',
        channel,
        mode,
        before_serial: purge.mode === 'before_serial' ? purge.beforeSerial : null,
        before_time_ms: purge.mode === 'before_time_ms' ? purge.beforeTimeMs : null,
        reason: request.reason,
        requested_by: request.requested_by ?? null,
        purged_messages: result.purgedMessages,
        purged_bytes: result.purgedBytes,
        stream: inspection(result.state),
      },
      headers,
    );
  }

  return { getHistory, getHistoryState, resetHistory, purgeHistory };
}
