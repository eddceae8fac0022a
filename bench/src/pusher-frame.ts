// Reading Pusher frames as the bench's clients receive them: a slice of a buffer, parsed only when the
// cheap byte check says it is a frame the client cares about.

/** The fields of a Pusher frame the bench reads. */
export interface PusherFrame {
  event?: unknown;
  channel?: unknown;
  data?: unknown;
}

/** Parses `data[start, end)` as a Pusher frame; undefined for anything that is not a JSON object. */
export function parseFrame(data: Buffer, start: number, end: number): PusherFrame | undefined {
  try {
    const parsed: unknown = JSON.parse(data.toString('utf8', start, end));
    return typeof parsed === 'object' && parsed !== null ? (parsed as PusherFrame) : undefined;
  } catch {
    return undefined;
  }
}

/** Whether `needle` occurs within `data[start, end)`. */
export function indexWithin(data: Buffer, needle: Buffer, start: number, end: number): boolean {
  const at = data.indexOf(needle, start);
  return at >= 0 && at + needle.length <= end;
}
