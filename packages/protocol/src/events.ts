// Event names, wire message shapes and protocol-level constants of Pusher Channels protocol 7.

/**
 * Every event name the server sends or understands that is not an application event.
 *
 * `pusher:*` events are public protocol events; `pusher_internal:*` events are consumed by the
 * client library (pusher-js re-emits `subscription_succeeded` as `pusher:subscription_succeeded`).
 */
export const PusherEvent = {
  /** Server → client, first message on a connection: `{ socket_id, activity_timeout }`. */
  ConnectionEstablished: 'pusher:connection_established',
  /** Server → client: `{ code, message }`; `code` is `null` for non-fatal protocol errors. */
  Error: 'pusher:error',
  /** Either direction: a liveness probe, answered with {@link PusherEvent.Pong}. */
  Ping: 'pusher:ping',
  /** Either direction: the reply to {@link PusherEvent.Ping}. */
  Pong: 'pusher:pong',
  /** Client → server: `{ channel, auth?, channel_data? }`. */
  Subscribe: 'pusher:subscribe',
  /** Client → server: `{ channel }`; the server sends no reply. */
  Unsubscribe: 'pusher:unsubscribe',
  /** Client → server: `{ auth, user_data }`. */
  Signin: 'pusher:signin',
  /** Server → client: `{ user_data }` after a successful signin. */
  SigninSuccess: 'pusher:signin_success',
  /** Server → client on a cache channel with nothing cached yet. */
  CacheMiss: 'pusher:cache_miss',
  /**
   * Emitted by pusher-js itself when its auth endpoint fails; some servers (soketi) also send it.
   * Pusher answers a bad signature with {@link PusherEvent.Error} instead.
   */
  SubscriptionError: 'pusher:subscription_error',
  /** Server → client once a subscription is accepted; carries {@link PresenceData} on presence channels. */
  SubscriptionSucceeded: 'pusher_internal:subscription_succeeded',
  /** Server → other presence members: `{ user_id, user_info }`, sent for a user's first connection only. */
  MemberAdded: 'pusher_internal:member_added',
  /** Server → other presence members: `{ user_id }`, sent when a user's last connection leaves. */
  MemberRemoved: 'pusher_internal:member_removed',
  /** Server → client: `{ subscription_count }` for non-presence channels (opt-in per app). */
  SubscriptionCount: 'pusher_internal:subscription_count',
  /** Server → signed-in client: `{ events: [{ name: 'online' | 'offline', user_ids }] }`. */
  WatchlistEvents: 'pusher_internal:watchlist_events',
} as const;

/** Any value of {@link PusherEvent}. */
export type PusherEventName = (typeof PusherEvent)[keyof typeof PusherEvent];

/** Prefix every client-originated event name must carry. */
export const CLIENT_EVENT_PREFIX = 'client-';

/** Whether `name` is a client event (`client-…`), the only kind a client may publish. */
export function isClientEvent(name: string): boolean {
  return typeof name === 'string' && name.startsWith(CLIENT_EVENT_PREFIX);
}

/**
 * Whether `name` belongs to the protocol's own namespace (`pusher:` or `pusher_internal:`).
 * Backends must not trigger such events: clients would treat them as protocol messages.
 */
export function isReservedEventName(name: string): boolean {
  return typeof name === 'string' && (name.startsWith('pusher:') || name.startsWith('pusher_internal:'));
}

/**
 * One WebSocket message in either direction.
 *
 * Server → client `data` is normally a JSON-encoded *string* ("double encoding"); clients may send
 * `pusher:subscribe`, `pusher:signin` and client events with an object instead.
 */
export interface PusherMessage {
  /** Event name; always present. */
  event: string;
  /** Channel the event belongs to, absent on connection-level events. */
  channel?: string;
  /** Payload, usually a JSON string. */
  data?: unknown;
  /** Sender's user id on client events in presence channels. */
  user_id?: string;
}

/** Payload of `pusher:subscribe`. */
export interface SubscribeData {
  /** Channel to join. */
  channel: string;
  /** `"<key>:<hex signature>"`, required for private, presence and encrypted channels. */
  auth?: string;
  /** JSON string of {@link PresenceChannelData}; presence channels only, and part of the signature. */
  channel_data?: string;
}

/** Payload of `pusher:signin`. */
export interface SigninData {
  /** `"<key>:<hex signature>"` over `<socket_id>::user::<user_data>`. */
  auth: string;
  /** JSON string with at least a non-empty string `id`; optional `user_info` and `watchlist`. */
  user_data: string;
}

/** Decoded `channel_data` of a presence subscription. */
export interface PresenceChannelData {
  /** The member's id; the docs' examples use numbers, so servers should stringify it. */
  user_id: string | number;
  /** Arbitrary public information about the member, shared with other members. */
  user_info?: unknown;
}

/** Decoded `data` of `pusher_internal:subscription_succeeded` on a presence channel. */
export interface PresenceData {
  presence: {
    /** Unique member ids. */
    ids: string[];
    /** `user_info` by member id. */
    hash: Record<string, unknown>;
    /** Number of unique members, equal to `ids.length`. */
    count: number;
  };
}

/** Decoded `data` of `pusher:error`. */
export interface ErrorData {
  /** A close-range code (see `ErrorCode`), or `null` for a non-fatal protocol error. */
  code: number | null;
  /** Human-readable reason. */
  message: string;
}

/** The Pusher protocol version this package implements; clients send it as `?protocol=7`. */
export const PROTOCOL_VERSION = 7;

/**
 * Seconds of silence after which a client should send `pusher:ping`; advertised in
 * `pusher:connection_established`. Clients use the minimum of this and their own setting.
 * @default 120
 */
export const DEFAULT_ACTIVITY_TIMEOUT = 120;

/**
 * Seconds to wait for `pusher:pong` before giving up on the peer (close code 4201).
 * @default 30
 */
export const PONG_TIMEOUT = 30;
