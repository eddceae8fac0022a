// A TransportV1 wrapper that lets a test fail a node the way networks fail: cut it off entirely (a
// crash, as far as the others can tell), in one direction only, or drop only its responses (a node
// that is alive but stuck).

import type { TransportHandlers, TransportV1 } from '@sockudo/core';

/**
 * Wraps the transport under test. Dropped publishes resolve and vanish, as on a partitioned network;
 * dropped deliveries never reach the adapter. The adapter is never told.
 */
export class ControllableTransport implements TransportV1 {
  readonly specVersion = 1 as const;
  /** Drop everything this node publishes: the others stop hearing it. */
  dropOutgoing = false;
  /** Drop everything delivered to this node: it stops hearing the others. */
  dropIncoming = false;
  /** Drop only this node's responses to requests: it still heartbeats but never answers. */
  muteResponses = false;
  /** Messages the wrapped transport delivered to this node, counted before any dropping. */
  readonly arrivals = { broadcast: 0, request: 0, response: 0 };
  /** Present exactly when the wrapped transport implements it. */
  readonly nodeCount?: () => Promise<number>;

  /** @param inner the transport under test; every call goes through to it unless dropped. */
  constructor(readonly inner: TransportV1) {
    if (inner.nodeCount) this.nodeCount = () => inner.nodeCount!();
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
  start(handlers: TransportHandlers): Promise<void> {
    return this.inner.start({
      onBroadcast: (payload) => {
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
    });
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

  /** Always the wrapped transport's own answer. */
  checkHealth(): Promise<void> {
    return this.inner.checkHealth();
  }

  /** Closes the wrapped transport. */
  close(): Promise<void> {
    return this.inner.close();
  }
}
