// A wrapper around the transport under test (V1 or V2) that lets a test fail a node the way networks
// fail: cut it off entirely (a crash, as far as the others can tell), in one direction only, or drop
// only its responses (a node that is alive but stuck). It also counts what arrives, keeps the routing
// keys the node holds, and carries the suite's own messages (barrier markers and raw test payloads)
// past the adapter.

import type { TransportHandlers, TransportHandlersV2, TransportV1, TransportV2 } from '@sockudo/core';

// Printable ASCII that no adapter message (JSON, so it starts with `{`) can begin with. Not a NUL
// byte: some brokers (PostgreSQL NOTIFY) refuse it in a text payload.
/** Payloads that start with this are the suite's own and never reach the adapter. */
export const SUITE_PAYLOAD_PREFIX = '~sockudo-test-suite:';
const MARKER_PREFIX = `${SUITE_PAYLOAD_PREFIX}marker:`;

/** Where a suite payload arrived: the all-nodes channel, or a routing key. */
export type ArrivalPath = { kind: 'all' } | { kind: 'key'; key: string };

/**
 * Wraps the transport under test. Dropped publishes resolve and vanish, as on a partitioned network;
 * dropped deliveries never reach the adapter. The adapter is never told.
 */
export class ControllableTransport {
  /** The wrapped transport's version; the wrapper offers the V2 methods only when it is 2. */
  readonly specVersion: 1 | 2;
  /** Drop everything this node publishes: the others stop hearing it. */
  dropOutgoing = false;
  /** Drop everything delivered to this node: it stops hearing the others. */
  dropIncoming = false;
  /** Drop only this node's responses to requests: it still heartbeats but never answers. */
  muteResponses = false;
  /**
   * Messages the wrapped transport delivered to this node for its adapter, counted before any
   * dropping (the suite's own payloads are not counted).
   */
  readonly arrivals = { broadcast: 0, request: 0, response: 0, routed: 0 };
  /** Routed arrivals for the adapter, per key. */
  readonly routedByKey = new Map<string, number>();
  /** Routing keys the node holds: added when `subscribe` resolved, removed when `unsubscribe` is called. */
  readonly keys = new Set<string>();
  /** Every `subscribe` call the adapter (or a test) made, with its keys. */
  readonly subscribeCalls: string[][] = [];
  /** Every `unsubscribe` call, with its keys. */
  readonly unsubscribeCalls: string[][] = [];
  /** The suite's raw payloads that arrived, in order, with where they came in. */
  readonly suitePayloads: Array<{ payload: string; path: ArrivalPath }> = [];
  /** Present exactly when the wrapped transport implements it. */
  readonly nodeCount?: () => Promise<number>;
  private readonly markers = new Map<string, Set<string>>();

  /** @param inner the transport under test; every call goes through to it unless dropped. */
  constructor(readonly inner: TransportV1 | TransportV2) {
    this.specVersion = inner.specVersion === 2 ? 2 : 1;
    if (inner.nodeCount) this.nodeCount = () => inner.nodeCount!();
  }

  /** The wrapped transport as a V2 one; throws for a V1 transport. */
  get routed(): TransportV2 {
    if (this.inner.specVersion !== 2) throw new Error('the transport under test is not a TransportV2');
    return this.inner as TransportV2;
  }

  /** This wrapper as the transport a HorizontalAdapter takes. */
  asTransport(): TransportV1 | TransportV2 {
    return this as unknown as TransportV1 | TransportV2;
  }

  /** Both directions dropped: to the rest of the cluster the node has crashed. */
  get cut(): boolean {
    return this.dropOutgoing && this.dropIncoming;
  }

  set cut(value: boolean) {
    this.dropOutgoing = value;
    this.dropIncoming = value;
  }

  /** Whether any direction is dropped. */
  get isolated(): boolean {
    return this.dropOutgoing || this.dropIncoming;
  }

  /** Starts the wrapped transport with handlers that count arrivals and drop them while deaf. */
  start(handlers: TransportHandlers | TransportHandlersV2): Promise<void> {
    const wrapped: TransportHandlersV2 = {
      onBroadcast: (payload) => {
        if (this.takeSuitePayload(payload, { kind: 'all' })) return;
        this.arrivals.broadcast += 1;
        if (!this.dropIncoming) handlers.onBroadcast(payload);
      },
      onRequest: (payload) => {
        this.arrivals.request += 1;
        if (!this.dropIncoming) handlers.onRequest(payload);
      },
      onResponse: (payload) => {
        this.arrivals.response += 1;
        if (!this.dropIncoming) handlers.onResponse(payload);
      },
      onRouted: (key, payload) => {
        if (this.takeSuitePayload(payload, { kind: 'key', key })) return;
        this.arrivals.routed += 1;
        this.routedByKey.set(key, (this.routedByKey.get(key) ?? 0) + 1);
        if (!this.dropIncoming) (handlers as TransportHandlersV2).onRouted?.(key, payload);
      },
      onRestored: () => (handlers as TransportHandlersV2).onRestored?.(),
    };
    return (this.inner as TransportV2).start(wrapped);
  }

  /** Passes through unless {@link dropOutgoing}. */
  publishBroadcast(payload: string): Promise<void> {
    return this.dropOutgoing ? Promise.resolve() : this.inner.publishBroadcast(payload);
  }

  /** Passes through unless {@link dropOutgoing}. */
  publishRequest(payload: string): Promise<void> {
    return this.dropOutgoing ? Promise.resolve() : this.inner.publishRequest(payload);
  }

  /** Passes through unless {@link dropOutgoing} or {@link muteResponses}. */
  publishResponse(payload: string): Promise<void> {
    return this.dropOutgoing || this.muteResponses ? Promise.resolve() : this.inner.publishResponse(payload);
  }

  /** V2: passes through unless {@link dropOutgoing}. */
  publishTo(key: string, payload: string): Promise<void> {
    return this.dropOutgoing ? Promise.resolve() : this.routed.publishTo(key, payload);
  }

  /** V2: passes through and records the keys once the broker acknowledged them. */
  async subscribe(keys: readonly string[]): Promise<void> {
    this.subscribeCalls.push([...keys]);
    await this.routed.subscribe(keys);
    for (const key of keys) this.keys.add(key);
  }

  /** V2: passes through; the keys count as gone at once. */
  unsubscribe(keys: readonly string[]): Promise<void> {
    this.unsubscribeCalls.push([...keys]);
    for (const key of keys) this.keys.delete(key);
    return this.routed.unsubscribe(keys);
  }

  /** Always the wrapped transport's own answer. */
  checkHealth(): Promise<void> {
    return this.inner.checkHealth();
  }

  /** Closes the wrapped transport. */
  close(): Promise<void> {
    return this.inner.close();
  }

  /**
   * Sends barrier `token` on the all-nodes channel and to each of `keys`: a transport delivers one
   * node's messages in order per path, so a marker arriving on a path means everything this node
   * published on that path before has arrived too.
   */
  async sendMarker(token: string, keys: Iterable<string>): Promise<void> {
    const marker = `${MARKER_PREFIX}${token}`;
    await this.publishBroadcast(marker);
    if (this.specVersion === 2) for (const key of keys) await this.publishTo(key, marker);
  }

  /** Whether marker `token` arrived on every path in `paths` (`''` is the all-nodes channel). */
  hasMarker(token: string, paths: Iterable<string>): boolean {
    const seen = this.markers.get(token);
    if (!seen) return false;
    for (const path of paths) if (!seen.has(path)) return false;
    return true;
  }

  /** Keeps the suite's own payloads from the adapter; a deaf node drops them like everything else. */
  private takeSuitePayload(payload: Uint8Array | string, path: ArrivalPath): boolean {
    const text = typeof payload === 'string' ? payload : Buffer.from(payload).toString('utf8');
    if (!text.startsWith(SUITE_PAYLOAD_PREFIX)) return false;
    if (this.dropIncoming) return true;
    if (text.startsWith(MARKER_PREFIX)) {
      const token = text.slice(MARKER_PREFIX.length);
      let seen = this.markers.get(token);
      if (!seen) {
        seen = new Set();
        this.markers.set(token, seen);
      }
      seen.add(path.kind === 'all' ? '' : path.key);
    } else {
      this.suitePayloads.push({ payload: text, path });
    }
    return true;
  }
}
