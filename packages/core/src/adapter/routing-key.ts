// Routing keys: the names under which a TransportV2 routes an (app, channel) or (app, user) to the nodes
// that have local interest in it. One alphabet that is safe as is in Redis channel names, NATS subjects
// and AMQP routing keys, so transports only ever prepend a prefix.

import { createHash } from 'node:crypto';

/** The characters a key token keeps as they are; everything else is percent-escaped (UTF-8 bytes). */
const SAFE = /^[A-Za-z0-9_\-=@,;]+$/;

/** Keys longer than this are replaced by a hash of themselves (AMQP allows 255 bytes, NATS and Redis more). */
export const MAX_ROUTING_KEY_LENGTH = 1024;

/** Escapes one token: `.`, `%`, `*`, `>`, `#`, whitespace, braces, … become `%HH`; "" becomes `%`. */
export function escapeToken(value: string): string {
  if (SAFE.test(value)) return value;
  if (value === '') return '%';
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const char = String.fromCharCode(byte);
    out += byte < 0x80 && SAFE.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function routingKey(kind: 'c' | 'u', appId: string, name: string): string {
  const key = `${kind}.${escapeToken(appId)}.${escapeToken(name)}`;
  if (key.length <= MAX_ROUTING_KEY_LENGTH) return key;
  return `${kind}.h.${createHash('sha256').update(key).digest('hex')}`;
}

/** The key of a channel's events: `c.<app>.<channel>`. */
export function channelRoutingKey(appId: string, channel: string): string {
  return routingKey('c', appId, channel);
}

/** The key of a user's `sendToUser` and `terminate_connections`: `u.<app>.<user>`. */
export function userRoutingKey(appId: string, userId: string): string {
  return routingKey('u', appId, userId);
}
