import type { SocketDelta } from '../delta/socket-delta.js';
import type { TagPredicate } from '../wire/frame-tags.js';

/** What an adapter needs of a connection: enough to deliver frames and close it, nothing more. */
export interface SocketHandle {
  readonly id: string;
  readonly appId: string;
  /** Set after `pusher:signin`. */
  readonly userId: string | undefined;
  /**
   * The wire the socket speaks: 2 for Sockudo's protocol V2 (`?protocol=2`), which gets fan-outs in
   * their V2 form (`sockudo:` names, `extras`); absent or 1 for Pusher's, which gets them without V2
   * fields.
   */
  readonly protocol?: number;
  /**
   * V2 sockets: whether the socket's subscription to `channel` lets an application event named `event`
   * through (its `filter.events`). Absent, or not V2: every event.
   */
  acceptsEvent?(channel: string, event: string): boolean;
  /**
   * V2 sockets: the tag filter of the socket's subscription to `channel` (its `filter`, with
   * `tag_filtering.enabled`), which application events' tags must pass. Absent or undefined: none.
   */
  tagFilter?(channel: string): TagPredicate | undefined;
  /**
   * V2 sockets that asked for delta compression: their per-channel bases and delta sequences. Absent
   * (every other socket): fan-outs send the shared frame.
   */
  readonly delta?: SocketDelta;
  /** Queues an already-serialised frame; the connection enforces its own buffer bound. */
  send(frame: string | Buffer): void;
  close(code: number, reason: string): void;
}

/** One distinct user in a presence channel. */
export interface PresenceMember {
  userId: string;
  userInfo: unknown;
}

/** The result of adding a socket to a channel. */
export interface JoinResult {
  /** This socket made the channel occupied (it had no subscribers before). */
  channelOccupied: boolean;
  /** Presence only: this socket is the user's first in the channel, so `member_added` is due. */
  memberAdded: boolean;
  /** Sockets in the channel after the join. */
  subscriptionCount: number;
}

/** The result of removing a socket from a channel. */
export interface LeaveResult {
  /** The socket was in the channel. */
  left: boolean;
  /** The channel has no subscribers left. */
  channelVacated: boolean;
  /** Presence only: the user's last socket left, so `member_removed` is due. */
  memberRemoved: PresenceMember | undefined;
  subscriptionCount: number;
}

/** Per-channel figures for `GET /channels`. */
export interface ChannelSummary {
  subscriptionCount: number;
  /** Distinct users; only for presence channels. */
  userCount?: number;
}

/**
 * What an adapter tells the engine about changes that happened elsewhere in the cluster (another node
 * signing a user in, a node dying with presence members), so the engine can notify local sockets and
 * send webhooks. A single-node adapter never calls these.
 */
export interface AdapterEvents {
  /** A user signed in on another node and was not online anywhere before. */
  userOnline(appId: string, userId: string): void;
  /** A user's last signed-in socket in the cluster was on another node and is gone. */
  userOffline(appId: string, userId: string): void;
  /**
   * Presence members vanished with a dead node. `member_removed` frames have already been sent to this
   * node's subscribers; `sendWebhooks` is true on exactly one surviving node.
   */
  membersExpired(appId: string, channel: string, userIds: string[], sendWebhooks: boolean): void;
  /** Channels left empty by a dead node; `sendWebhooks` as above. */
  channelsVacated(appId: string, channels: string[], sendWebhooks: boolean): void;
}

/** A cluster-wide count, flagged incomplete when some node did not answer in time. */
export interface Counted<T> {
  value: T;
  complete: boolean;
}

/**
 * The view of sockets, channels and presence that the engine works through. The LocalAdapter keeps it
 * in process; the HorizontalAdapter answers the same calls cluster-wide.
 */
export interface Adapter {
  /** Connects to the cluster (if any) and starts reporting {@link AdapterEvents}. */
  start(events: AdapterEvents): Promise<void>;
  /** Rejects when the adapter cannot reach its cluster (the node still serves its own sockets). */
  checkHealth(): Promise<void>;
  addSocket(socket: SocketHandle): void;
  removeSocket(socket: SocketHandle): void;
  join(socket: SocketHandle, channel: string, member?: PresenceMember): Promise<JoinResult>;
  /** `userId` is the presence identity the socket joined with, for presence channels. */
  leave(socket: SocketHandle, channel: string, userId?: string): Promise<LeaveResult>;
  /** Whether `member` would be a new distinct user in a full channel (enforces the member limit). */
  isPresenceMember(appId: string, channel: string, userId: string): Promise<boolean>;
  /** Delivers one serialised frame to every socket in `channel`, except `exceptSocketId`. */
  broadcast(appId: string, channel: string, frame: string, exceptSocketId?: string): Promise<void>;
  getChannels(appId: string, prefix?: string): Promise<Counted<Map<string, ChannelSummary>>>;
  getChannelSocketCount(appId: string, channel: string): Promise<Counted<number>>;
  getPresenceMembers(appId: string, channel: string): Promise<Map<string, unknown>>;
  getSocketCount(appId: string): Promise<Counted<number>>;
  /** Indexes a signed-in socket under its user; `online` is true for the user's first socket. */
  addUser(socket: SocketHandle): Promise<{ online: boolean }>;
  /** Removes a signed-in socket from its user; `offline` is true when it was the user's last. */
  removeUser(socket: SocketHandle): Promise<{ offline: boolean }>;
  /** Which of `userIds` have at least one signed-in socket. */
  onlineUsers(appId: string, userIds: readonly string[]): Promise<Set<string>>;
  /** Delivers a frame to every signed-in socket of a user (`sendToUser`), except `exceptSocketId`. */
  sendToUser(appId: string, userId: string, frame: string, exceptSocketId?: string): Promise<void>;
  /** Closes every signed-in socket of a user with 4009. */
  terminateUser(appId: string, userId: string): Promise<void>;
  /** Sockets of this node, across apps. */
  localSocketCount(): number;
  /** Every socket of this node, for shutdown. */
  localSockets(): Iterable<SocketHandle>;
  close(): Promise<void>;
}
