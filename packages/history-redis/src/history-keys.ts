// Where one channel's history lives in Redis. Both keys of a channel carry the same hash tag, so on a
// Redis Cluster they share one slot and a Lua script may touch both atomically; different channels
// spread over the slots.

/** The Redis keys of one (app, channel). */
export interface HistoryKeys {
  /**
   * Hash: `sid` the stream id, `next` the next serial, `total` the payload bytes appended to the stream
   * so far, `last` the newest message's time (ms, Redis clock), `win` the retention window of the last
   * append (seconds).
   */
  meta: string;
  /**
   * Stream: one entry per retained message, id `<serial>-0`, fields `t` (time), `n` (payload bytes),
   * `c` (the stream's `total` including this message), `o` (operation kind), `p` (payload), and `e`
   * (event name) and `m` (message id) when given.
   */
  entries: string;
}

// Inside a hash tag `{` and `}` must not appear, and `:` separates app from channel: all three (and the
// escape character itself) are percent-escaped, so distinct (app, channel) pairs never share keys.
const escapePart = (part: string) =>
  part.replace(/[%{}:]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** `${prefix}{${app}:${channel}}:meta` and `…:entries`, with `%`, `{`, `}` and `:` escaped in app and channel. */
export function historyKeys(prefix: string, appId: string, channel: string): HistoryKeys {
  const base = `${prefix}{${escapePart(appId)}:${escapePart(channel)}}:`;
  return { meta: `${base}meta`, entries: `${base}entries` };
}
