// The settings of a HorizontalAdapter: timings of the cluster protocol and how events are routed.

import type { MetricsV1 } from '../spec/v1/index.js';
import type { Logger } from '../util/logger.js';

/** How channel and user events reach the other nodes. */
export type ClusterRouting = 'interest' | 'broadcast';

/** Options of {@link HorizontalAdapter}. */
export interface HorizontalAdapterOptions {
  /** This node's id; unique in the cluster. @default a random UUID */
  nodeId?: string;
  /** How long a cluster-wide count (and a broker subscription) waits for an answer. @default 5000 */
  requestTimeoutMs?: number;
  /** How often this node says it is alive. @default 10000 */
  heartbeatIntervalMs?: number;
  /** A node not heard from for this long is dead and its presence members are removed. @default 30000 */
  nodeTimeoutMs?: number;
  /**
   * `interest`: over a {@link TransportV2}, a channel's (or user's) events go only to the nodes that
   * have a local socket in it. `broadcast`: every event goes to every node (what a {@link TransportV1}
   * always does). Every node of a cluster should use the same setting; while a peer routes by
   * broadcast (or runs an older version), interest nodes also send it every event.
   * @default 'interest'
   */
  routing?: ClusterRouting;
  /**
   * How long this node stays subscribed to a channel's (or user's) routing key after its last local
   * socket left, so a client that reconnects or resubscribes does not churn the broker. @default 2000
   */
  interestLingerMs?: number;
  /**
   * How long new subscriptions are collected into one broker command; 0 collects those of one
   * event-loop turn. @default 0
   */
  interestBatchMs?: number;
  logger?: Logger;
  /**
   * Receives the cluster figures. Labelled by app: `horizontal_adapter_sent_requests`,
   * `_received_requests`, `_received_responses`, `_resolved_promises`, `_uncomplete_promises` (timed out
   * or not published), `_resolve_time` (ms) and `_unrouted_messages` (channel or user events that
   * arrived with no local recipient). Node-wide: the gauge `horizontal_adapter_subscriptions` (routing
   * keys this node holds on the broker) and the counter `horizontal_adapter_publish_failures` (publishes
   * the broker did not take: events, requests, answers, heartbeats; local clients were served all the
   * same). @default no metrics
   */
  metrics?: MetricsV1;
}
