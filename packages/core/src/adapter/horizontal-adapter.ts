// The cluster adapter: a LocalAdapter for this node's sockets plus a Transport to the other nodes.
//
// Presence members, occupied channels and signed-in users are *replicated*: every node announces its
// own transitions (first/last socket of a user in a channel, a channel's first/last socket, a user's
// first/last signed-in socket) and keeps a per-peer copy of the others'. So "is this the user's first
// socket anywhere?" and "who is in this presence channel?" are local reads, and a dead node's entries
// are dropped with the node. Only socket counts, which change on every subscribe, are asked for with a
// request/response round trip that has a timeout and reports when it is incomplete.

import { randomUUID } from 'node:crypto';
import { PusherEvent } from '@sockudo/protocol';
import { appLabels } from '../metrics/metric-labels.js';
import { noopMetrics } from '../metrics/noop-metrics.js';
import type { MetricLabels, MetricsV1, TransportV1 } from '../spec/v1/index.js';
import { type Logger, silentLogger } from '../util/logger.js';
import { channelEventFrame } from '../wire/frames.js';
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
import type { LocalAdapter, NodeSnapshot } from './local-adapter.js';

/** Options of {@link HorizontalAdapter}. */
export interface HorizontalAdapterOptions {
  /** This node's id; unique in the cluster. @default a random UUID */
  nodeId?: string;
  /** How long a cluster-wide count waits for the other nodes. @default 5000 */
  requestTimeoutMs?: number;
  /** How often this node says it is alive. @default 10000 */
  heartbeatIntervalMs?: number;
  /** A node not heard from for this long is dead and its presence members are removed. @default 30000 */
  nodeTimeoutMs?: number;
  logger?: Logger;
  /**
   * Receives the cluster-request figures, labelled by app: `horizontal_adapter_sent_requests`,
   * `_received_requests`, `_received_responses`, `_resolved_promises`, `_uncomplete_promises` (timed out
   * or not published) and `_resolve_time` (ms). @default no metrics
   */
  metrics?: MetricsV1;
}

/** What a peer node is known to hold. Keys are `appId \0 channel` and `appId \0 userId`. */
class Peer {
  lastSeen = Date.now();
  readonly members = new Map<string, Map<string, unknown>>();
  readonly channels = new Set<string>();
  readonly users = new Set<string>();

  load(snapshot: NodeSnapshot): void {
    this.members.clear();
    this.channels.clear();
    this.users.clear();
    for (const [appId, channel, userId, info] of snapshot.members)
      this.addMember(key(appId, channel), userId, info);
    for (const [appId, channel] of snapshot.channels) this.channels.add(key(appId, channel));
    for (const [appId, userId] of snapshot.users) this.users.add(key(appId, userId));
  }

  addMember(channelKey: string, userId: string, info: unknown): void {
    let members = this.members.get(channelKey);
    if (!members) {
      members = new Map();
      this.members.set(channelKey, members);
    }
    members.set(userId, info);
  }

  removeMember(channelKey: string, userId: string): void {
    const members = this.members.get(channelKey);
    if (members?.delete(userId) && members.size === 0) this.members.delete(channelKey);
  }
}

interface PendingRequest {
  waitingFor: Set<string>;
  answers: unknown[];
  finish: (complete: boolean) => void;
  labels: MetricLabels;
}

type Op = 'count' | 'channels' | 'sockets';
type Header =
  | { k: 'b'; n: string; a: string; c: string; x?: string }
  | { k: 'u'; n: string; a: string; u: string; x?: string }
  | { k: 't'; n: string; a: string; u: string }
  | { k: 'h' | 'hello'; n: string }
  | { k: 'sync'; n: string; to: string; r?: 1 }
  | { k: 'bye'; n: string }
  | { k: 'pj' | 'pl'; n: string; a: string; c: string; u: string }
  | { k: 'co' | 'cv'; n: string; a: string; c: string }
  | { k: 'uo' | 'uf'; n: string; a: string; u: string };
type Request = { n: string; id: string; op: Op; a: string; c?: string; p?: string };
type Response = { n: string; id: string; to: string; v: unknown };

const key = (appId: string, name: string) => `${appId}\0${name}`;

// Wire format: a JSON header, a newline, then an optional body (a frame, or a snapshot). JSON never
// contains a raw newline, so the split is unambiguous and the frame is not escaped a second time.
function encode(header: object, body = ''): string {
  return `${JSON.stringify(header)}\n${body}`;
}

function decode(payload: Uint8Array | string): { header: Record<string, unknown>; body: string } {
  const text = typeof payload === 'string' ? payload : Buffer.from(payload).toString('utf8');
  const cut = text.indexOf('\n');
  return cut < 0
    ? { header: JSON.parse(text), body: '' }
    : { header: JSON.parse(text.slice(0, cut)), body: text.slice(cut + 1) };
}

/** Runs a cluster over any {@link TransportV1}: `new HorizontalAdapter(new LocalAdapter(), transport)`. */
export class HorizontalAdapter implements Adapter {
  readonly nodeId: string;
  private readonly peers = new Map<string, Peer>();
  private readonly pending = new Map<string, PendingRequest>();
  private readonly requestTimeoutMs: number;
  private readonly heartbeatIntervalMs: number;
  private readonly nodeTimeoutMs: number;
  private readonly logger: Logger;
  private readonly metrics: MetricsV1;
  private events: AdapterEvents | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private lastPublishError = 0;

  constructor(
    readonly local: LocalAdapter,
    readonly transport: TransportV1,
    options: HorizontalAdapterOptions = {},
  ) {
    this.nodeId = options.nodeId ?? randomUUID();
    this.requestTimeoutMs = options.requestTimeoutMs ?? 5000;
    this.heartbeatIntervalMs = options.heartbeatIntervalMs ?? 10_000;
    this.nodeTimeoutMs = options.nodeTimeoutMs ?? 30_000;
    this.logger = options.logger ?? silentLogger;
    this.metrics = options.metrics ?? noopMetrics;
  }

  async start(events: AdapterEvents): Promise<void> {
    this.events = events;
    await this.transport.start({
      onBroadcast: (payload) => this.guard(() => this.onBroadcast(payload)),
      onRequest: (payload) => this.guard(() => this.onRequest(payload)),
      onResponse: (payload) => this.guard(() => this.onResponse(payload)),
    });
    this.publish({ k: 'hello', n: this.nodeId });
    this.heartbeat = setInterval(() => {
      this.publish({ k: 'h', n: this.nodeId });
      this.reapDeadPeers();
    }, this.heartbeatIntervalMs);
    this.heartbeat.unref();
  }

  checkHealth(): Promise<void> {
    return this.transport.checkHealth();
  }

  /** Ids of the other nodes this node currently hears from. */
  peerIds(): string[] {
    return [...this.peers.keys()];
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
    const channelKey = key(socket.appId, channel);
    let { channelOccupied, memberAdded } = result;
    if (channelOccupied) {
      this.publish({ k: 'co', n: this.nodeId, a: socket.appId, c: channel });
      channelOccupied = !this.anyPeer((peer) => peer.channels.has(channelKey));
    }
    if (member && memberAdded) {
      this.publish(
        { k: 'pj', n: this.nodeId, a: socket.appId, c: channel, u: member.userId },
        JSON.stringify(member.userInfo ?? null),
      );
      memberAdded = !this.anyPeer((peer) => peer.members.get(channelKey)?.has(member.userId) ?? false);
    }
    return { channelOccupied, memberAdded, subscriptionCount: result.subscriptionCount };
  }

  async leave(socket: SocketHandle, channel: string, userId?: string): Promise<LeaveResult> {
    const result = await this.local.leave(socket, channel, userId);
    if (!result.left) return result;
    const channelKey = key(socket.appId, channel);
    let { channelVacated, memberRemoved } = result;
    if (memberRemoved) {
      this.publish({ k: 'pl', n: this.nodeId, a: socket.appId, c: channel, u: memberRemoved.userId });
      const stillHere = memberRemoved.userId;
      if (this.anyPeer((peer) => peer.members.get(channelKey)?.has(stillHere) ?? false))
        memberRemoved = undefined;
    }
    if (channelVacated) {
      this.publish({ k: 'cv', n: this.nodeId, a: socket.appId, c: channel });
      channelVacated = !this.anyPeer((peer) => peer.channels.has(channelKey));
    }
    return { ...result, channelVacated, memberRemoved };
  }

  async isPresenceMember(appId: string, channel: string, userId: string): Promise<boolean> {
    if (await this.local.isPresenceMember(appId, channel, userId)) return true;
    const channelKey = key(appId, channel);
    return this.anyPeer((peer) => peer.members.get(channelKey)?.has(userId) ?? false);
  }

  async getPresenceMembers(appId: string, channel: string): Promise<Map<string, unknown>> {
    const members = await this.local.getPresenceMembers(appId, channel);
    const channelKey = key(appId, channel);
    for (const peer of this.peers.values()) {
      const remote = peer.members.get(channelKey);
      if (remote) for (const [userId, info] of remote) if (!members.has(userId)) members.set(userId, info);
    }
    return members;
  }

  async broadcast(appId: string, channel: string, frame: string, exceptSocketId?: string): Promise<void> {
    // Local delivery first and regardless of the broker: a node always serves its own clients.
    await this.local.broadcast(appId, channel, frame, exceptSocketId);
    const header: Header = { k: 'b', n: this.nodeId, a: appId, c: channel };
    if (exceptSocketId !== undefined) header.x = exceptSocketId;
    this.publish(header, frame);
  }

  // ---- users ----------------------------------------------------------------------------------------

  async addUser(socket: SocketHandle): Promise<{ online: boolean }> {
    const { online } = await this.local.addUser(socket);
    if (!online) return { online };
    this.publish({ k: 'uo', n: this.nodeId, a: socket.appId, u: socket.userId! });
    const userKey = key(socket.appId, socket.userId!);
    return { online: !this.anyPeer((peer) => peer.users.has(userKey)) };
  }

  async removeUser(socket: SocketHandle): Promise<{ offline: boolean }> {
    const { offline } = await this.local.removeUser(socket);
    if (!offline) return { offline };
    this.publish({ k: 'uf', n: this.nodeId, a: socket.appId, u: socket.userId! });
    const userKey = key(socket.appId, socket.userId!);
    return { offline: !this.anyPeer((peer) => peer.users.has(userKey)) };
  }

  async onlineUsers(appId: string, userIds: readonly string[]): Promise<Set<string>> {
    const online = await this.local.onlineUsers(appId, userIds);
    for (const userId of userIds) {
      if (!online.has(userId) && this.anyPeer((peer) => peer.users.has(key(appId, userId))))
        online.add(userId);
    }
    return online;
  }

  async sendToUser(appId: string, userId: string, frame: string, exceptSocketId?: string): Promise<void> {
    await this.local.sendToUser(appId, userId, frame, exceptSocketId);
    const header: Header = { k: 'u', n: this.nodeId, a: appId, u: userId };
    if (exceptSocketId !== undefined) header.x = exceptSocketId;
    this.publish(header, frame);
  }

  async terminateUser(appId: string, userId: string): Promise<void> {
    await this.local.terminateUser(appId, userId);
    this.publish({ k: 't', n: this.nodeId, a: appId, u: userId });
  }

  // ---- cluster-wide counts (request/response) ------------------------------------------------------

  async getChannelSocketCount(appId: string, channel: string): Promise<Counted<number>> {
    const { answers, complete } = await this.request({ op: 'count', a: appId, c: channel });
    let value = this.local.channelSocketCount(appId, channel);
    for (const answer of answers) value += Number(answer) || 0;
    return { value, complete };
  }

  async getSocketCount(appId: string): Promise<Counted<number>> {
    const { answers, complete } = await this.request({ op: 'sockets', a: appId });
    let value = this.local.appSocketCount(appId);
    for (const answer of answers) value += Number(answer) || 0;
    return { value, complete };
  }

  async getChannels(appId: string, prefix?: string): Promise<Counted<Map<string, ChannelSummary>>> {
    const request: Omit<Request, 'n' | 'id'> = { op: 'channels', a: appId };
    if (prefix) request.p = prefix;
    const { answers, complete } = await this.request(request);
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
    for (const pending of this.pending.values()) pending.finish(false);
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

  private anyPeer(test: (peer: Peer) => boolean): boolean {
    for (const peer of this.peers.values()) if (test(peer)) return true;
    return false;
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

  private onPublishError(error: unknown): void {
    const now = Date.now();
    if (now - this.lastPublishError < 5000) return; // one line per 5 s while the broker is down
    this.lastPublishError = now;
    this.logger.warn('cluster publish failed; serving local clients only until the broker is back', {
      error: String(error),
    });
  }

  /** Notes that `nodeId` is alive; a node heard from for the first time gets our state. */
  private touchPeer(nodeId: string): Peer {
    let peer = this.peers.get(nodeId);
    if (!peer) {
      peer = new Peer();
      this.peers.set(nodeId, peer);
      // `r: 1` asks for the peer's snapshot back: it may still know us (we timed it out, it did not
      // time us out) and would otherwise never send its state again.
      this.sendSnapshot(nodeId, true);
    }
    peer.lastSeen = Date.now();
    return peer;
  }

  private sendSnapshot(to: string, askBack: boolean): void {
    const header: Header = { k: 'sync', n: this.nodeId, to };
    if (askBack) header.r = 1;
    this.publish(header, JSON.stringify(this.local.snapshot()));
  }

  private onBroadcast(payload: Uint8Array | string): void {
    const { header, body } = decode(payload);
    const h = header as Header;
    if (h.n === this.nodeId) return; // our own message echoed back by the broker
    if (h.k === 'bye') {
      const leaving = this.peers.get(h.n);
      if (leaving) this.forgetPeer(h.n, leaving);
      return;
    }
    const known = this.peers.has(h.n);
    const peer = this.touchPeer(h.n);
    switch (h.k) {
      case 'b':
        void this.local.broadcast(h.a, h.c, body, h.x);
        return;
      case 'u':
        void this.local.sendToUser(h.a, h.u, body, h.x);
        return;
      case 't':
        void this.local.terminateUser(h.a, h.u);
        return;
      case 'sync':
        if (h.to !== this.nodeId) return;
        peer.load(JSON.parse(body) as NodeSnapshot);
        // A peer we already knew asks for our state: answer once (touchPeer answered new peers).
        if (h.r === 1 && known) this.sendSnapshot(h.n, false);
        return;
      case 'pj':
        peer.addMember(key(h.a, h.c), h.u, body === '' ? null : JSON.parse(body));
        return;
      case 'pl':
        peer.removeMember(key(h.a, h.c), h.u);
        return;
      case 'co':
        peer.channels.add(key(h.a, h.c));
        return;
      case 'cv':
        peer.channels.delete(key(h.a, h.c));
        return;
      case 'uo': {
        const userKey = key(h.a, h.u);
        const wasOnline = this.local.hasUser(h.a, h.u) || this.anyPeer((p) => p.users.has(userKey));
        peer.users.add(userKey);
        if (!wasOnline) this.events?.userOnline(h.a, h.u);
        return;
      }
      case 'uf': {
        const userKey = key(h.a, h.u);
        if (!peer.users.delete(userKey)) return;
        if (!this.local.hasUser(h.a, h.u) && !this.anyPeer((p) => p.users.has(userKey))) {
          this.events?.userOffline(h.a, h.u);
        }
        return;
      }
      default:
        return; // 'h' and 'hello' only prove the node is alive
    }
  }

  private onRequest(payload: Uint8Array | string): void {
    const request = decode(payload).header as Request;
    if (request.n === this.nodeId) return;
    this.touchPeer(request.n);
    this.metrics.increment('horizontal_adapter_received_requests', appLabels(String(request.a)));
    let value: unknown;
    if (request.op === 'count') value = this.local.channelSocketCount(request.a, request.c ?? '');
    else if (request.op === 'sockets') value = this.local.appSocketCount(request.a);
    else {
      value = [...this.local.channelSummaries(request.a, request.p)].map(([channel, s]) => [
        channel,
        s.subscriptionCount,
      ]);
    }
    const response: Response = { n: this.nodeId, id: request.id, to: request.n, v: value };
    this.transport.publishResponse(encode(response)).catch((error: unknown) => this.onPublishError(error));
  }

  private onResponse(payload: Uint8Array | string): void {
    const response = decode(payload).header as Response;
    if (response.to !== this.nodeId) return;
    const pending = this.pending.get(response.id);
    if (!pending?.waitingFor.delete(response.n)) return;
    this.metrics.increment('horizontal_adapter_received_responses', pending.labels);
    pending.answers.push(response.v);
    if (pending.waitingFor.size === 0) pending.finish(true);
  }

  /** Asks every known peer; resolves with what arrived, `complete: false` if someone was missing. */
  private request(body: Omit<Request, 'n' | 'id'>): Promise<{ answers: unknown[]; complete: boolean }> {
    if (this.peers.size === 0) return Promise.resolve({ answers: [], complete: true });
    const id = randomUUID();
    const labels = appLabels(body.a);
    const started = performance.now();
    this.metrics.increment('horizontal_adapter_sent_requests', labels);
    return new Promise((resolve) => {
      const answers: unknown[] = [];
      const timer = setTimeout(() => finish(false), this.requestTimeoutMs);
      const finish = (complete: boolean) => {
        clearTimeout(timer);
        if (!this.pending.delete(id)) return; // already finished
        this.metrics.increment(
          complete ? 'horizontal_adapter_resolved_promises' : 'horizontal_adapter_uncomplete_promises',
          labels,
        );
        this.metrics.observe('horizontal_adapter_resolve_time', labels, performance.now() - started);
        resolve({ answers, complete });
      };
      this.pending.set(id, { waitingFor: new Set(this.peers.keys()), answers, finish, labels });
      this.transport.publishRequest(encode({ ...body, n: this.nodeId, id })).catch((error: unknown) => {
        this.onPublishError(error);
        finish(false);
      });
    });
  }

  /** Drops peers not heard from within the node timeout and cleans up what they held. */
  private reapDeadPeers(): void {
    const deadline = Date.now() - this.nodeTimeoutMs;
    for (const [nodeId, peer] of this.peers) {
      if (peer.lastSeen >= deadline) continue;
      this.logger.warn('cluster node timed out; removing its presence members', { nodeId });
      this.forgetPeer(nodeId, peer);
    }
  }

  /** Removes a peer (dead or said goodbye): pending requests stop waiting for it, its state is cleaned up. */
  private forgetPeer(nodeId: string, peer: Peer): void {
    this.peers.delete(nodeId);
    for (const pending of this.pending.values()) {
      if (pending.waitingFor.delete(nodeId) && pending.waitingFor.size === 0) pending.finish(true);
    }
    this.cleanUpAfter(peer);
  }

  private cleanUpAfter(dead: Peer): void {
    const events = this.events;
    // Exactly one survivor — the smallest node id — sends the webhooks.
    const leader = [this.nodeId, ...this.peers.keys()].sort()[0] === this.nodeId;
    for (const [channelKey, members] of dead.members) {
      const [appId, channel] = channelKey.split('\0') as [string, string];
      const gone: string[] = [];
      for (const userId of members.keys()) {
        const elsewhere =
          this.local.hasPresenceMember(appId, channel, userId) ||
          this.anyPeer((peer) => peer.members.get(channelKey)?.has(userId) ?? false);
        if (!elsewhere) gone.push(userId);
      }
      if (gone.length === 0) continue;
      for (const userId of gone) {
        const frame = channelEventFrame(
          PusherEvent.MemberRemoved,
          channel,
          JSON.stringify({ user_id: userId }),
        );
        void this.local.broadcast(appId, channel, frame);
      }
      events?.membersExpired(appId, channel, gone, leader);
    }
    const vacated = new Map<string, string[]>();
    for (const channelKey of dead.channels) {
      const [appId, channel] = channelKey.split('\0') as [string, string];
      if (this.local.hasChannel(appId, channel) || this.anyPeer((peer) => peer.channels.has(channelKey)))
        continue;
      vacated.set(appId, [...(vacated.get(appId) ?? []), channel]);
    }
    for (const [appId, channels] of vacated) events?.channelsVacated(appId, channels, leader);
    for (const userKey of dead.users) {
      const [appId, userId] = userKey.split('\0') as [string, string];
      if (!this.local.hasUser(appId, userId) && !this.anyPeer((peer) => peer.users.has(userKey))) {
        events?.userOffline(appId, userId);
      }
    }
  }
}
