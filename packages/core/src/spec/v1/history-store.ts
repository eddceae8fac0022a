// The durable history of channels: per (app, channel) a stream of messages with consecutive serials,
// read back in pages. Connection recovery, gap filling and the history HTTP routes are built on it.

/** The order of a page: `newest_first` (Rust Sockudo's default) walks back in time, `oldest_first` forwards. */
export type HistoryDirection = 'newest_first' | 'oldest_first';

/**
 * How much of a channel's history is kept. Applied when a message is appended to the channel: first
 * messages older than the window go, then the oldest beyond the count bound, then the oldest beyond the
 * byte bound. The newest message is never dropped by the count or byte bound.
 */
export interface HistoryRetention {
  /** Messages published longer ago than this many seconds are dropped. At least 1. */
  retentionWindowSeconds: number;
  /** Most messages kept per channel; the oldest go first. At least 1. `undefined`: no count bound. */
  maxMessagesPerChannel?: number | undefined;
  /** Most payload bytes (UTF-8) kept per channel; the oldest go first. `undefined`: no byte bound. */
  maxBytesPerChannel?: number | undefined;
}

/** What the caller hands to {@link HistoryStoreV1.append}. */
export interface HistoryMessage {
  /**
   * The message as it is to be replayed (the server stores the JSON text of the delivered message).
   * Any string of well-formed UTF-16 (no lone surrogates, which `JSON.stringify` never produces); it
   * comes back from {@link HistoryStoreV1.readPage} unchanged, character for character.
   */
  payload: string;
  /** The event name, for listings. */
  eventName?: string | undefined;
  /** A unique id for client-side de-duplication (Sockudo's `message_id`). */
  messageId?: string | undefined;
  /** What kind of write this is, in Rust Sockudo's terms. @default 'append' */
  operationKind?: string | undefined;
}

/** Where an append landed. */
export interface HistoryAppendResult {
  /** The channel's stream the message belongs to. */
  streamId: string;
  /** Its serial: one more than the previous message's in the same stream, 1 for the first. */
  serial: number;
  /** When the store recorded it (ms since the epoch, the store's clock). */
  publishedAtMs: number;
}

/** A position in a channel's history: the message `serial` of stream `streamId`. Used as a page cursor. */
export interface HistoryPosition {
  streamId: string;
  serial: number;
}

/** One stored message, as a page returns it. */
export interface HistoryItem {
  streamId: string;
  serial: number;
  /** Never less than the previous serial's: the store's clock, held back from going backwards. */
  publishedAtMs: number;
  messageId?: string | undefined;
  eventName?: string | undefined;
  operationKind: string;
  /** Exactly the string that was appended. */
  payload: string;
  /** The UTF-8 length of `payload`: what counts towards `maxBytesPerChannel` and `retainedBytes`. */
  payloadSizeBytes: number;
}

/** Inclusive limits on what a page may contain; each one optional. */
export interface HistoryBounds {
  startSerial?: number | undefined;
  endSerial?: number | undefined;
  startTimeMs?: number | undefined;
  endTimeMs?: number | undefined;
}

/** What {@link HistoryStoreV1.readPage} is asked for. */
export interface HistoryReadRequest {
  appId: string;
  channel: string;
  direction: HistoryDirection;
  /** Most items in the page; an integer of at least 1. The caller caps it (`history.max_page_size`). */
  limit: number;
  /**
   * Continue after this item (exclusive), in `direction`: the `nextCursor` of the previous page. The
   * other fields must be those of the request that produced it.
   */
  cursor?: HistoryPosition | undefined;
  bounds?: HistoryBounds | undefined;
}

/** What a channel's history holds right now. */
export interface HistoryStreamState {
  /**
   * The channel's current stream. `undefined` for a channel never appended to (or whose state the store
   * has forgotten, e.g. a Redis key that expired after its retention window): the next append starts
   * a new stream.
   */
  streamId: string | undefined;
  /** The serial the next append gets; `undefined` together with `streamId`. */
  nextSerial: number | undefined;
  retainedMessages: number;
  /** Sum of `payloadSizeBytes` over the retained messages. */
  retainedBytes: number;
  /** Retained serials are always the consecutive run `oldestSerial..newestSerial`; both `undefined` when none. */
  oldestSerial: number | undefined;
  newestSerial: number | undefined;
  oldestPublishedAtMs: number | undefined;
  newestPublishedAtMs: number | undefined;
}

/** One page of a channel's history. */
export interface HistoryPage {
  /** In `direction` order, consecutive serials of one stream, within the bounds, at most `limit`. */
  items: HistoryItem[];
  /** True when more items match after the last one; `nextCursor` is then given. */
  hasMore: boolean;
  /** The last item's position when `hasMore`: pass it as the next request's `cursor`. */
  nextCursor: HistoryPosition | undefined;
  /**
   * The channel's state at the moment the page was read. With it the caller derives Rust Sockudo's
   * `truncated_by_retention` (a start bound below `oldestSerial`/`oldestPublishedAtMs`, or no start
   * bound and `oldestSerial > 1`) and `complete` (`!hasMore && !truncated_by_retention`).
   */
  state: HistoryStreamState;
}

/** Which messages {@link HistoryStoreV1.purge} drops. */
export type HistoryPurgeRequest =
  | { mode: 'all' }
  /** Every message with a serial below `beforeSerial`. */
  | { mode: 'before_serial'; beforeSerial: number }
  /** Every message published before `beforeTimeMs` (ms since the epoch). */
  | { mode: 'before_time_ms'; beforeTimeMs: number };

/** What a purge dropped, and what is left. */
export interface HistoryPurgeResult {
  purgedMessages: number;
  purgedBytes: number;
  state: HistoryStreamState;
}

/** What a reset dropped, and the new stream. */
export interface HistoryResetResult {
  /** `undefined` when the channel had no stream. */
  previousStreamId: string | undefined;
  newStreamId: string;
  purgedMessages: number;
  purgedBytes: number;
  state: HistoryStreamState;
}

/**
 * Channel history: for each (app, channel) a **stream** of messages. A stream has an id (an epoch) and
 * numbers its messages with **serials** 1, 2, 3, … The stream id changes only when continuity is lost:
 * on {@link reset}, or when the store forgets the channel altogether. So a position
 * `(streamId, serial)` names one message for good, and a client that holds one can tell "nothing
 * missed" (same stream, next serial) from "history gone" (another stream).
 *
 * What every implementation promises (checked by `historyStoreTestSuite` of `@sockudo/test-suite`):
 *
 * * `append` assigns the next serial **atomically**: appends racing from many callers, processes or
 *   nodes sharing the store's backend get distinct, consecutive serials with no gap, and a message is
 *   readable under its serial as soon as `append` resolved. Channels, and apps, are independent.
 * * What is retained is always a consecutive run of serials of the current stream; retention only ever
 *   drops from the old end (a `before_time_ms` purge too: times never decrease along a stream).
 * * Pages in either direction, followed by their cursors, return every retained message in range
 *   exactly once, in order. A cursor whose next message is no longer retained, or of a stream that was
 *   reset, makes `readPage` reject with `HistoryCursorExpiredError` (`isInstance` from `@sockudo/core`)
 *   rather than skip: a gap is never silent.
 * * Payloads come back exactly as appended (any Unicode, several hundred KB).
 * * Durable stores keep streams, serials and messages across restarts: a new instance over the same
 *   backend continues the same stream with the next serial.
 * * Instances configured with different prefixes/namespaces never see each other's channels.
 *
 * Requests are validated by the caller (the HTTP routes answer bad input with 400); an implementation
 * may reject a request that breaks the rules written on {@link HistoryReadRequest} with
 * `InvalidHistoryRequestError`.
 */
export interface HistoryStoreV1 {
  readonly specVersion: 1;
  /**
   * True when appends of one channel, called one after the other without waiting, are given serials in
   * the order they were called (one connection executing commands in order, as Redis does; an
   * in-process store). Publishers then keep many appends of a channel in flight instead of one.
   * Absent or false: each append of a channel waits for the one before it. @default false
   */
  readonly orderedAppends?: boolean;
  /**
   * Appends `message` to the channel's stream in one atomic step: assigns the next serial (starting the
   * stream, with a new id and serial 1, if the channel has none), stores the message, then trims the
   * channel to `retention`.
   * @param retention the channel's policy (per app and namespace); omitted: the store's default.
   * @returns the stream, serial and time the message was stored under.
   */
  append(
    appId: string,
    channel: string,
    message: HistoryMessage,
    retention?: HistoryRetention,
  ): Promise<HistoryAppendResult>;
  /**
   * One page of the channel's retained messages, in `direction`, within `bounds`, after `cursor`.
   * A channel without history gives an empty page. Never writes, except that a store may drop
   * messages past their retention while it reads.
   * @throws HistoryCursorExpiredError when `cursor` is of another stream than the channel's, or the
   * message after it (in `direction`, within the start/end serial bounds) is no longer retained.
   */
  readPage(request: HistoryReadRequest): Promise<HistoryPage>;
  /** The channel's stream id, next serial and what is retained. Does not create a stream. */
  state(appId: string, channel: string): Promise<HistoryStreamState>;
  /**
   * Starts the channel afresh: drops every message and gives it a new stream id, with serials from 1
   * again. Works on a channel without a stream too (it gets one). Atomic with respect to `append`: an
   * append lands wholly in the old stream (and is dropped) or wholly in the new one.
   */
  reset(appId: string, channel: string): Promise<HistoryResetResult>;
  /**
   * Drops messages of the channel (all, or those before a serial or a time) and keeps its stream id and
   * next serial, so positions stay comparable. A channel without a stream is left without one.
   */
  purge(appId: string, channel: string, request: HistoryPurgeRequest): Promise<HistoryPurgeResult>;
  /** Resolves while the backend answers; rejects, saying why, when it does not. */
  checkHealth(): Promise<void>;
  /** Releases connections (not those of a client it was given). Later calls reject; calling it again resolves. */
  close(): Promise<void>;
}
