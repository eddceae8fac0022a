// Corks sockets for the rest of the event-loop turn: every frame one socket receives in that turn (a
// burst of triggers, a presence storm) leaves in one writev instead of one system call per frame.
// The profile of a fan-out was >50% `writev`; this is the "cork around bursts" rule of ARCHITECTURE.md.

import type { Duplex } from 'node:stream';

/** Whatever owns the socket remembers whether it is corked this turn, so it is corked once. */
export interface CorkOwner {
  corked: boolean;
}

const batch: Array<[CorkOwner, Duplex]> = [];
let scheduled = false;

function uncorkAll(): void {
  scheduled = false;
  // Take the list first: a write during uncork() starts the next turn's batch.
  for (const [owner, socket] of batch.splice(0)) {
    owner.corked = false;
    socket.uncork();
  }
}

/** Corks `socket` until the check phase of this event-loop turn (after this turn's I/O callbacks). */
export function corkForThisTurn(owner: CorkOwner, socket: Duplex): void {
  if (owner.corked) return;
  owner.corked = true;
  socket.cork();
  batch.push([owner, socket]);
  if (!scheduled) {
    scheduled = true;
    setImmediate(uncorkAll);
  }
}
