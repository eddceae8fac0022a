// The other nodes this node hears from, with what each holds (replicated from its announcements): who
// is alive, how each routes events, and the "held by any peer?" reads the HorizontalAdapter's first/last
// decisions make. A peer heard from for the first time is greeted with this node's snapshot; a peer
// that times out or says goodbye is forgotten and cleaned up after.

import type { Logger } from '../util/logger.js';
import type { AdapterEvents } from './adapter.js';
import { cleanUpAfterPeer, Peer } from './cluster-peer.js';
import { entryKey, type Header } from './cluster-wire.js';
import type { LocalAdapter } from './local-adapter.js';

/** What {@link ClusterPeers} needs of its node. */
export interface PeersNode {
  readonly nodeId: string;
  readonly local: LocalAdapter;
  readonly logger: Logger;
  /** This node's routing, as its heartbeats say it. */
  readonly mode: 'i' | 'b';
  /** The events a departed peer's cleanup and user announcements raise (undefined before start). */
  events(): AdapterEvents | undefined;
  /** A node heard from for the first time: send it this node's snapshot, asking for its own back. */
  greet(nodeId: string): void;
  /** A peer is gone: stop waiting for its answers. */
  forgotten(nodeId: string): void;
}

/** The peer table of one HorizontalAdapter. */
export class ClusterPeers {
  private readonly peers = new Map<string, Peer>();
  private broadcasting = 0;

  constructor(private readonly node: PeersNode) {}

  /** Peers that do not route by interest; while there are any, routed events are also broadcast. */
  get broadcastPeers(): number {
    return this.broadcasting;
  }

  has(nodeId: string): boolean {
    return this.peers.has(nodeId);
  }

  ids(): IterableIterator<string> {
    return this.peers.keys();
  }

  /** Notes that `nodeId` is alive (and how it routes, when it says); a new peer is greeted. */
  touch(nodeId: string, mode?: 'i' | 'b'): Peer {
    let peer = this.peers.get(nodeId);
    if (!peer) {
      peer = new Peer();
      this.peers.set(nodeId, peer);
      this.broadcasting++; // until it says it routes by interest
      this.node.greet(nodeId);
    }
    if (mode !== undefined && mode !== peer.routing) {
      const wasBroadcast = peer.routing !== 'i';
      peer.routing = mode;
      if (wasBroadcast !== (mode !== 'i')) this.broadcasting += mode === 'i' ? -1 : 1;
      if (mode !== this.node.mode) {
        this.node.logger.warn(
          'a cluster node routes events differently from this one; set the same adapter routing on every node',
          {
            nodeId,
            theirs: mode === 'i' ? 'interest' : 'broadcast',
            ours: this.node.mode === 'i' ? 'interest' : 'broadcast',
          },
        );
      }
    }
    peer.lastSeen = Date.now();
    return peer;
  }

  /** Whether some peer has `userId` in the presence channel. */
  hasMember(appId: string, channel: string, userId: string): boolean {
    const channelKey = entryKey(appId, channel);
    return this.any((peer) => peer.members.get(channelKey)?.has(userId) ?? false);
  }

  /** Whether some peer has a socket in the channel. */
  hasChannel(appId: string, channel: string): boolean {
    const channelKey = entryKey(appId, channel);
    return this.any((peer) => peer.channels.has(channelKey));
  }

  /** Whether some peer has a signed-in socket of the user. */
  hasUser(appId: string, userId: string): boolean {
    const userKey = entryKey(appId, userId);
    return this.any((peer) => peer.users.has(userKey));
  }

  /** Adds the peers' members of a presence channel to `members` (this node's own win). */
  addMembersTo(members: Map<string, unknown>, appId: string, channel: string): void {
    const channelKey = entryKey(appId, channel);
    for (const peer of this.peers.values()) {
      const remote = peer.members.get(channelKey);
      if (remote) for (const [userId, info] of remote) if (!members.has(userId)) members.set(userId, info);
    }
  }

  /** A peer's user came online (`uo`) or went offline (`uf`) on it: cluster-wide transitions are raised. */
  userAnnounced(peer: Peer, h: Header & { k: 'uo' | 'uf' }): void {
    const userKey = entryKey(h.a, h.u);
    const elsewhere = () => this.node.local.hasUser(h.a, h.u) || this.hasUser(h.a, h.u);
    if (h.k === 'uo') {
      const wasOnline = elsewhere();
      peer.users.add(userKey);
      if (!wasOnline) this.node.events()?.userOnline(h.a, h.u);
    } else if (peer.users.delete(userKey) && !elsewhere()) {
      this.node.events()?.userOffline(h.a, h.u);
    }
  }

  /** Drops peers not heard from within `timeoutMs` and cleans up what they held. */
  reap(timeoutMs: number): void {
    const deadline = Date.now() - timeoutMs;
    for (const [nodeId, peer] of this.peers) {
      if (peer.lastSeen >= deadline) continue;
      this.node.logger.warn('cluster node timed out; removing its presence members', { nodeId });
      this.forget(nodeId);
    }
  }

  /** Removes a peer (dead or said goodbye): pending requests stop waiting for it, its state is cleaned up. */
  forget(nodeId: string): void {
    const peer = this.peers.get(nodeId);
    if (!peer) return;
    this.peers.delete(nodeId);
    if (peer.routing !== 'i') this.broadcasting--;
    this.node.forgotten(nodeId);
    cleanUpAfterPeer(peer, {
      nodeId: this.node.nodeId,
      peers: this.peers,
      local: this.node.local,
      events: this.node.events(),
    });
  }

  private any(test: (peer: Peer) => boolean): boolean {
    for (const peer of this.peers.values()) if (test(peer)) return true;
    return false;
  }
}
