// Channel naming rules: type and cache flag from the name prefix, and name validation.

/**
 * Kind of channel, decided by its name prefix. `encrypted` is `private-encrypted-`: the server
 * treats it as private (it never decrypts), but clients need the shared secret.
 */
export type ChannelType = 'public' | 'private' | 'presence' | 'encrypted';

/** What a channel name implies. */
export interface ChannelInfo {
  /** Kind of channel. */
  type: ChannelType;
  /** Whether the server keeps the last event and replays it to new subscribers. */
  cache: boolean;
  /** Whether `pusher:subscribe` must carry a valid `auth` signature. */
  requiresAuth: boolean;
}

/** Prefix of the channel a backend triggers on to reach one signed-in user's connections. */
export const SERVER_TO_USER_PREFIX = '#server-to-user-';

// Longest prefixes first so `private-encrypted-cache-` wins over `private-`.
const PREFIXES: ReadonlyArray<readonly [prefix: string, info: ChannelInfo]> = [
  ['private-encrypted-cache-', { type: 'encrypted', cache: true, requiresAuth: true }],
  ['private-encrypted-', { type: 'encrypted', cache: false, requiresAuth: true }],
  ['private-cache-', { type: 'private', cache: true, requiresAuth: true }],
  ['private-', { type: 'private', cache: false, requiresAuth: true }],
  ['presence-cache-', { type: 'presence', cache: true, requiresAuth: true }],
  ['presence-', { type: 'presence', cache: false, requiresAuth: true }],
  ['cache-', { type: 'public', cache: true, requiresAuth: false }],
];

const PUBLIC: ChannelInfo = { type: 'public', cache: false, requiresAuth: false };

/**
 * Classifies a channel by its anchored name prefix. Unlike Rust Sockudo, `my-cache-x` is not a
 * cache channel: only a leading `cache-` (or `<type>-cache-`) counts.
 * Returns a fresh object so callers may keep or modify it.
 */
export function classifyChannel(name: string): ChannelInfo {
  for (const [prefix, info] of PREFIXES) {
    if (name.startsWith(prefix)) return { ...info };
  }
  return { ...PUBLIC };
}

/** Whether `name` is a presence channel (`presence-…`, including `presence-cache-…`). */
export function isPresenceChannel(name: string): boolean {
  return name.startsWith('presence-');
}

/** Whether `name` is a private channel (`private-…`), including encrypted and cache variants. */
export function isPrivateChannel(name: string): boolean {
  return name.startsWith('private-');
}

/** Whether `name` is an end-to-end encrypted channel (`private-encrypted-…`). */
export function isEncryptedChannel(name: string): boolean {
  return name.startsWith('private-encrypted-');
}

/** Whether the server should cache the last event of channel `name`. */
export function isCacheChannel(name: string): boolean {
  return classifyChannel(name).cache;
}

/** Whether `name` is a `#server-to-user-<id>` channel with a non-empty id. */
export function isServerToUserChannel(name: string): boolean {
  return name.startsWith(SERVER_TO_USER_PREFIX) && name.length > SERVER_TO_USER_PREFIX.length;
}

/** The user id of a `#server-to-user-<id>` channel, or `undefined` for any other name. */
export function userIdFromServerToUserChannel(name: string): string | undefined {
  return isServerToUserChannel(name) ? name.slice(SERVER_TO_USER_PREFIX.length) : undefined;
}

/**
 * Maximum channel name length, prefix included, as the Pusher docs state.
 * (soketi and Rust Sockudo allow 200; pass that as `maxLength` to match them.)
 * @default 164
 */
export const DEFAULT_MAX_CHANNEL_NAME_LENGTH = 164;

const CHANNEL_NAME_CHARS = /^[A-Za-z0-9_\-=@,.;]+$/;

/**
 * Validates a channel name a client asked for. `#` is reserved for server-internal channels, so
 * `#server-to-user-…` is rejected here: letting a client subscribe would let it read another
 * user's messages.
 * @param name - Untrusted input, so any type is accepted.
 * @param maxLength - Longest allowed name. @default 164
 * @returns `undefined` if valid, otherwise a message explaining why not.
 */
export function validateChannelName(
  name: unknown,
  maxLength: number = DEFAULT_MAX_CHANNEL_NAME_LENGTH,
): string | undefined {
  if (typeof name !== 'string') return 'Channel name must be a string';
  if (name.length === 0) return 'Channel name must not be empty';
  if (name.length > maxLength) {
    return `Channel name is ${name.length} characters long (max ${maxLength})`;
  }
  if (name.includes('#')) return "Channel name must not contain '#', which is reserved for internal channels";
  if (!CHANNEL_NAME_CHARS.test(name)) {
    return 'Channel name may only contain A-Z, a-z, 0-9 and _ - = @ , . ;';
  }
  return undefined;
}

/**
 * Validates a channel name a backend triggers on through the HTTP API. Same rules as
 * {@link validateChannelName}, but `#server-to-user-<id>` is also accepted because server SDKs
 * implement `sendToUser` as a trigger on that channel.
 * @param maxLength - Longest allowed name. @default 164
 * @returns `undefined` if valid, otherwise a message explaining why not.
 */
export function validateChannelNameForApi(
  name: unknown,
  maxLength: number = DEFAULT_MAX_CHANNEL_NAME_LENGTH,
): string | undefined {
  if (typeof name === 'string' && name.startsWith(SERVER_TO_USER_PREFIX)) {
    if (name.length > maxLength) return `Channel name is ${name.length} characters long (max ${maxLength})`;
    const userId = name.slice(SERVER_TO_USER_PREFIX.length);
    if (userId.length === 0) return 'Server-to-user channel name must end with a user id';
    // The user id is whatever the app chose at signin (the protocol gives it no charset), and the
    // request is signed by the backend, so only whitespace and control characters are refused.
    if (/[\s\p{Cc}]/u.test(userId)) {
      return 'Server-to-user channel user id must not contain whitespace or control characters';
    }
    return undefined;
  }
  return validateChannelName(name, maxLength);
}
