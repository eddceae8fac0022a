// Version 2 of the transport contract: everything V1 does (an all-nodes channel for heartbeats,
// replication, requests and responses), plus *routed* delivery: a node subscribes on the broker to
// the routing keys it has local interest in, and a publish to a key reaches only those nodes.

import type { TransportHandlers } from '../v1/transport.js';

/** What a {@link TransportV2} hands back to the node that owns it. */
export interface TransportHandlersV2 extends TransportHandlers {
  /** A payload published with {@link TransportV2.publishTo} to a key this node is subscribed to. */
  onRouted(key: string, payload: Uint8Array | string): void;
  /**
   * The transport lost its broker connection and has since restored it *and* re-subscribed every key
   * in its interest set. Messages published in between may have been lost; a node that keeps history
   * can use this to look for gaps.
   */
  onRestored?(): void;
}

/**
 * Moves opaque bytes between the nodes of a cluster, to every node or to the nodes interested in a
 * routing key. It knows nothing of channels or users: the HorizontalAdapter in core decides which keys
 * a node subscribes to and what is published where.
 *
 * **Routing keys** are built by the adapter, at most 1,024 characters from
 * `[A-Za-z0-9_\-=@,;%.]`, made of non-empty tokens separated by `.` (every other character is already
 * percent-escaped). A key is therefore safe as it is in a Redis channel name, a NATS subject (after a
 * prefix token) and an AMQP topic routing key (hash keys longer than the broker allows).
 *
 * **Interest set**: the transport keeps the set of keys it was asked to subscribe to. `subscribe`
 * adds keys and resolves once the broker has acknowledged them, so a message published to one of them
 * by any node after the promise resolved reaches this node. While the broker is unreachable
 * `subscribe` rejects at once (never waits for the broker to return), but the keys stay in the set.
 * After a reconnect the transport re-subscribes its whole set by itself, and `checkHealth()` rejects
 * until it has; then it calls `onRestored`.
 *
 * Delivery is at most once per subscribed node and in publish order per (publisher, key).
 */
export interface TransportV2 {
  readonly specVersion: 2;
  start(handlers: TransportHandlersV2): Promise<void>;
  /** To every node: heartbeats, presence and occupancy replication. */
  publishBroadcast(payload: string): Promise<void>;
  /** To every node: cluster-wide requests. */
  publishRequest(payload: string): Promise<void>;
  /** To every node (the asker filters): answers to requests. */
  publishResponse(payload: string): Promise<void>;
  /** To every node subscribed to `key`; a key nobody subscribes to is dropped by the broker. */
  publishTo(key: string, payload: string): Promise<void>;
  /** Adds `keys` to the interest set; resolves when the broker has acknowledged all of them. */
  subscribe(keys: readonly string[]): Promise<void>;
  /** Removes `keys` from the interest set; resolves when the broker has acknowledged (or is away). */
  unsubscribe(keys: readonly string[]): Promise<void>;
  /** The number of nodes listening, where the broker can tell. */
  nodeCount?(): Promise<number>;
  /** Rejects while the broker is unreachable or the interest set is not yet restored after a reconnect. */
  checkHealth(): Promise<void>;
  close(): Promise<void>;
}
