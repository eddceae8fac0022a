// The rules of HistoryStoreV1 every history store applies the same way: what a valid request is, and
// when a page cursor can no longer continue without a gap. Exported for driver packages.

import type {
  HistoryPurgeRequest,
  HistoryReadRequest,
  HistoryRetention,
  HistoryStreamState,
} from '../spec/v1/index.js';
import { HistoryCursorExpiredError, InvalidHistoryRequestError } from '../util/errors.js';

const DIRECTIONS = new Set(['newest_first', 'oldest_first']);

const isCount = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;

/** The state of a channel that has no stream. */
export function emptyHistoryState(): HistoryStreamState {
  return {
    streamId: undefined,
    nextSerial: undefined,
    retainedMessages: 0,
    retainedBytes: 0,
    oldestSerial: undefined,
    newestSerial: undefined,
    oldestPublishedAtMs: undefined,
    newestPublishedAtMs: undefined,
  };
}

/** Throws {@link InvalidHistoryRequestError} unless `retention` is one {@link HistoryRetention} allows. */
export function validateHistoryRetention(retention: HistoryRetention): void {
  const { retentionWindowSeconds, maxMessagesPerChannel, maxBytesPerChannel } = retention;
  if (!(Number.isFinite(retentionWindowSeconds) && retentionWindowSeconds > 0)) {
    throw new InvalidHistoryRequestError(
      `retentionWindowSeconds must be a number of seconds above 0, got ${String(retentionWindowSeconds)}`,
    );
  }
  for (const [name, value] of [
    ['maxMessagesPerChannel', maxMessagesPerChannel],
    ['maxBytesPerChannel', maxBytesPerChannel],
  ] as const) {
    if (value !== undefined && !(isCount(value) && value >= 1)) {
      throw new InvalidHistoryRequestError(`${name} must be an integer of at least 1, got ${String(value)}`);
    }
  }
}

/** Throws {@link InvalidHistoryRequestError} unless `request` follows {@link HistoryReadRequest}'s rules. */
export function validateHistoryReadRequest(request: HistoryReadRequest): void {
  const fail = (message: string): never => {
    throw new InvalidHistoryRequestError(message);
  };
  if (typeof request.appId !== 'string' || request.appId === '') fail('appId must be a non-empty string');
  if (typeof request.channel !== 'string' || request.channel === '')
    fail('channel must be a non-empty string');
  if (!DIRECTIONS.has(request.direction)) {
    fail(`direction must be newest_first or oldest_first, got ${String(request.direction)}`);
  }
  if (!(isCount(request.limit) && request.limit >= 1)) {
    fail(`limit must be an integer of at least 1, got ${String(request.limit)}`);
  }
  const { cursor, bounds } = request;
  if (cursor !== undefined) {
    if (typeof cursor.streamId !== 'string' || cursor.streamId === '')
      fail('cursor.streamId must be a string');
    if (!isCount(cursor.serial)) fail(`cursor.serial must be a serial, got ${String(cursor.serial)}`);
  }
  if (bounds !== undefined) {
    for (const key of ['startSerial', 'endSerial'] as const) {
      const value = bounds[key];
      if (value !== undefined && !isCount(value)) fail(`${key} must be a serial, got ${String(value)}`);
    }
    for (const key of ['startTimeMs', 'endTimeMs'] as const) {
      const value = bounds[key];
      if (value !== undefined && !Number.isSafeInteger(value)) {
        fail(`${key} must be a time in ms, got ${String(value)}`);
      }
    }
    if (
      bounds.startSerial !== undefined &&
      bounds.endSerial !== undefined &&
      bounds.startSerial > bounds.endSerial
    ) {
      fail('startSerial must be less than or equal to endSerial');
    }
    if (
      bounds.startTimeMs !== undefined &&
      bounds.endTimeMs !== undefined &&
      bounds.startTimeMs > bounds.endTimeMs
    ) {
      fail('startTimeMs must be less than or equal to endTimeMs');
    }
  }
}

/** Throws {@link InvalidHistoryRequestError} unless `request` is a {@link HistoryPurgeRequest}. */
export function validateHistoryPurgeRequest(request: HistoryPurgeRequest): void {
  switch (request?.mode) {
    case 'all':
      return;
    case 'before_serial':
      if (isCount(request.beforeSerial)) return;
      throw new InvalidHistoryRequestError(
        `before_serial purge needs a serial, got ${String(request.beforeSerial)}`,
      );
    case 'before_time_ms':
      if (Number.isSafeInteger(request.beforeTimeMs)) return;
      throw new InvalidHistoryRequestError(
        `before_time_ms purge needs a time in ms, got ${String(request.beforeTimeMs)}`,
      );
    default:
      throw new InvalidHistoryRequestError(
        `purge mode must be all, before_serial or before_time_ms, got ${String((request as { mode?: unknown })?.mode)}`,
      );
  }
}

/**
 * Throws {@link HistoryCursorExpiredError} when `request.cursor` cannot continue without a gap over a
 * channel in `state` (read in the same atomic step as the page): the cursor is of another stream, or
 * the message that would come next in the walk's direction is no longer retained.
 */
export function assertHistoryCursorLive(request: HistoryReadRequest, state: HistoryStreamState): void {
  const { cursor } = request;
  if (cursor === undefined) return;
  if (state.streamId === undefined || cursor.streamId !== state.streamId) {
    throw new HistoryCursorExpiredError(
      `Expired history cursor: the stream of ${request.channel} changed (it was reset or its history was lost)`,
    );
  }
  // Nothing retained: what would come next is the next serial to be appended.
  const oldestAvailable = state.oldestSerial ?? state.nextSerial ?? 1;
  const lost =
    request.direction === 'oldest_first'
      ? cursor.serial + 1 < oldestAvailable
      : cursor.serial - 1 >= Math.max(1, request.bounds?.startSerial ?? 1) &&
        cursor.serial - 1 < oldestAvailable;
  if (lost) {
    throw new HistoryCursorExpiredError(
      `Expired history cursor: messages of ${request.channel} after serial ${cursor.serial} were dropped by retention or a purge`,
    );
  }
}

/** The UTF-8 length of `text`: a payload's size as retention counts it. */
export function utf8Length(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}
