// The benchmark event's data string and the cheap read-back of its send time at the clients.
//
// Data is `{"bench_t":<performance.now() ms>,"pad":"xxx…"}`. Clients run in the same process as the
// trigger loop, so the monotonic clock is shared and latency is a plain subtraction. The server forwards
// data as a JSON-encoded string, so on the wire the marker reads `bench_t\":`; the reader accepts both
// the escaped and unescaped forms so a server that re-encodes data still measures correctly.

const MARKER = Buffer.from('bench_t', 'latin1');
const ID_MARKER = Buffer.from('bench_id', 'latin1');
const BACKSLASH = 0x5c;
const QUOTE = 0x22;
const COLON = 0x3a;
const SPACE = 0x20;

/** Returns a function that builds one event's data string of `payloadBytes` bytes, stamped with `sentAt`. */
export function createEventDataFactory(payloadBytes: number): (sentAt: number) => string {
  const padding = 'x'.repeat(payloadBytes);
  return (sentAt) => {
    const head = `{"bench_t":${sentAt.toFixed(3)},"pad":"`;
    // Exact size keeps runs comparable; a payload too small for the stamp just gets no padding.
    const padLength = Math.max(0, payloadBytes - head.length - 2);
    return `${head}${padding.slice(0, padLength)}"}`;
  };
}

/**
 * Like {@link createEventDataFactory}, with a unique event id after the stamp:
 * `{"bench_t":<ms>,"bench_id":<id>,"pad":"xxx…"}`, so a ledger can tell which event arrived (S1).
 */
export function createIdentifiedEventDataFactory(
  payloadBytes: number,
): (sentAt: number, id: number) => string {
  const padding = 'x'.repeat(payloadBytes);
  return (sentAt, id) => {
    const head = `{"bench_t":${sentAt.toFixed(3)},"bench_id":${id},"pad":"`;
    const padLength = Math.max(0, payloadBytes - head.length - 2);
    return `${head}${padding.slice(0, padLength)}"}`;
  };
}

/**
 * The send time stamped into the benchmark event `data[from..to)`, or `undefined` if it is not one.
 * Scans bytes instead of parsing JSON twice (frame, then data), which would cost the load generator
 * more than the server spends forwarding the frame.
 */
export function readSentAt(data: Buffer, from = 0, to = data.length): number | undefined {
  return readNumberAfter(MARKER, data, from, to);
}

/** The event id of {@link createIdentifiedEventDataFactory} in `data[from..to)`, or `undefined`. */
export function readEventId(data: Buffer, from = 0, to = data.length): number | undefined {
  const id = readNumberAfter(ID_MARKER, data, from, to);
  return id !== undefined && Number.isInteger(id) ? id : undefined;
}

function readNumberAfter(marker: Buffer, data: Buffer, from: number, to: number): number | undefined {
  const markerAt = data.indexOf(marker, from);
  if (markerAt < 0 || markerAt + marker.length > to) return undefined;
  let start = markerAt + marker.length;
  while (start < to && isSeparator(data[start]!)) start++;
  let end = start;
  while (end < to && isNumberByte(data[end]!)) end++;
  if (end === start) return undefined;
  const value = Number(data.toString('latin1', start, end));
  return Number.isFinite(value) ? value : undefined;
}

function isSeparator(byte: number): boolean {
  return byte === BACKSLASH || byte === QUOTE || byte === COLON || byte === SPACE;
}

// Digits, '.', '-', '+', 'e' and 'E': everything toFixed or a re-encoder may emit for a number.
function isNumberByte(byte: number): boolean {
  return (
    (byte >= 0x30 && byte <= 0x39) ||
    byte === 0x2e ||
    byte === 0x2d ||
    byte === 0x2b ||
    byte === 0x65 ||
    byte === 0x45
  );
}
