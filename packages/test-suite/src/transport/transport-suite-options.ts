// The knobs of transportTestSuite and the defaults that keep a whole run well under a minute.

import type { HorizontalAdapterOptions, TransportV1, TransportV2 } from '@sockudo/core';
import { DEFAULT_WAIT_MS } from '../testing/wait.js';

/**
 * The test runner's test function: `it`/`test` of vitest or jest, `it` of `node:test`. The suite calls
 * it as `it(name, fn, timeoutMs)`; a runner that ignores the third argument uses its own timeout.
 */
export type TestFunction = (name: string, fn: () => Promise<void>, timeout?: number) => unknown;

/** The runner's `describe`, used to group the tests when given. */
export type DescribeFunction = (name: string, fn: () => void) => unknown;

/** What the suite tells `createNode` about the node it wants. */
export interface TransportNodeContext {
  /**
   * A fresh, unique string per test. Use it as the transport's prefix / subject namespace so that
   * concurrent and consecutive tests never see each other's traffic.
   */
  cluster: string;
  /** The node's number in its cluster, from 0. */
  index: number;
}

/** Builds one node's transport. Called once per node per test; the suite closes it. */
export type CreateTransportNode = (
  context: TransportNodeContext,
) => TransportV1 | TransportV2 | Promise<TransportV1 | TransportV2>;

/** The groups of {@link transportTestSuite}; a group set to `false` is not registered at all. */
export interface TransportTestGroups {
  /** specVersion, checkHealth, nodeCount. @default true */
  basics?: boolean;
  /** broadcast, exceptSocketId, ordering, byte-exact payloads, sendToUser, terminateUser. @default true */
  broadcast?: boolean;
  /** Cluster-wide counts (request/response) and their timeout. @default true */
  requests?: boolean;
  /** Presence members, memberAdded/memberRemoved, channelOccupied/channelVacated. @default true */
  presence?: boolean;
  /** addUser/removeUser, userOnline/userOffline, onlineUsers. @default true */
  users?: boolean;
  /** A crashed node's members, channels and users are cleaned up by the survivors. @default true */
  deadNodes?: boolean;
  /** A node started late learns the cluster's state. @default true */
  lateJoin?: boolean;
  /**
   * TransportV2 only: subscribe/publishTo/unsubscribe below the adapter, acknowledgement, key alphabet,
   * per-key order. @default true when `specVersion` is 2
   */
  routedTransport?: boolean;
  /**
   * TransportV2 only: interest routing through the adapter (only interested nodes receive, first
   * subscriber guarantee, linger, batching, users, a broadcast-routing peer). @default true when
   * `specVersion` is 2
   */
  routing?: boolean;
}

/** Options of {@link transportTestSuite}. */
export interface TransportTestSuiteOptions {
  /** When given, the suite wraps its tests in `describe(...)` blocks, one per group. */
  describe?: DescribeFunction;
  /**
   * The contract version the transport implements. With 2 the suite also registers the TransportV2
   * groups (`routedTransport`, `routing`), and every group runs with interest routing.
   * @default 1
   */
  specVersion?: 1 | 2;
  /** Nodes per test. @default 3 (the minimum: "exactly one survivor" needs two survivors) */
  nodes?: number;
  /** Which groups to register. Every group defaults to `true`. */
  groups?: TransportTestGroups;
  /** Timeout handed to the runner for each test. @default 20000 */
  timeoutMs?: number;
  /**
   * Overrides of the {@link HorizontalAdapterOptions} every node gets. The suite's defaults are short
   * so that a run is quick: `{ heartbeatIntervalMs: 100, nodeTimeoutMs: 600, requestTimeoutMs: 1000 }`.
   * `nodeId` cannot be set: each node gets its own.
   */
  horizontal?: Omit<HorizontalAdapterOptions, 'nodeId'>;
  /**
   * Extra pause after nodes have started and see each other, for a broker whose subscriptions become
   * ready some time after `start()` resolves. Prefer making `start()` resolve only once subscribed.
   * @default 0
   */
  settleMs?: number;
  /** How long one wait ("node 2 receives the broadcast") may take before the test fails. @default 5000 */
  waitMs?: number;
}

/** The options with every default filled in. */
export interface ResolvedTransportSuiteOptions {
  specVersion: 1 | 2;
  nodes: number;
  timeoutMs: number;
  horizontal: Omit<HorizontalAdapterOptions, 'nodeId'> &
    Required<Pick<HorizontalAdapterOptions, 'heartbeatIntervalMs' | 'nodeTimeoutMs' | 'requestTimeoutMs'>>;
  settleMs: number;
  waitMs: number;
}

/** The suite's HorizontalAdapter timings: quick enough for tests, slow enough for a remote broker. */
export const SUITE_HORIZONTAL_DEFAULTS = Object.freeze({
  heartbeatIntervalMs: 100,
  nodeTimeoutMs: 600,
  requestTimeoutMs: 1000,
});

/** Fills in defaults and rejects options the suite cannot honour. */
export function resolveSuiteOptions(options: TransportTestSuiteOptions): ResolvedTransportSuiteOptions {
  const nodes = options.nodes ?? 3;
  if (!Number.isInteger(nodes) || nodes < 3) {
    throw new RangeError(`transportTestSuite: nodes must be an integer of at least 3, got ${nodes}`);
  }
  const horizontal: ResolvedTransportSuiteOptions['horizontal'] = { ...SUITE_HORIZONTAL_DEFAULTS };
  for (const [name, value] of Object.entries(options.horizontal ?? {})) {
    if (value !== undefined && name !== 'nodeId') Object.assign(horizontal, { [name]: value });
  }
  const specVersion = options.specVersion ?? 1;
  if (specVersion !== 1 && specVersion !== 2) {
    throw new RangeError(`transportTestSuite: specVersion must be 1 or 2, got ${String(specVersion)}`);
  }
  return {
    specVersion,
    nodes,
    timeoutMs: options.timeoutMs ?? 20_000,
    horizontal,
    settleMs: options.settleMs ?? 0,
    waitMs: options.waitMs ?? DEFAULT_WAIT_MS,
  };
}
