// N HorizontalAdapters over the transport under test, with fake sockets and recording events: the
// fixture every transport test runs in.

import { randomUUID } from 'node:crypto';
import {
  HorizontalAdapter,
  type HorizontalAdapterOptions,
  type JoinResult,
  LocalAdapter,
} from '@sockudo/core';
import { ControllableTransport } from '../testing/controllable-transport.js';
import { FakeSocket } from '../testing/fake-socket.js';
import { RecordingEvents } from '../testing/recording-events.js';
import { RecordingMetrics } from '../testing/recording-metrics.js';
import { sleep, waitFor, withDeadline } from '../testing/wait.js';
import type { CreateTransportNode, ResolvedTransportSuiteOptions } from './transport-suite-options.js';

/**
 * The app the probe sockets live in, apart from the app under test so they never show in its counts.
 * Every node has one probe socket subscribed, so every node holds at least one channel.
 */
export const PROBE_APP = 'sockudo-test-suite-probe';
const PROBE_CHANNEL = 'barrier';

/** One node of a {@link TestCluster}. */
export class TestNode {
  /** A socket on every node, in {@link PROBE_APP}, subscribed to one channel there. */
  readonly probe: FakeSocket;
  /** Set once the suite has closed this node's adapter. */
  closed = false;
  private socketCount = 0;

  constructor(
    /** The node's number in its cluster. */
    readonly index: number,
    /** The adapter under test: a HorizontalAdapter over a LocalAdapter and {@link transport}. */
    readonly adapter: HorizontalAdapter,
    /** The transport under test, wrapped so the node can be cut off or muted. */
    readonly transport: ControllableTransport,
    /** Every `AdapterEvents` call the node's adapter made. */
    readonly events: RecordingEvents,
    /** What the node's adapter reported as metrics. */
    readonly metrics: RecordingMetrics = new RecordingMetrics(),
  ) {
    this.probe = new FakeSocket(this.nextSocketId(), PROBE_APP);
  }

  /** `node 2`, for messages. */
  get name(): string {
    return `node ${this.index}`;
  }

  /** Creates a socket on this node and registers it with the adapter (`addSocket`). */
  socket(appId: string, userId?: string): FakeSocket {
    const socket = new FakeSocket(this.nextSocketId(), appId, userId);
    this.adapter.addSocket(socket);
    return socket;
  }

  /** Creates a socket on this node and subscribes it to `channel` (`addSocket` + `join`, no presence). */
  async subscribed(appId: string, channel: string, userId?: string): Promise<FakeSocket> {
    const socket = this.socket(appId, userId);
    await this.adapter.join(socket, channel);
    return socket;
  }

  /** Creates a socket on this node and joins presence `channel` as `userId`. */
  async joinPresence(
    appId: string,
    channel: string,
    userId: string,
    userInfo: unknown = { name: userId },
  ): Promise<{ socket: FakeSocket; result: JoinResult }> {
    const socket = this.socket(appId, userId);
    const result = await this.adapter.join(socket, channel, { userId, userInfo });
    return { socket, result };
  }

  /** Creates a signed-in socket of `userId` on this node (`addSocket` + `addUser`). */
  async signIn(appId: string, userId: string): Promise<{ socket: FakeSocket; online: boolean }> {
    const socket = this.socket(appId, userId);
    const { online } = await this.adapter.addUser(socket);
    return { socket, online };
  }

  private nextSocketId(): string {
    // Pusher's `<digits>.<digits>` shape, unique in the cluster.
    this.socketCount += 1;
    return `${this.index + 1}${String(this.socketCount).padStart(4, '0')}.${Math.floor(Math.random() * 1e9)}`;
  }
}

/**
 * Starts HorizontalAdapters over the transport under test, each with a {@link ControllableTransport},
 * a {@link RecordingEvents} and a probe socket, and tears them all down in {@link close}.
 */
export class TestCluster {
  /** The namespace handed to `createNode`: fresh for every cluster. */
  readonly cluster = `sockudo-test-${randomUUID()}`;
  /** Every node started so far, cut ones included. */
  readonly nodes: TestNode[] = [];
  private barriers = 0;

  constructor(
    private readonly createNode: CreateTransportNode,
    readonly options: ResolvedTransportSuiteOptions,
  ) {}

  /** The nodes that are neither closed nor cut off in either direction. */
  get live(): TestNode[] {
    return this.nodes.filter((node) => !node.transport.isolated && !node.closed);
  }

  /** Closes one node's adapter cleanly (and so its transport), within the wait deadline. */
  async closeNode(node: TestNode): Promise<void> {
    if (node.closed) return;
    node.closed = true;
    await withDeadline(node.adapter.close(), `${node.name} did not close`, this.options.waitMs);
  }

  /** The node with `index`; throws when there is none. */
  node(index: number): TestNode {
    const node = this.nodes[index];
    if (!node) throw new Error(`the cluster has no node ${index}`);
    return node;
  }

  /**
   * Starts `count` more nodes, waits until every live node sees every other one, then settles.
   * `overrides` change the HorizontalAdapter options of these nodes only.
   */
  async start(count: number, overrides: Omit<HorizontalAdapterOptions, 'nodeId'> = {}): Promise<TestNode[]> {
    const started: TestNode[] = [];
    for (let i = 0; i < count; i++) started.push(await this.startNode(overrides));
    await this.waitForMesh();
    if (this.options.settleMs > 0) await sleep(this.options.settleMs);
    return started;
  }

  /** Starts one node (without waiting for the others to see it) and joins its probe socket. */
  async startNode(overrides: Omit<HorizontalAdapterOptions, 'nodeId'> = {}): Promise<TestNode> {
    const index = this.nodes.length;
    const transport = new ControllableTransport(await this.createNode({ cluster: this.cluster, index }));
    const metrics = new RecordingMetrics();
    const options = { ...this.options.horizontal, ...overrides, metrics };
    const adapter = new HorizontalAdapter(new LocalAdapter(), transport.asTransport(), options);
    const node = new TestNode(index, adapter, transport, new RecordingEvents(), metrics);
    this.nodes.push(node); // before start(), so close() reaches a node whose start failed half-way
    await withDeadline(node.adapter.start(node.events), `${node.name} did not start`, this.options.waitMs);
    node.adapter.addSocket(node.probe);
    await node.adapter.join(node.probe, PROBE_CHANNEL);
    return node;
  }

  /** Waits until every live node lists every other live node in `peerIds()`. */
  async waitForMesh(): Promise<void> {
    await waitFor(
      () => {
        for (const node of this.live) {
          const peers = new Set(node.adapter.peerIds());
          for (const other of this.live) {
            if (other !== node && !peers.has(other.adapter.nodeId)) {
              throw new Error(`${node.name} does not see ${other.name}`);
            }
          }
        }
        return true;
      },
      'the nodes did not all see each other',
      { timeoutMs: this.options.waitMs + this.options.horizontal.heartbeatIntervalMs * 2 },
    );
  }

  /**
   * Waits until every node in `to` has processed everything `from` published before this call. `from`
   * sends a marker on the all-nodes channel and to every routing key a `to` node holds; a transport
   * delivers one node's messages in order per channel and per key, so a marker arriving means what
   * came before it on that path has arrived too.
   */
  async barrier(from: TestNode, to: TestNode[] = this.live.filter((node) => node !== from)): Promise<void> {
    this.barriers += 1;
    const token = `${from.index}:${this.barriers}:${randomUUID()}`;
    const keys = new Set<string>();
    for (const node of to) for (const key of node.transport.keys) keys.add(key);
    await from.transport.sendMarker(token, keys);
    for (const node of to) {
      await waitFor(
        // Keys the node let go of meanwhile are not waited for.
        () => node.transport.hasMarker(token, ['', ...[...node.transport.keys].filter((k) => keys.has(k))]),
        `${node.name} did not receive ${from.name}'s messages (barrier ${token})`,
        { timeoutMs: this.options.waitMs },
      );
    }
  }

  /** A {@link barrier} from every live node to every other: all traffic so far has been processed. */
  async quiesce(): Promise<void> {
    for (const node of this.live) await this.barrier(node);
  }

  /** Closes every node's adapter (and so its transport); returns the errors instead of throwing. */
  async close(): Promise<unknown[]> {
    const results = await Promise.allSettled(this.nodes.map((node) => this.closeNode(node)));
    return results.flatMap((result) => (result.status === 'rejected' ? [result.reason] : []));
  }
}

/**
 * Runs `body` against a fresh {@link TestCluster} and always closes it. A failure of `body` wins over
 * a failure to close; a clean `body` with a failed close fails too (close is part of the contract).
 */
export async function withTestCluster(
  createNode: CreateTransportNode,
  options: ResolvedTransportSuiteOptions,
  body: (cluster: TestCluster) => Promise<void>,
): Promise<void> {
  const cluster = new TestCluster(createNode, options);
  let failure: { error: unknown } | undefined;
  try {
    await body(cluster);
  } catch (error) {
    failure = { error };
  }
  const closeErrors = await cluster.close();
  if (failure) throw failure.error;
  if (closeErrors.length > 0) {
    throw new AggregateError(
      closeErrors,
      `closing the cluster failed: ${closeErrors.map(String).join('; ')}`,
    );
  }
}
