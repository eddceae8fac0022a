// The connection's public shape, owned apart from the Connection class so the handlers it dispatches to
// (sign-in) can take it without importing connection.ts, which imports them.

import type { Subscriber } from '../channels/subscriber.js';

/** A connection as its message handlers see it: a {@link Subscriber} that can also sign in. */
export interface SessionSocket extends Subscriber {
  /** User ids this socket watches (after sign-in with a watchlist). */
  watchlist: readonly string[];
  /** Records a successful `pusher:signin`: sets `userId` and stops the sign-in deadline. */
  signedIn(userId: string): void;
}
