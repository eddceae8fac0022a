// Socket ids: the `"<int>.<int>"` identifiers clients echo back in auth requests.
import { randomInt } from 'node:crypto';

const MAX_PART = 10_000_000_000;

/**
 * A new socket id, `"<a>.<b>"` with each part a cryptographically random integer in
 * 1..10,000,000,000. The id is signed into channel auth, so it must not be guessable.
 */
export function generateSocketId(): string {
  // randomInt's upper bound is exclusive and must stay below 2^48; 10^10 + 1 does.
  return `${randomInt(1, MAX_PART + 1)}.${randomInt(1, MAX_PART + 1)}`;
}

const SOCKET_ID = /^\d+\.\d+$/;

/** Whether `id` has the `"<digits>.<digits>"` shape of a socket id (e.g. an HTTP `socket_id`). */
export function isValidSocketId(id: unknown): id is string {
  return typeof id === 'string' && SOCKET_ID.test(id);
}
