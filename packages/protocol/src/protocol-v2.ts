// Sockudo's protocol V2 (`?protocol=2` on the WebSocket URL), as Rust Sockudo serves it: the same
// channels and frames as Pusher's protocol 7, with `sockudo:` / `sockudo_internal:` in place of
// `pusher:` / `pusher_internal:`, plus the fields of the `extras` envelope.

/** The `protocol` query value that selects Sockudo's V2 wire. Anything else (Pusher's `7`) is V1. */
export const PROTOCOL_V2 = 2;

/** Prefix of V2's public protocol events (`sockudo:subscribe`, `sockudo:error`, ...). */
export const SOCKUDO_EVENT_PREFIX = 'sockudo:';
/** Prefix of V2's internal events (`sockudo_internal:subscription_succeeded`, ...). */
export const SOCKUDO_INTERNAL_PREFIX = 'sockudo_internal:';

const PUSHER = 'pusher:';
const PUSHER_INTERNAL = 'pusher_internal:';

/**
 * The Pusher name of a protocol event given with either prefix (`sockudo:subscribe` →
 * `pusher:subscribe`, `sockudo_internal:x` → `pusher_internal:x`); any other name is returned as is.
 * Rust Sockudo accepts both prefixes from every socket.
 */
export function canonicalEventName(event: string): string {
  if (event.startsWith(SOCKUDO_EVENT_PREFIX)) return PUSHER + event.slice(SOCKUDO_EVENT_PREFIX.length);
  if (event.startsWith(SOCKUDO_INTERNAL_PREFIX)) {
    return PUSHER_INTERNAL + event.slice(SOCKUDO_INTERNAL_PREFIX.length);
  }
  return event;
}

/**
 * The name a V2 socket receives for `event`: `pusher:x` → `sockudo:x`, `pusher_internal:x` →
 * `sockudo_internal:x`; application events (`client-…`, `order.created`) are unchanged.
 */
export function v2EventName(event: string): string {
  if (event.startsWith(PUSHER)) return SOCKUDO_EVENT_PREFIX + event.slice(PUSHER.length);
  if (event.startsWith(PUSHER_INTERNAL)) return SOCKUDO_INTERNAL_PREFIX + event.slice(PUSHER_INTERNAL.length);
  return event;
}

/** Whether `event` is a protocol event of either protocol (not an application or client event). */
export function isProtocolEvent(event: string): boolean {
  return (
    event.startsWith(PUSHER) ||
    event.startsWith(PUSHER_INTERNAL) ||
    event.startsWith(SOCKUDO_EVENT_PREFIX) ||
    event.startsWith(SOCKUDO_INTERNAL_PREFIX)
  );
}

/** A scalar header value of `extras.headers` (flat: no objects, no arrays). */
export type ExtrasHeaderValue = string | number | boolean;

/**
 * The V2 `extras` envelope of a published message (Rust Sockudo's `MessageExtras`, camelCase on the
 * wire). V2 sockets receive it as published; V1 sockets never see it.
 */
export interface MessageExtras {
  /** Flat metadata for server-side filtering. */
  headers?: Record<string, ExtrasHeaderValue>;
  /** Deliver to connected subscribers only: no webhook, never stored in history. */
  ephemeral?: boolean;
  /** Per-message override of the publisher's echo setting. */
  echo?: boolean;
  /** Extras-level idempotency key, carried to V2 subscribers. */
  idempotencyKey?: string;
}
