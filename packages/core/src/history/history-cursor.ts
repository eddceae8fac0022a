// The `cursor` of the history HTTP API, as Rust Sockudo writes it (`HistoryCursor`): URL-safe base64
// (no padding) of `{version, app_id, channel, stream_id, serial, direction, bounds}`, so a cursor
// names the request it continues and cannot be replayed against another.

import type { HistoryBounds, HistoryDirection, HistoryPosition } from '../spec/v1/index.js';

const MAX_ENCODED_BYTES = 16 * 1024;

/** What a cursor says. */
export interface HistoryCursor {
  appId: string;
  channel: string;
  direction: HistoryDirection;
  bounds: HistoryBounds;
  position: HistoryPosition;
}

const wireBounds = (bounds: HistoryBounds) => ({
  start_serial: bounds.startSerial ?? null,
  end_serial: bounds.endSerial ?? null,
  start_time_ms: bounds.startTimeMs ?? null,
  end_time_ms: bounds.endTimeMs ?? null,
});

/** The bounds as the response's `bounds` field shows them. */
export function boundsJson(bounds: HistoryBounds) {
  return wireBounds(bounds);
}

export function encodeHistoryCursor(cursor: HistoryCursor): string {
  const json = JSON.stringify({
    version: 1,
    app_id: cursor.appId,
    channel: cursor.channel,
    stream_id: cursor.position.streamId,
    serial: cursor.position.serial,
    direction: cursor.direction,
    bounds: wireBounds(cursor.bounds),
  });
  return Buffer.from(json, 'utf8').toString('base64url');
}

const optionalNumber = (value: unknown) =>
  value === null || value === undefined ? undefined : typeof value === 'number' ? value : Number.NaN;

/** The cursor in `encoded`, or the reason it is not one (Rust Sockudo's messages). */
export function decodeHistoryCursor(encoded: string): HistoryCursor | string {
  if (encoded.length > MAX_ENCODED_BYTES) return 'History cursor exceeds 16 KiB';
  let raw: Record<string, unknown>;
  try {
    if (!/^[A-Za-z0-9_-]*$/.test(encoded)) throw new Error('invalid base64');
    raw = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8'));
  } catch (error) {
    return `Invalid history cursor: ${(error as Error).message}`;
  }
  if (typeof raw !== 'object' || raw === null) return 'Invalid history cursor: not an object';
  if (raw.version !== 1) return `Unsupported history cursor version: ${String(raw.version)}`;
  const bounds = (raw.bounds ?? {}) as Record<string, unknown>;
  const cursor: HistoryCursor = {
    appId: raw.app_id as string,
    channel: raw.channel as string,
    direction: raw.direction as HistoryDirection,
    position: { streamId: raw.stream_id as string, serial: raw.serial as number },
    bounds: {
      startSerial: optionalNumber(bounds.start_serial),
      endSerial: optionalNumber(bounds.end_serial),
      startTimeMs: optionalNumber(bounds.start_time_ms),
      endTimeMs: optionalNumber(bounds.end_time_ms),
    },
  };
  const numbers = [cursor.position.serial, ...Object.values(cursor.bounds).filter((v) => v !== undefined)];
  if (
    typeof cursor.appId !== 'string' ||
    typeof cursor.channel !== 'string' ||
    typeof cursor.position.streamId !== 'string' ||
    (cursor.direction !== 'newest_first' && cursor.direction !== 'oldest_first') ||
    numbers.some((n) => !Number.isSafeInteger(n))
  ) {
    return 'Invalid history cursor: missing or malformed fields';
  }
  return cursor;
}
