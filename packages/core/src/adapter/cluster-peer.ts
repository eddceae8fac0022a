// What this node knows another node holds: its presence members, occupied channels and signed-in
// users, replicated from its announcements so that "first/last anywhere?" questions are local reads.

import { PusherEvent } from '@sockudo/protocol';
import { channelEventFrame } from '../wire/frames.js';
import type { AdapterEvents } from './adapter.js';
import { entryKey, type Header } from './cluster-wire.js';
import type { LocalAdapter, NodeSnapshot } from './local-adapter.js';

/** One peer node's replicated state. Keys are `appId \0 channel` and `appId \0 userId`. */
export class Peer {
  lastSeen = Date.now();
  /** The peer's routing, from its heartbeats ('i' interest, 'b' broadcast); unknown from old nodes. */
  routing: 'i' | 'b' | undefined;
  readonly members = new Map<string, Map<string, unknown>>();
  readonly channels = new Set<string>();
  readonly users = new Set<string>();

  load(snapshot: NodeSnapshot): void {
    this.members.clear();
    this.channels.clear();
    this.users.clear();
    for (const [appId, channel, userId, info] of snapshot.members)
      this.addMember(entryKey(appId, channel), userId, info);
    for (const [appId, channel] of snapshot.channels) this.channels.add(entryKey(appId, channel));
    for (const [appId, userId] of snapshot.users) this.users.add(entryKey(appId, userId));
  }

  addMember(channelKey: string, userId: string, info: unknown): void {
    let members = this.members.get(channelKey);
    if (!members) {
      members = new Map();
      this.members.set(channelKey, members);
    }
    members.set(userId, info);
  }

  /** Applies one of the peer's presence or occupancy announcements. */
  apply(h: Header & { k: 'pj' | 'pl' | 'co' | 'cv' }, body: string): void {
    const channelKey = entryKey(h.a, h.c);
    if (h.k === 'pj') this.addMember(channelKey, h.u, body === '' ? null : JSON.parse(body));
    else if (h.k === 'pl') this.removeMember(channelKey, h.u);
    else if (h.k === 'co') this.channels.add(channelKey);
    else this.channels.delete(channelKey);
  }

  removeMember(channelKey: string, userId: string): void {
    const members = this.members.get(channelKey);
    if (members?.delete(userId) && members.size === 0) this.members.delete(channelKey);
  }
}

/** What {@link cleanUpAfterPeer} reads of the surviving node. */
export interface Survivor {
  readonly nodeId: string;
  /** The peers still alive (the dead one already removed). */
  readonly peers: ReadonlyMap<string, Peer>;
  readonly local: LocalAdapter;
  readonly events: AdapterEvents | undefined;
}

function heldByAnyPeer(peers: ReadonlyMap<string, Peer>, test: (peer: Peer) => boolean): boolean {
  for (const peer of peers.values()) if (test(peer)) return true;
  return false;
}

/**
 * Cleans up after a dead (or departed) peer: its presence members that no other node has are removed
 * (`member_removed` to this node's subscribers), its channels that nobody else holds are vacated and
 * its users that are nowhere else go offline. Exactly one survivor — the smallest node id — is told to
 * send the webhooks.
 */
export function cleanUpAfterPeer(dead: Peer, survivor: Survivor): void {
  const { local, peers, events } = survivor;
  const leader = [survivor.nodeId, ...peers.keys()].sort()[0] === survivor.nodeId;
  for (const [channelKey, members] of dead.members) {
    const [appId, channel] = channelKey.split('\0') as [string, string];
    const gone: string[] = [];
    for (const userId of members.keys()) {
      const elsewhere =
        local.hasPresenceMember(appId, channel, userId) ||
        heldByAnyPeer(peers, (peer) => peer.members.get(channelKey)?.has(userId) ?? false);
      if (!elsewhere) gone.push(userId);
    }
    if (gone.length === 0) continue;
    for (const userId of gone) {
      const frame = channelEventFrame(
        PusherEvent.MemberRemoved,
        channel,
        JSON.stringify({ user_id: userId }),
      );
      void local.broadcast(appId, channel, frame);
    }
    events?.membersExpired(appId, channel, gone, leader);
  }
  const vacated = new Map<string, string[]>();
  for (const channelKey of dead.channels) {
    const [appId, channel] = channelKey.split('\0') as [string, string];
    if (local.hasChannel(appId, channel) || heldByAnyPeer(peers, (peer) => peer.channels.has(channelKey)))
      continue;
    vacated.set(appId, [...(vacated.get(appId) ?? []), channel]);
  }
  for (const [appId, channels] of vacated) events?.channelsVacated(appId, channels, leader);
  for (const userKey of dead.users) {
    const [appId, userId] = userKey.split('\0') as [string, string];
    if (!local.hasUser(appId, userId) && !heldByAnyPeer(peers, (peer) => peer.users.has(userKey))) {
      events?.userOffline(appId, userId);
    }
  }
}
