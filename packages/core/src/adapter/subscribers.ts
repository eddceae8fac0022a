// A channel's local subscribers: the socket itself while it is the only one, a Set from the second on.
// Most channels have one subscriber (`private-user-*`); a one-entry Set costs ~220 heap bytes each.

import type { SocketHandle } from './adapter.js';

export type Subscribers = SocketHandle | Set<SocketHandle>;

/** `subscribers` with `socket` added (the same Set, or a new value to store). */
export function withSubscriber(subscribers: Subscribers | undefined, socket: SocketHandle): Subscribers {
  if (subscribers === undefined || subscribers === socket) return socket;
  if (subscribers instanceof Set) return subscribers.add(socket);
  return new Set([subscribers, socket]);
}

/** `subscribers` without `socket`: the value to store, `undefined` when none is left, or `false` if it was not there. */
export function withoutSubscriber(
  subscribers: Subscribers,
  socket: SocketHandle,
): Subscribers | undefined | false {
  if (!(subscribers instanceof Set)) return subscribers === socket ? undefined : false;
  if (!subscribers.delete(socket)) return false;
  if (subscribers.size === 1) return subscribers.values().next().value!;
  return subscribers;
}

export function subscriberCount(subscribers: Subscribers | undefined): number {
  if (subscribers === undefined) return 0;
  return subscribers instanceof Set ? subscribers.size : 1;
}
