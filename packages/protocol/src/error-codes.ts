// WebSocket close / `pusher:error` codes and how clients are expected to react to each range.

/**
 * Close and error codes defined by the Pusher protocol.
 *
 * The range tells a client what to do: 4000–4099 don't reconnect, 4100–4199 back off,
 * 4200–4299 reconnect immediately, 4300–4399 other errors.
 */
export const ErrorCode = {
  /** The app accepts TLS connections only; reconnect with `wss://`. */
  SslOnly: 4000,
  /** No app has this key. */
  AppNotFound: 4001,
  /** The app exists but is disabled. */
  AppDisabled: 4003,
  /** The app has reached its connection limit. */
  OverConnectionQuota: 4004,
  /** The WebSocket path is not `/app/<key>`. */
  PathNotFound: 4005,
  /** The `version` query parameter could not be parsed. */
  InvalidVersionFormat: 4006,
  /** The requested protocol version is not supported. */
  UnsupportedProtocolVersion: 4007,
  /** No protocol version was supplied. */
  NoProtocolVersion: 4008,
  /** The connection is not authorized (bad auth, terminated by the app, signin timeout). */
  Unauthorized: 4009,
  /** The server is over capacity; back off and retry. */
  OverCapacity: 4100,
  /** Generic "reconnect now", e.g. on server shutdown. */
  ReconnectImmediately: 4200,
  /** The client did not answer a ping in time. */
  PongNotReceived: 4201,
  /** The connection was idle too long (clients that don't support ping). */
  ClosedAfterInactivity: 4202,
  /** Any other error, e.g. an invalid channel name. */
  GenericError: 4300,
  /** A client event was rejected, for example by the rate limit. */
  ClientEventRejected: 4301,
  /** The watchlist was longer than allowed; only the first ids were accepted. */
  WatchlistLimitExceeded: 4302,
} as const;

/** Any value of {@link ErrorCode}. */
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/**
 * What a client should do after a connection closes with a given code.
 * - `none`: reconnecting unchanged will fail.
 * - `backoff`: reconnect after waiting (at least 1 s, possibly exponential).
 * - `immediately`: reconnect at once.
 * - `other`: any other error; the protocol prescribes nothing.
 */
export type ReconnectStrategy = 'none' | 'backoff' | 'immediately' | 'other';

/**
 * The reconnect strategy the protocol assigns to `code`'s range.
 * Codes outside 4000–4399 (including standard WebSocket codes) map to `other`.
 */
export function reconnectStrategy(code: number): ReconnectStrategy {
  if (code >= 4000 && code <= 4099) return 'none';
  if (code >= 4100 && code <= 4199) return 'backoff';
  if (code >= 4200 && code <= 4299) return 'immediately';
  return 'other';
}

const DESCRIPTIONS: Readonly<Record<number, string>> = {
  4000: 'Application only accepts SSL connections, reconnect using wss://',
  4001: 'Application does not exist',
  4003: 'Application disabled',
  4004: 'Application is over connection quota',
  4005: 'Path not found',
  4006: 'Invalid version string format',
  4007: 'Unsupported protocol version',
  4008: 'No protocol version supplied',
  4009: 'Connection is unauthorized',
  4100: 'Over capacity',
  4200: 'Generic reconnect immediately',
  4201: 'Pong reply not received',
  4202: 'Closed after inactivity',
  4300: 'Generic error',
  4301: 'Client event rejected due to rate limit',
  4302: 'Watchlist limit exceeded',
};

/**
 * The meaning the Pusher docs give `code`, suitable as a close reason.
 * Unknown codes get a description of their range instead.
 */
export function describeErrorCode(code: number): string {
  const known = DESCRIPTIONS[code];
  if (known !== undefined) return known;
  switch (reconnectStrategy(code)) {
    case 'none':
      return 'Error: do not reconnect unchanged';
    case 'backoff':
      return 'Error: reconnect after backing off';
    case 'immediately':
      return 'Error: reconnect immediately';
    default:
      return 'Unknown error';
  }
}
