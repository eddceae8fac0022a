// The cluster adapter: a LocalAdapter for this node's sockets plus a Transport to the other nodes.
//
// Presence members, occupied channels and signed-in users are *replicated*: every node announces its
// own transitions (first/last socket of a user in a channel, a channel's first/last socket, a user's
// first/last signed-in socket) and keeps a per-peer copy of the others'. So "is this the user's first
// socket anywhere?" and "who is in this presence channel?" are local reads, and a dead node's entries
// are dropped with the node. Only socket counts, which change on every subscribe, are asked for with a
// request/response round trip that has a timeout and reports when it is incomplete. The peers and
// what they hold are cluster-peers.ts; the round trips are cluster-requests.ts.
//
// Channel and user events are *routed* over a TransportV2: a node subscribes on the broker to the
// routing key of each channel and user it has local sockets for, and an event is published to its key
// only, so a node never receives (or decodes) an event nobody on it wants. Over a TransportV1, or with
// `routing: 'broadcast'`, every event goes to every node, as before.

import { randomUUID } from 'node:crypto';
import { appLabels } from '../metrics/metric-labels.js';
import { noopMetrics } from '../metrics/noop-metrics.js';
import type { MetricLabels, MetricsV1, TransportV1 } from '../spec/v1/index.js';
import type { TransportHandlersV2, TransportV2 } from '../spec/v2/index.js';
import { type Logger, silentLogger } from '../util/logger.js';
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
import { ClusterPeers } from './cluster-peers.js';
import { ClusterRequests } from './cluster-requests.js';
import { type ClusterRequest, decode, encode, type Header } from './cluster-wire.js';
import type { ClusterRouting, HorizontalAdapterOptions } from './horizontal-options.js';
import { InterestTracker } from './interest.js';
import type { LocalAdapter, NodeSnapshot } from './local-adapter.js';
import { channelRoutingKey, userRoutingKey } from './routing-key.js';
import { throttled } from './throttled.js';

export type { ClusterRouting, HorizontalAdapterOptions } from './horizontal-options.js';

const NO_LABELS: MetricLabels = Object.freeze({});

/**
 * Runs a cluster over any {@link TransportV1} or {@link TransportV2}:
 * `new HorizontalAdapter(new LocalAdapter(), transport)`.
 */
export class HorizontalAdapter implements Adapter {
  readonly nodeId: string;
  /** How this node routes channel and user events (`broadcast` over a TransportV1). */
  readonly routing: ClusterRouting;
  private readonly peers: ClusterPeers;
  private readonly requests: ClusterRequests;
  private readonly heartbeatIntervalMs: number;
  private readonly nodeTimeoutMs: number;
  private readonly logger: Logger;
  private readonly metrics: MetricsV1;
  /** Set when routing by interest: the routed transport and the keys held on it. */
  private readonly routed: { transport: TransportV2; interest: InterestTracker } | undefined;
  private events: AdapterEvents | undefined;
  private heartbeat: NodeJS.Timeout | undefined;

  constructor(
    readonly local: LocalAdapter,
    readonly transport: TransportV1 | TransportV2,
    options: HorizontalAdapterOptions = {},
  ) {
    this.nodeId = options.nodeId ?? randomUUID();
    const requestTimeoutMs = options.requestTimeoutMs ?? 5000;
    this.heartbeatIntervalMs = options.heartbeatIntervalMs ?? 10_000;
    this.nodeTimeoutMs = options.nodeTimeoutMs ?? 30_000;
    this.logger = options.logger ?? silentLogger;
    this.metrics = options.metrics ?? noopMetrics;
    const wantsInterest = (options.routing ?? 'interest') === 'interest';
    this.routing = wantsInterest && transport.specVersion === 2 ? 'interest' : 'broadcast';
    this.peers = new ClusterPeers({
      nodeId: this.nodeId,
      local,
      logger: this.logger,
      mode: this.mode,
      events: () => this.events,
      // `r: 1` asks for the peer's snapshot back: it may still know us (we timed it out, it did not
      // time us out) and would otherwise never send its state again.
      greet: (nodeId) => this.sendSnapshot(nodeId, true),
      forgotten: (nodeId) => this.requests.forget(nodeId),
    });
    this.requests = new ClusterRequests({
      nodeId: this.nodeId,
      local,
      metrics: this.metrics,
      timeoutMs: requestTimeoutMs,
      peerIds: () => this.peers.ids(),
      publishRequest: (payload) => this.transport.publishRequest(payload),
      publishResponse: (payload) => this.transport.publishResponse(payload),
      onPublishError: (error) => this.onPublishError(error),
    });
    if (this.routing === 'interest') {
      const routedTransport = transport as TransportV2;
      this.routed = {
        transport: routedTransport,
        interest: new InterestTracker(routedTransport, {
          lingerMs: options.interestLingerMs ?? 2000,
          batchMs: options.interestBatchMs ?? 0,
          subscribeTimeoutMs: requestTimeoutMs,
          onError: (what, keys, error) => this.onInterestError(what, keys, error),
          onSize: (size) => this.metrics.gauge('horizontal_adapter_subscriptions', NO_LABELS, size),
        }),
      };
    }
  }

  async start(events: AdapterEvents): Promise<void> {
    this.events = events;
    const handlers: TransportHandlersV2 = {
      onBroadcast: (payload) => this.guard(() => this.onBroadcast(payload)),
      onRequest: (payload) =>
        this.guard(() => {
          const asker = this.requests.answer(payload);
          if (asker !== undefined) this.peers.touch(asker);
        }),
      onResponse: (payload) => this.guard(() => this.requests.receive(payload)),
      onRouted: (_key, payload) => this.guard(() => this.onRouted(payload)),
      onRestored: () => {
        this.logger.info('cluster subscriptions restored after a broker reconnect');
        // Messages published meanwhile may be lost for this node: a gap-filling local adapter catches up.
        this.local.brokerRestored();
      },
    };
    await (this.transport as TransportV2).start(handlers);
    this.publish({ k: 'hello', n: this.nodeId, m: this.mode });
    this.heartbeat = setInterval(() => {
      this.publish({ k: 'h', n: this.nodeId, m: this.mode });
      this.peers.reap(this.nodeTimeoutMs);
    }, this.heartbeatIntervalMs);
    this.heartbeat.unref();
  }

  checkHealth(): Promise<void> {
    return this.transport.checkHealth();
  }

  /** Ids of the other nodes this node currently hears from. */
  peerIds(): string[] {
    return [...this.peers.ids()];
  }

  /** The number of routing keys this node holds on the broker (0 unless routing by interest). */
  subscriptionCount(): number {
    return this.routed?.interest.size ?? 0;
  }

  // ---- sockets, channels and presence ------------------------------------------------------------

  addSocket(socket: SocketHandle): void {
    this.local.addSocket(socket);
  }

  removeSocket(socket: SocketHandle): void {
    this.local.removeSocket(socket);
  }

  async join(socket: SocketHandle, channel: string, member?: PresenceMember): Promise<JoinResult> {
    const result = await this.local.join(socket, channel, member);
    // Every joiner waits for the broker's acknowledgement of the channel's key (at once when it is
    // long held), so an event published anywhere after the join resolved reaches this socket. The
    // announcements below go out first, in the same turn as the local change: a snapshot sent to a
    // new peer meanwhile already holds that change, and the announcement must not come after it.
    const subscribed = this.routed?.interest.want(channelRoutingKey(socket.appId, channel));
    let { channelOccupied, memberAdded } = result;
    if (channelOccupied) {
      this.publish({ k: 'co', n: this.nodeId, a: socket.appId, c: channel });
      channelOccupied = !this.peers.hasChannel(socket.appId, channel);
    }
    if (member && memberAdded) {
      this.publish(
        { k: 'pj', n: this.nodeId, a: socket.appId, c: channel, u: member.userId },
        JSON.stringify(member.userInfo ?? null),
      );
      memberAdded = !this.peers.hasMember(socket.appId, channel, member.userId);
    }
    await subscribed;
    return { channelOccupied, memberAdded, subscriptionCount: result.subscriptionCount };
  }

  async leave(socket: SocketHandle, channel: string, userId?: string): Promise<LeaveResult> {
    const result = await this.local.leave(socket, channel, userId);
    if (!result.left) return result;
    let { channelVacated, memberRemoved } = result;
    if (memberRemoved) {
      this.publish({ k: 'pl', n: this.nodeId, a: socket.appId, c: channel, u: memberRemoved.userId });
      if (this.peers.hasMember(socket.appId, channel, memberRemoved.userId)) memberRemoved = undefined;
    }
    if (channelVacated) {
      this.routed?.interest.release(channelRoutingKey(socket.appId, channel));
      this.publish({ k: 'cv', n: this.nodeId, a: socket.appId, c: channel });
      channelVacated = !this.peers.hasChannel(socket.appId, channel);
    }
    return { ...result, channelVacated, memberRemoved };
  }

  async isPresenceMember(appId: string, channel: string, userId: string): Promise<boolean> {
    if (await this.local.isPresenceMember(appId, channel, userId)) return true;
    return this.peers.hasMember(appId, channel, userId);
  }

  async getPresenceMembers(appId: string, channel: string): Promise<Map<string, unknown>> {
    const members = await this.local.getPresenceMembers(appId, channel);
    this.peers.addMembersTo(members, appId, channel);
    return members;
  }

  async broadcast(appId: string, channel: string, frame: string, exceptSocketId?: string): Promise<void> {
    // Local delivery first and regardless of the broker: a node always serves its own clients.
    await this.local.broadcast(appId, channel, frame, exceptSocketId);
    const header: Header = { k: 'b', n: this.nodeId, a: appId, c: channel };
    if (exceptSocketId !== undefined) header.x = exceptSocketId;
    this.publishEvent(channelRoutingKey, appId, channel, header, frame);
  }

  // ---- users ----------------------------------------------------------------------------------------

  async addUser(socket: SocketHandle): Promise<{ online: boolean }> {
    const { online } = await this.local.addUser(socket);
    if (socket.userId === undefined) return { online };
    // As in join(): announce in the same turn as the local change, then wait for the broker.
    const subscribed = this.routed?.interest.want(userRoutingKey(socket.appId, socket.userId));
    if (!online) {
      await subscribed;
      return { online };
    }
    this.publish({ k: 'uo', n: this.nodeId, a: socket.appId, u: socket.userId });
    const first = !this.peers.hasUser(socket.appId, socket.userId);
    await subscribed;
    return { online: first };
  }

  async removeUser(socket: SocketHandle): Promise<{ offline: boolean }> {
    const { offline } = await this.local.removeUser(socket);
    if (!offline) return { offline };
    this.routed?.interest.release(userRoutingKey(socket.appId, socket.userId!));
    this.publish({ k: 'uf', n: this.nodeId, a: socket.appId, u: socket.userId! });
    return { offline: !this.peers.hasUser(socket.appId, socket.userId!) };
  }

  async onlineUsers(appId: string, userIds: readonly string[]): Promise<Set<string>> {
    const online = await this.local.onlineUsers(appId, userIds);
    for (const userId of userIds) {
      if (!online.has(userId) && this.peers.hasUser(appId, userId)) online.add(userId);
    }
    return online;
  }

  async sendToUser(appId: string, userId: string, frame: string, exceptSocketId?: string): Promise<void> {
    await this.local.sendToUser(appId, userId, frame, exceptSocketId);
    const header: Header = { k: 'u', n: this.nodeId, a: appId, u: userId };
    if (exceptSocketId !== undefined) header.x = exceptSocketId;
    this.publishEvent(userRoutingKey, appId, userId, header, frame);
  }

  async terminateUser(appId: string, userId: string): Promise<void> {
    await this.local.terminateUser(appId, userId);
    this.publishEvent(userRoutingKey, appId, userId, { k: 't', n: this.nodeId, a: appId, u: userId });
  }

  // ---- cluster-wide counts (request/response) ------------------------------------------------------

  async getChannelSocketCount(appId: string, channel: string): Promise<Counted<number>> {
    const { answers, complete } = await this.requests.ask({ op: 'count', a: appId, c: channel });
    let value = this.local.channelSocketCount(appId, channel);
    for (const answer of answers) value += Number(answer) || 0;
    return { value, complete };
  }

  async getSocketCount(appId: string): Promise<Counted<number>> {
    const { answers, complete } = await this.requests.ask({ op: 'sockets', a: appId });
    let value = this.local.appSocketCount(appId);
    for (const answer of answers) value += Number(answer) || 0;
    return { value, complete };
  }

  async getChannels(appId: string, prefix?: string): Promise<Counted<Map<string, ChannelSummary>>> {
    const request: Omit<ClusterRequest, 'n' | 'id'> = { op: 'channels', a: appId };
    if (prefix) request.p = prefix;
    const { answers, complete } = await this.requests.ask(request);
    const channels = this.local.channelSummaries(appId, prefix);
    for (const answer of answers) {
      for (const [channel, count] of answer as Array<[string, number]>) {
        const summary = channels.get(channel);
        if (summary) summary.subscriptionCount += count;
        else channels.set(channel, { subscriptionCount: count });
      }
    }
    for (const [channel, summary] of channels) {
      if (channel.startsWith('presence-'))
        summary.userCount = (await this.getPresenceMembers(appId, channel)).size;
    }
    return { value: channels, complete };
  }

  localSocketCount(): number {
    return this.local.localSocketCount();
  }

  localSockets(): Iterable<SocketHandle> {
    return this.local.localSockets();
  }

  async close(): Promise<void> {
    clearInterval(this.heartbeat);
    this.routed?.interest.close();
    this.requests.close();
    // Say goodbye so peers forget us now, not after the node timeout (counts would wait for us meanwhile).
    await this.transport
      .publishBroadcast(encode({ k: 'bye', n: this.nodeId } satisfies Header))
      .catch((error: unknown) => this.onPublishError(error));
    await this.transport
      .close()
      .catch((error: unknown) => this.logger.warn('transport close failed', { error: String(error) }));
    await this.local.close();
  }

  // ---- internals ------------------------------------------------------------------------------------

  private get mode(): 'i' | 'b' {
    return this.routing === 'interest' ? 'i' : 'b';
  }

  private guard(handle: () => void): void {
    try {
      handle();
    } catch (error) {
      this.logger.warn('dropped a malformed cluster message', { error: String(error) });
    }
  }

  /** Fire and forget: local work never waits on (or fails with) the broker. */
  private publish(header: Header, body?: string): void {
    this.transport
      .publishBroadcast(encode(header, body))
      .catch((error: unknown) => this.onPublishError(error));
  }

  /**
   * Publishes a channel or user event: to its routing key when routing by interest, and to every node
   * when routing by broadcast or while some peer does (marked `i: 1`, so interest nodes, which get the
   * routed copy, drop it).
   */
  private publishEvent(
    routingKey: (appId: string, name: string) => string,
    appId: string,
    name: string,
    header: Header & { k: 'b' | 'u' | 't' },
    body?: string,
  ): void {
    if (!this.routed) {
      this.publish(header, body);
      return;
    }
    const payload = encode(header, body);
    this.routed.transport
      .publishTo(routingKey(appId, name), payload)
      .catch((error: unknown) => this.onPublishError(error));
    if (this.peers.broadcastPeers > 0) this.publish({ ...header, i: 1 }, body);
  }

  /** Every failed publish is counted; the log gets one line per 5 s while the broker is down. */
  private readonly onPublishError = (error: unknown): void => {
    this.metrics.increment('horizontal_adapter_publish_failures', NO_LABELS);
    this.logPublishError(error);
  };

  private readonly logPublishError = throttled(5000, (error: unknown) =>
    this.logger.warn('cluster publish failed; serving local clients only until the broker is back', {
      error: String(error),
    }),
  );

  private readonly onInterestError = throttled(
    5000,
    (what: 'subscribe' | 'unsubscribe', keys: number, error: unknown) =>
      this.logger.warn(
        `cluster ${what} of ${keys} routing key(s) failed; the transport retries when the broker is back`,
        { error: String(error) },
      ),
  );

  private sendSnapshot(to: string, askBack: boolean): void {
    const header: Header = { k: 'sync', n: this.nodeId, to, m: this.mode };
    if (askBack) header.r = 1;
    this.publish(header, JSON.stringify(this.local.snapshot()));
  }

  /** A channel event, user event or termination, routed or broadcast: delivered to local sockets. */
  private deliver(h: Header & { k: 'b' | 'u' | 't' }, body: string): void {
    if (h.k === 'b') {
      if (!this.local.hasChannel(h.a, h.c)) this.countUnrouted(h.a);
      else void this.local.broadcast(h.a, h.c, body, h.x);
    } else if (!this.local.hasUser(h.a, h.u)) this.countUnrouted(h.a);
    else if (h.k === 'u') void this.local.sendToUser(h.a, h.u, body, h.x);
    else void this.local.terminateUser(h.a, h.u);
  }

  private countUnrouted(appId: string): void {
    this.metrics.increment('horizontal_adapter_unrouted_messages', appLabels(appId));
  }

  private onRouted(payload: Uint8Array | string): void {
    const { header, body } = decode(payload);
    const h = header as Header;
    if (h.n === this.nodeId) return; // our own event, delivered locally already
    if (h.k !== 'b' && h.k !== 'u' && h.k !== 't') return;
    this.peers.touch(h.n);
    this.deliver(h, body);
  }

  private onBroadcast(payload: Uint8Array | string): void {
    const { header, body } = decode(payload);
    const h = header as Header;
    if (h.n === this.nodeId) return; // our own message echoed back by the broker
    if (h.k === 'bye') {
      this.peers.forget(h.n);
      return;
    }
    const known = this.peers.has(h.n);
    const peer = this.peers.touch(h.n, 'm' in h ? h.m : undefined);
    switch (h.k) {
      case 'b':
      case 'u':
      case 't':
        // A copy for nodes that do not route by interest; this node has the routed one.
        if (h.i === 1 && this.routed) return;
        this.deliver(h, body);
        return;
      case 'sync':
        if (h.to !== this.nodeId) return;
        peer.load(JSON.parse(body) as NodeSnapshot);
        // A peer we already knew asks for our state: answer once (new peers were greeted with it).
        if (h.r === 1 && known) this.sendSnapshot(h.n, false);
        return;
      case 'pj':
      case 'pl':
      case 'co':
      case 'cv':
        peer.apply(h, body);
        return;
      case 'uo':
      case 'uf':
        this.peers.userAnnounced(peer, h);
        return;
      default:
        return; // 'h' and 'hello' only prove the node is alive
    }
  }
}
