// The one PostgreSQL notification channel a cluster shares. Nodes with the same prefix form one
// cluster; channel names are identifiers, so a prefix longer than PostgreSQL allows is hashed.

import { createHash } from 'node:crypto';

/** PostgreSQL identifiers (and so channel names) are at most NAMEDATALEN - 1 = 63 bytes. */
export const MAX_CHANNEL_BYTES = 63;

/** The default prefix, and so the default channel. */
export const DEFAULT_PREFIX = 'sockudo';

/**
 * The channel for `prefix`: the prefix itself when it fits in 63 bytes, else `sockudo_` and 48 hex
 * digits of its SHA-256 (so every node derives the same name).
 *
 * @throws TypeError for an empty prefix or one with a NUL character
 */
export function channelName(prefix: string): string {
  if (prefix === '' || prefix.includes('\0')) {
    throw new TypeError(
      `pg-notify transport: prefix must be a non-empty string without NUL, got ${JSON.stringify(prefix)}`,
    );
  }
  if (Buffer.byteLength(prefix) <= MAX_CHANNEL_BYTES) return prefix;
  return `sockudo_${createHash('sha256').update(prefix).digest('hex').slice(0, 48)}`;
}

/** `name` as a quoted SQL identifier, for `LISTEN`/`UNLISTEN` (which take no parameters). */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
