// Everything in process: one namespace per app with an index from channel to sockets, so a broadcast
// touches only the channel's subscribers and never scans all sockets.

import { isPresenceChannel, isProtocolEvent, PROTOCOL_V2 } from '@sockudo/protocol';
import { type DeltaSocket, sendWithDelta } from '../delta/delta-fanout.js';
import { appLabels } from '../metrics/metric-labels.js';
import { noopMetrics } from '../metrics/noop-metrics.js';
import type { MetricLabels, MetricsV1 } from '../spec/v1/index.js';
import { frameTags, type MessageTags } from '../wire/frame-tags.js';
import { frameEventName, v1Frame, v2Frame } from '../wire/v2-frames.js';
import type {
  Adapter,
  AdapterEvents,
  ChannelSummary,
  Counted,
  JoinResult,
  LeaveResult,
  PresenceMember,
  SocketHandle,
} from './adapter.js';
import { type Subscribers, subscriberCount, withoutSubscriber, withSubscriber } from './subscribers.js';

/** A node's replicated state: presence members, occupied channels and signed-in users, as tuples. */
export interface NodeSnapshot {
  members: Array<[appId: string, channel: string, userId: string, userInfo: unknown]>;
  channels: Array<[appId: string, channel: string]>;
  users: Array<[appId: string, userId: string]>;
}

interface MemberEntry {
  info: unknown;
  sockets: Set<string>;
}

class Namespace {
  readonly sockets = new Map<string, SocketHandle>();
  readonly channels = new Map<string, Subscribers>();
  /** presence channel → user id → the user's info and the sockets it has in the channel */
  readonly presence = new Map<string, Map<string, MemberEntry>>();
  /** user id → the signed-in sockets of that user */
  readonly users = new Map<string, Set<SocketHandle>>();
  /** Distinct users summed over presence channels, kept as a count so the gauge never needs a scan. */
  presenceMembers = 0;
}

/** Options of {@link LocalAdapter}. */
export interface LocalAdapterOptions {
  /**
   * Receives `connected`, `active_channels` and `presence_members` (gauges, set on each change) and, once
   * per fan-out whatever the number of recipients, `broadcasts_total`, `deliveries_total`,
   * `ws_messages_sent_total` and `socket_transmitted_bytes`. @default no metrics
   */
  metrics?: MetricsV1;
  /** Whether V2 sockets receive messages' `tags` (Rust Sockudo's `tag_filtering.enable_tags`). @default true */
  deliverTags?: boolean;
}

/** The single-node adapter, and the local part of every horizontal one. */
export class LocalAdapter implements Adapter {
  private readonly namespaces = new Map<string, Namespace>();
  private socketCount = 0;
  private readonly metrics: MetricsV1;
  private readonly deliverTags: boolean;

  constructor(options: LocalAdapterOptions = {}) {
    this.metrics = options.metrics ?? noopMetrics;
    this.deliverTags = options.deliverTags ?? true;
  }

  private ns(appId: string): Namespace {
    let ns = this.namespaces.get(appId);
    if (!ns) {
      ns = new Namespace();
      this.namespaces.set(appId, ns);
    }
    return ns;
  }

  async start(_events: AdapterEvents): Promise<void> {}

  async checkHealth(): Promise<void> {}

  addSocket(socket: SocketHandle): void {
    const ns = this.ns(socket.appId);
    if (!ns.sockets.has(socket.id)) this.socketCount++;
    ns.sockets.set(socket.id, socket);
    this.metrics.gauge('connected', appLabels(socket.appId), ns.sockets.size);
  }

  removeSocket(socket: SocketHandle): void {
    const ns = this.namespaces.get(socket.appId);
    if (!ns?.sockets.delete(socket.id)) return;
    this.socketCount--;
    this.metrics.gauge('connected', appLabels(socket.appId), ns.sockets.size);
    if (ns.sockets.size === 0 && ns.channels.size === 0 && ns.users.size === 0)
      this.namespaces.delete(socket.appId);
  }

  async join(socket: SocketHandle, channel: string, member?: PresenceMember): Promise<JoinResult> {
    const ns = this.ns(socket.appId);
    const before = ns.channels.get(channel);
    const channelOccupied = before === undefined;
    const subscribers = withSubscriber(before, socket);
    if (subscribers !== before) ns.channels.set(channel, subscribers);
    if (channelOccupied) this.metrics.gauge('active_channels', appLabels(socket.appId), ns.channels.size);
    let memberAdded = false;
    if (member) {
      let members = ns.presence.get(channel);
      if (!members) {
        members = new Map();
        ns.presence.set(channel, members);
      }
      const entry = members.get(member.userId);
      if (entry) {
        entry.sockets.add(socket.id);
        entry.info = member.userInfo; // the latest tab's info wins, as on Pusher
      } else {
        members.set(member.userId, { info: member.userInfo, sockets: new Set([socket.id]) });
        memberAdded = true;
        this.metrics.gauge('presence_members', appLabels(socket.appId), ++ns.presenceMembers);
      }
    }
    return { channelOccupied, memberAdded, subscriptionCount: subscriberCount(subscribers) };
  }

  async leave(socket: SocketHandle, channel: string, userId?: string): Promise<LeaveResult> {
    const ns = this.namespaces.get(socket.appId);
    const before = ns?.channels.get(channel);
    const subscribers = before === undefined ? false : withoutSubscriber(before, socket);
    if (!ns || subscribers === false) {
      return {
        left: false,
        channelVacated: false,
        memberRemoved: undefined,
        subscriptionCount: subscriberCount(before),
      };
    }
    const channelVacated = subscribers === undefined;
    if (channelVacated) {
      ns.channels.delete(channel);
      this.metrics.gauge('active_channels', appLabels(socket.appId), ns.channels.size);
    } else if (subscribers !== before) {
      ns.channels.set(channel, subscribers);
    }
    let memberRemoved: PresenceMember | undefined;
    const members = userId === undefined ? undefined : ns.presence.get(channel);
    const entry = members?.get(userId!);
    if (members && entry?.sockets.delete(socket.id) && entry.sockets.size === 0) {
      members.delete(userId!);
      memberRemoved = { userId: userId!, userInfo: entry.info };
      this.metrics.gauge('presence_members', appLabels(socket.appId), --ns.presenceMembers);
      if (members.size === 0) ns.presence.delete(channel);
    }
    return { left: true, channelVacated, memberRemoved, subscriptionCount: subscriberCount(subscribers) };
  }

  async isPresenceMember(appId: string, channel: string, userId: string): Promise<boolean> {
    return this.namespaces.get(appId)?.presence.get(channel)?.has(userId) ?? false;
  }

  async broadcast(appId: string, channel: string, frame: string, exceptSocketId?: string): Promise<void> {
    const subscribers = this.namespaces.get(appId)?.channels.get(channel);
    const labels = appLabels(appId);
    this.metrics.increment('broadcasts_total', labels);
    if (!subscribers) return;
    this.fanOut(
      labels,
      subscribers instanceof Set ? subscribers : [subscribers],
      frame,
      exceptSocketId,
      channel,
    );
  }

  /**
   * Sends `frame` to `sockets` but `exceptSocketId`: one shared Buffer per wire (ws frames it without
   * re-encoding the string per socket). V1 sockets go first and V2 ones after, so each shared payload is
   * framed once (wire/frames.ts caches the last one). With `channel`, V2 sockets' event filters apply.
   */
  private fanOut(
    labels: MetricLabels,
    sockets: Iterable<SocketHandle>,
    frame: string,
    exceptSocketId: string | undefined,
    channel?: string,
  ): void {
    const v1 = v1Frame(frame);
    const payload = Buffer.from(v1);
    let v2Sockets: SocketHandle[] | undefined;
    let delivered = 0;
    for (const socket of sockets) {
      if (socket.id === exceptSocketId) continue;
      if (socket.protocol === PROTOCOL_V2) {
        v2Sockets ??= [];
        v2Sockets.push(socket);
      } else {
        socket.send(payload);
        delivered++;
      }
    }
    let bytes = delivered * payload.length;
    if (v2Sockets) {
      const v2 = v2Frame(frame, this.deliverTags);
      const v2Payload = v2 === v1 ? payload : Buffer.from(v2);
      // Protocol events (member_added, ...) are never filtered out: a filter names application events.
      const event = channel === undefined ? undefined : frameEventName(frame);
      const filtered = event !== undefined && !isProtocolEvent(event);
      let suppressed = 0;
      let tagSuppressed = 0;
      let tags: MessageTags | undefined; // read from the frame once, for the first socket with a tag filter
      let deltaSockets: DeltaSocket[] | undefined;
      for (const socket of v2Sockets) {
        if (filtered && socket.acceptsEvent && !socket.acceptsEvent(channel!, event)) {
          suppressed++;
          continue;
        }
        const tagFilter = filtered ? socket.tagFilter?.(channel!) : undefined;
        if (tagFilter) {
          tags ??= frameTags(frame);
          if (!tagFilter(tags)) {
            tagSuppressed++;
            continue;
          }
        }
        // Sockets that asked for deltas get theirs after this loop (delta/delta-fanout.ts).
        if (channel !== undefined && socket.delta?.wants(channel)) {
          deltaSockets ??= [];
          deltaSockets.push(socket);
          continue;
        }
        socket.send(v2Payload);
        delivered++;
        bytes += v2Payload.length;
      }
      if (deltaSockets) {
        const sent = sendWithDelta(channel!, event, v2, v2Payload, deltaSockets, this.metrics, labels);
        delivered += sent.delivered;
        bytes += sent.bytes;
      }
      if (suppressed > 0) this.metrics.increment('event_filter_suppressed_total', labels, suppressed);
      if (tagSuppressed > 0) this.metrics.increment('tag_filter_suppressed_total', labels, tagSuppressed);
    }
    this.countDeliveries(labels, delivered, bytes);
  }

  /** One report per fan-out, never one per recipient. */
  private countDeliveries(labels: MetricLabels, delivered: number, bytes: number): void {
    if (delivered === 0) return;
    this.metrics.increment('deliveries_total', labels, delivered);
    this.metrics.increment('ws_messages_sent_total', labels, delivered);
    this.metrics.increment('socket_transmitted_bytes', labels, bytes);
  }

  async getChannels(appId: string, prefix?: string): Promise<Counted<Map<string, ChannelSummary>>> {
    return { value: this.channelSummaries(appId, prefix), complete: true };
  }

  /** This node's channels of `appId` with their socket and (presence) user counts. */
  channelSummaries(appId: string, prefix?: string): Map<string, ChannelSummary> {
    const result = new Map<string, ChannelSummary>();
    const ns = this.namespaces.get(appId);
    if (!ns) return result;
    for (const [channel, subscribers] of ns.channels) {
      if (prefix && !channel.startsWith(prefix)) continue;
      const summary: ChannelSummary = { subscriptionCount: subscriberCount(subscribers) };
      if (isPresenceChannel(channel)) summary.userCount = ns.presence.get(channel)?.size ?? 0;
      result.set(channel, summary);
    }
    return result;
  }

  async getChannelSocketCount(appId: string, channel: string): Promise<Counted<number>> {
    return { value: this.channelSocketCount(appId, channel), complete: true };
  }

  /** Sockets of this node in `channel`. */
  channelSocketCount(appId: string, channel: string): number {
    return subscriberCount(this.namespaces.get(appId)?.channels.get(channel));
  }

  async getPresenceMembers(appId: string, channel: string): Promise<Map<string, unknown>> {
    const members = this.namespaces.get(appId)?.presence.get(channel);
    const result = new Map<string, unknown>();
    if (members) for (const [userId, entry] of members) result.set(userId, entry.info);
    return result;
  }

  async getSocketCount(appId: string): Promise<Counted<number>> {
    return { value: this.appSocketCount(appId), complete: true };
  }

  /** Sockets of this node for `appId`. */
  appSocketCount(appId: string): number {
    return this.namespaces.get(appId)?.sockets.size ?? 0;
  }

  /** Whether this node has at least one socket in `channel`. */
  hasChannel(appId: string, channel: string): boolean {
    return this.namespaces.get(appId)?.channels.has(channel) ?? false;
  }

  /** Whether `userId` has a socket in presence `channel` on this node. */
  hasPresenceMember(appId: string, channel: string, userId: string): boolean {
    return this.namespaces.get(appId)?.presence.get(channel)?.has(userId) ?? false;
  }

  /** Whether `userId` has a signed-in socket on this node. */
  hasUser(appId: string, userId: string): boolean {
    return this.namespaces.get(appId)?.users.has(userId) ?? false;
  }

  /** This node's presence members, channels and signed-in users, to bring a new peer up to date. */
  snapshot(): NodeSnapshot {
    const snapshot: NodeSnapshot = { members: [], channels: [], users: [] };
    for (const [appId, ns] of this.namespaces) {
      for (const channel of ns.channels.keys()) snapshot.channels.push([appId, channel]);
      for (const userId of ns.users.keys()) snapshot.users.push([appId, userId]);
      for (const [channel, members] of ns.presence) {
        for (const [userId, entry] of members) snapshot.members.push([appId, channel, userId, entry.info]);
      }
    }
    return snapshot;
  }

  async addUser(socket: SocketHandle): Promise<{ online: boolean }> {
    if (socket.userId === undefined) return { online: false };
    const users = this.ns(socket.appId).users;
    let sockets = users.get(socket.userId);
    const online = sockets === undefined;
    if (!sockets) {
      sockets = new Set();
      users.set(socket.userId, sockets);
    }
    sockets.add(socket);
    return { online };
  }

  async removeUser(socket: SocketHandle): Promise<{ offline: boolean }> {
    if (socket.userId === undefined) return { offline: false };
    const users = this.namespaces.get(socket.appId)?.users;
    const sockets = users?.get(socket.userId);
    if (!sockets?.delete(socket)) return { offline: false };
    if (sockets.size > 0) return { offline: false };
    users!.delete(socket.userId);
    return { offline: true };
  }

  async onlineUsers(appId: string, userIds: readonly string[]): Promise<Set<string>> {
    const users = this.namespaces.get(appId)?.users;
    return new Set(users ? userIds.filter((id) => users.has(id)) : []);
  }

  async sendToUser(appId: string, userId: string, frame: string, exceptSocketId?: string): Promise<void> {
    const sockets = this.namespaces.get(appId)?.users.get(userId);
    if (!sockets) return;
    this.fanOut(appLabels(appId), sockets, frame, exceptSocketId);
  }

  async terminateUser(appId: string, userId: string): Promise<void> {
    const sockets = this.namespaces.get(appId)?.users.get(userId);
    if (!sockets) return;
    for (const socket of [...sockets]) socket.close(4009, 'You got disconnected by the app.');
  }

  /** The broker link came back after a loss; a subclass that fills gaps catches up here. */
  brokerRestored(): void {}

  localSocketCount(): number {
    return this.socketCount;
  }

  *localSockets(): Iterable<SocketHandle> {
    for (const ns of this.namespaces.values()) yield* ns.sockets.values();
  }

  async close(): Promise<void> {
    for (const appId of this.namespaces.keys()) {
      const labels = appLabels(appId);
      this.metrics.gauge('connected', labels, 0);
      this.metrics.gauge('active_channels', labels, 0);
      this.metrics.gauge('presence_members', labels, 0);
    }
    this.namespaces.clear();
    this.socketCount = 0;
  }
}
