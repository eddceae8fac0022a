// HMAC signing and constant-time verification for channel auth, user auth, the HTTP API and webhooks.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** Hex HMAC-SHA256 of `data` (UTF-8) keyed with `secret`. */
export function hmacSha256Hex(secret: string, data: string): string {
  return createHmac('sha256', secret).update(data, 'utf8').digest('hex');
}

/** Hex MD5 of `data` (strings are hashed as UTF-8), as used for the HTTP API's `body_md5`. */
export function md5Hex(data: string | Uint8Array): string {
  const hash = createHash('md5');
  if (typeof data === 'string') hash.update(data, 'utf8');
  else hash.update(data);
  return hash.digest('hex');
}

/**
 * Compares two strings in constant time (for equal lengths) so signatures can't be recovered by
 * timing. Returns `false` on length mismatch instead of throwing; lengths of hex digests are public.
 */
export function safeEqual(a: string, b: string): boolean {
  if (typeof a !== 'string' || typeof b !== 'string') return false;
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  if (left.length !== right.length) return false;
  return timingSafeEqual(left, right);
}

/** The string signed for a channel subscription: `socketId:channel[:channelData]`. */
export function channelAuthStringToSign(socketId: string, channel: string, channelData?: string): string {
  return channelData === undefined ? `${socketId}:${channel}` : `${socketId}:${channel}:${channelData}`;
}

/**
 * The `auth` value for subscribing `socketId` to `channel`: `"<key>:<hex signature>"`.
 * Pass `channelData` (the exact JSON string sent as `channel_data`) for presence channels.
 */
export function signChannelAuth(
  key: string,
  secret: string,
  socketId: string,
  channel: string,
  channelData?: string,
): string {
  return `${key}:${hmacSha256Hex(secret, channelAuthStringToSign(socketId, channel, channelData))}`;
}

// Splits "<key>:<signature>" on the first colon; keys never contain one.
function splitAuth(auth: unknown): { key: string; signature: string } | undefined {
  if (typeof auth !== 'string') return undefined;
  const colon = auth.indexOf(':');
  if (colon < 0) return undefined;
  return { key: auth.slice(0, colon), signature: auth.slice(colon + 1) };
}

/**
 * Whether `auth` is a valid channel subscription signature for this app, socket and channel.
 * False if `auth` is not a string, names another key, or the signature doesn't match.
 */
export function verifyChannelAuth(
  key: string,
  secret: string,
  socketId: string,
  channel: string,
  auth: unknown,
  channelData?: string,
): boolean {
  const parts = splitAuth(auth);
  if (parts === undefined || !safeEqual(parts.key, key)) return false;
  return safeEqual(
    parts.signature,
    hmacSha256Hex(secret, channelAuthStringToSign(socketId, channel, channelData)),
  );
}

/** The string signed for `pusher:signin`: `socketId::user::userData`. */
export function userAuthStringToSign(socketId: string, userData: string): string {
  return `${socketId}::user::${userData}`;
}

/** The `auth` value for signing in `socketId` with `userData` (the exact JSON string sent). */
export function signUserAuth(key: string, secret: string, socketId: string, userData: string): string {
  return `${key}:${hmacSha256Hex(secret, userAuthStringToSign(socketId, userData))}`;
}

/** Whether `auth` is a valid signin signature for this app, socket and `userData`. */
export function verifyUserAuth(
  key: string,
  secret: string,
  socketId: string,
  userData: string,
  auth: unknown,
): boolean {
  const parts = splitAuth(auth);
  if (parts === undefined || !safeEqual(parts.key, key)) return false;
  return safeEqual(parts.signature, hmacSha256Hex(secret, userAuthStringToSign(socketId, userData)));
}

/**
 * The base64 `shared_secret` an auth endpoint returns for a `private-encrypted-` channel:
 * sha256(channel name ‖ master key), as pusher-http-node's `channelSharedSecret` computes it.
 * The server never needs it (it doesn't decrypt); it is here for auth endpoints and tests.
 * @param encryptionMasterKeyBase64 - The app's 32-byte encryption master key, base64-encoded.
 */
export function encryptedChannelSharedSecret(channel: string, encryptionMasterKeyBase64: string): string {
  return createHash('sha256')
    .update(Buffer.from(channel, 'utf8'))
    .update(Buffer.from(encryptionMasterKeyBase64, 'base64'))
    .digest('base64');
}

/** Input to {@link signHttpRequest}. */
export interface HttpSignatureParams {
  /** App key, sent as `auth_key`. */
  key: string;
  /** App secret; never sent. */
  secret: string;
  /** HTTP method; uppercased before signing. */
  method: string;
  /** Request path without the query string, e.g. `/apps/3/events`. */
  path: string;
  /** Other query parameters to send and sign (unescaped values). */
  params?: Record<string, string>;
  /** Raw request body; when non-empty its MD5 is added as `body_md5`. */
  body?: string | Uint8Array;
  /** Unix time in seconds. @default the current time */
  timestamp?: number;
}

/**
 * The string signed for an HTTP API request:
 * `METHOD\npath\nk1=v1&k2=v2…` with every parameter except `auth_signature`, keys lowercased and
 * sorted, values not URL-escaped.
 */
export function httpStringToSign(method: string, path: string, params: Record<string, string>): string {
  const query = Object.entries(params)
    .map(([name, value]) => [name.toLowerCase(), value] as const)
    .filter(([name]) => name !== 'auth_signature')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
  return `${method.toUpperCase()}\n${path}\n${query}`;
}

/**
 * Signs an HTTP API request. Returns the complete query parameters to send: the caller's `params`
 * plus `auth_key`, `auth_timestamp`, `auth_version` (`1.0`), `body_md5` (non-empty bodies only)
 * and `auth_signature`.
 */
export function signHttpRequest(p: HttpSignatureParams): Record<string, string> {
  const query: Record<string, string> = {
    ...p.params,
    auth_key: p.key,
    auth_timestamp: String(p.timestamp ?? Math.floor(Date.now() / 1000)),
    auth_version: '1.0',
  };
  if (p.body !== undefined && p.body.length > 0) query.body_md5 = md5Hex(p.body);
  query.auth_signature = hmacSha256Hex(p.secret, httpStringToSign(p.method, p.path, query));
  return query;
}

/** Why {@link verifyHttpRequest} rejected a request. */
export type HttpSignatureFailure =
  | 'missing_params'
  | 'invalid_key'
  | 'stale_timestamp'
  | 'body_md5_mismatch'
  | 'invalid_signature';

/** Input to {@link verifyHttpRequest}. */
export interface VerifyHttpRequestInput {
  /** HTTP method of the request. */
  method: string;
  /** Request path without the query string, exactly as received. */
  path: string;
  /** Decoded query parameters. */
  query: Record<string, string>;
  /** The body bytes as received, before any JSON parsing. */
  rawBody: Uint8Array | string;
  /** The app key the request must name. */
  key: string;
  /** The app secret. */
  secret: string;
  /** Server time in Unix seconds. @default the current time */
  now?: number;
  /** Largest accepted distance between `auth_timestamp` and `now`, in seconds. @default 600 */
  maxSkewSeconds?: number;
}

/** Result of {@link verifyHttpRequest}; `message` is safe to return to the caller. */
export type VerifyHttpRequestResult =
  | { ok: true }
  | { ok: false; reason: HttpSignatureFailure; message: string };

/**
 * Default for {@link VerifyHttpRequestInput.maxSkewSeconds}: the Pusher docs' 600 s.
 * @default 600
 */
export const DEFAULT_HTTP_MAX_SKEW_SECONDS = 600;

const EMPTY_MD5 = md5Hex('');

/**
 * Verifies a signed HTTP API request.
 *
 * Checks, in order: `auth_key`, `auth_timestamp` and `auth_signature` are present; `auth_key` is
 * this app's key; the timestamp is within `maxSkewSeconds` of `now`; `body_md5` matches the raw body;
 * the signature matches. `body_md5` is required for a non-empty body. For an empty body it is
 * optional, but if sent it must be the MD5 of the empty string: some SDKs send it for every POST
 * (Rust Sockudo rejects it outright, which breaks them), while a wrong value is still rejected
 * because it is part of the signed string and may reflect a body that was stripped in transit.
 *
 * Messages never contain the secret or the expected signature.
 */
export function verifyHttpRequest(input: VerifyHttpRequestInput): VerifyHttpRequestResult {
  const { query } = input;
  const missing = ['auth_key', 'auth_timestamp', 'auth_signature'].filter(
    (name) => typeof query[name] !== 'string' || query[name] === '',
  );
  if (missing.length > 0) {
    return {
      ok: false,
      reason: 'missing_params',
      message: `Missing query parameter${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}`,
    };
  }
  const authKey = query.auth_key!;
  const timestampText = query.auth_timestamp!;
  const signature = query.auth_signature!;

  if (!safeEqual(authKey, input.key)) {
    return { ok: false, reason: 'invalid_key', message: 'auth_key does not match the app key' };
  }

  const maxSkew = input.maxSkewSeconds ?? DEFAULT_HTTP_MAX_SKEW_SECONDS;
  const now = input.now ?? Math.floor(Date.now() / 1000);
  if (!/^\d+$/.test(timestampText)) {
    return {
      ok: false,
      reason: 'stale_timestamp',
      message: 'auth_timestamp must be a Unix time in whole seconds',
    };
  }
  const skew = Math.abs(now - Number(timestampText));
  if (skew > maxSkew) {
    return {
      ok: false,
      reason: 'stale_timestamp',
      message: `auth_timestamp is ${skew} seconds from server time (max ${maxSkew})`,
    };
  }

  const bodyMd5 = query.body_md5;
  if (input.rawBody.length > 0) {
    if (bodyMd5 === undefined || bodyMd5 === '') {
      return {
        ok: false,
        reason: 'missing_params',
        message: 'Missing query parameter: body_md5 (required when the request has a body)',
      };
    }
    if (!safeEqual(bodyMd5.toLowerCase(), md5Hex(input.rawBody))) {
      return {
        ok: false,
        reason: 'body_md5_mismatch',
        message: 'body_md5 does not match the MD5 of the request body',
      };
    }
  } else if (bodyMd5 !== undefined && !safeEqual(bodyMd5.toLowerCase(), EMPTY_MD5)) {
    return {
      ok: false,
      reason: 'body_md5_mismatch',
      message: 'body_md5 was sent but the request body is empty',
    };
  }

  const expected = hmacSha256Hex(input.secret, httpStringToSign(input.method, input.path, query));
  if (!safeEqual(signature.toLowerCase(), expected)) {
    return {
      ok: false,
      reason: 'invalid_signature',
      message:
        'auth_signature does not match; sign METHOD\\npath\\nsorted_query with HMAC-SHA256 of the app secret',
    };
  }
  return { ok: true };
}

/** The `X-Pusher-Signature` header for a webhook: hex HMAC-SHA256 of the raw JSON body. */
export function signWebhook(secret: string, body: string): string {
  return hmacSha256Hex(secret, body);
}

/** Whether `signature` is the correct `X-Pusher-Signature` for `body`; safe for untrusted input. */
export function verifyWebhook(secret: string, body: string, signature: unknown): boolean {
  if (typeof signature !== 'string') return false;
  return safeEqual(signature.toLowerCase(), signWebhook(secret, body));
}
