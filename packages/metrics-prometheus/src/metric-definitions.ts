// The metrics Sockudo reports, declared once with their help texts and label names. Names are Rust
// Sockudo's `sockudo_` family (the prefix is added at registration) wherever Rust Sockudo has one.

/** How a metric is exposed to Prometheus. */
export type MetricType = 'counter' | 'gauge' | 'histogram';

/** One declared metric: its type, help text and label names (Prometheus spelling, `app_id`). */
export interface MetricDefinition {
  readonly type: MetricType;
  readonly help: string;
  readonly labels: readonly string[];
}

const APP = ['app_id'] as const;

/**
 * Every metric the engine reports, by name without the prefix. Each is registered when the metrics are
 * created, so `/metrics` lists them (with their help text) before the first event; names not in this
 * table are still accepted and registered on first use.
 */
export const SOCKUDO_METRICS: Readonly<Record<string, MetricDefinition>> = Object.freeze({
  // Connections
  connected: { type: 'gauge', help: 'WebSocket connections open on this node', labels: APP },
  new_connections_total: { type: 'counter', help: 'WebSocket connections accepted', labels: APP },
  new_disconnections_total: {
    type: 'counter',
    help: 'WebSocket connections closed, by close code',
    labels: ['app_id', 'code'],
  },
  connection_errors_total: {
    type: 'counter',
    help: 'WebSocket connections refused at the door, by Pusher error code',
    labels: ['app_id', 'code'],
  },
  slow_consumers_closed_total: {
    type: 'counter',
    help: 'Connections closed with 4100 because their send buffer was full',
    labels: APP,
  },
  // Messages and bytes
  ws_messages_received_total: { type: 'counter', help: 'WebSocket frames received', labels: APP },
  ws_messages_sent_total: { type: 'counter', help: 'WebSocket frames sent', labels: APP },
  socket_received_bytes: { type: 'counter', help: 'Bytes of WebSocket frames received', labels: APP },
  socket_transmitted_bytes: { type: 'counter', help: 'Bytes of WebSocket frames sent', labels: APP },
  broadcasts_total: {
    type: 'counter',
    help: 'Channel fan-outs done on this node (HTTP, client and presence events, and those relayed from other nodes)',
    labels: APP,
  },
  deliveries_total: {
    type: 'counter',
    help: 'Event frames handed to sockets by fan-outs and user sends',
    labels: APP,
  },
  broadcast_latency_ms: {
    type: 'histogram',
    help: 'Milliseconds from an HTTP trigger being received to its local fan-out being done',
    labels: APP,
  },
  // HTTP API
  http_calls_received_total: {
    type: 'counter',
    help: 'HTTP requests answered, by route template and status',
    labels: ['app_id', 'route', 'status'],
  },
  http_events_published_total: {
    type: 'counter',
    help: 'Channel events published through the HTTP API (one per channel)',
    labels: APP,
  },
  // Delivery extensions (docs/extensions.md)
  idempotency_publish_total: {
    type: 'counter',
    help: 'Publishes (triggers, batch events, whole batches) that carried an idempotency key',
    labels: APP,
  },
  idempotency_duplicates_total: {
    type: 'counter',
    help: 'Duplicate publishes caught by an idempotency key: answered from the first response or skipped',
    labels: APP,
  },
  ephemeral_messages_total: {
    type: 'counter',
    help: 'Messages published with extras.ephemeral (one per channel)',
    labels: APP,
  },
  event_filter_suppressed_total: {
    type: 'counter',
    help: 'Deliveries to V2 sockets held back by their subscription’s event-name filter',
    labels: APP,
  },
  tag_filter_suppressed_total: {
    type: 'counter',
    help: 'Deliveries to V2 sockets held back by their subscription’s tag filter',
    labels: APP,
  },
  delta_compression_delta_messages_total: {
    type: 'counter',
    help: 'Channel events sent to delta sockets as a delta',
    labels: APP,
  },
  delta_compression_full_messages_total: {
    type: 'counter',
    help: 'Channel events sent to delta sockets in full (first messages, every full_message_interval, after a reset)',
    labels: APP,
  },
  delta_compression_bandwidth_original_bytes: {
    type: 'counter',
    help: 'Bytes the delta sockets’ channel events would have taken in full',
    labels: APP,
  },
  delta_compression_bandwidth_saved_bytes: {
    type: 'counter',
    help: 'Bytes delta compression saved (messages in full minus the deltas sent instead)',
    labels: APP,
  },
  // Channel history and connection recovery (docs/history-and-recovery.md); Rust Sockudo's names
  history_writes_total: {
    type: 'counter',
    help: 'Messages appended to channel history (each gets its serial there)',
    labels: APP,
  },
  history_write_failures_total: {
    type: 'counter',
    help: 'Appends the history store refused or did not answer; the message was not published',
    labels: APP,
  },
  history_write_latency_ms: {
    type: 'histogram',
    help: 'Milliseconds one append to channel history took',
    labels: APP,
  },
  history_replayed_messages_total: {
    type: 'counter',
    help: 'Messages a resume replayed to a reconnecting socket',
    labels: APP,
  },
  history_recovery_success_total: {
    type: 'counter',
    help: 'Channels recovered by a resume, by source (cold: durable history; hot: the recovery buffer)',
    labels: ['app_id', 'source'],
  },
  history_recovery_failures_total: {
    type: 'counter',
    help: 'Channels a resume could not recover, by resume_failed code',
    labels: ['app_id', 'code'],
  },
  history_gaps_detected_total: {
    type: 'counter',
    help: 'Jumps in a channel’s serials seen by this node (messages the broker did not deliver, or delivered late)',
    labels: APP,
  },
  history_gap_messages_filled_total: {
    type: 'counter',
    help: 'Messages read back from channel history to fill a gap before newer ones were delivered',
    labels: APP,
  },
  // Channels and presence
  active_channels: { type: 'gauge', help: 'Channels with a subscriber on this node', labels: APP },
  channel_subscriptions_total: {
    type: 'counter',
    help: 'Successful subscriptions, by channel type',
    labels: ['app_id', 'type'],
  },
  channel_unsubscriptions_total: {
    type: 'counter',
    help: 'Unsubscriptions (including those of closing sockets)',
    labels: APP,
  },
  presence_members: {
    type: 'gauge',
    help: 'Distinct users in presence channels on this node, summed over channels',
    labels: APP,
  },
  // Webhooks
  webhooks_sent_total: {
    type: 'counter',
    help: 'Webhook requests delivered, by HTTP status',
    labels: ['app_id', 'status'],
  },
  webhook_failures_total: {
    type: 'counter',
    help: 'Webhook attempts that failed (status 0: network error or timeout; reason "queue": not queued)',
    labels: ['app_id', 'status', 'reason'],
  },
  // Horizontal adapter (cluster-wide counts)
  horizontal_adapter_sent_requests: {
    type: 'counter',
    help: 'Cluster requests this node sent to its peers',
    labels: APP,
  },
  horizontal_adapter_received_requests: {
    type: 'counter',
    help: 'Cluster requests this node answered for a peer',
    labels: APP,
  },
  horizontal_adapter_received_responses: {
    type: 'counter',
    help: 'Answers from peers to this node’s requests',
    labels: APP,
  },
  horizontal_adapter_resolved_promises: {
    type: 'counter',
    help: 'Cluster requests every peer answered',
    labels: APP,
  },
  horizontal_adapter_uncomplete_promises: {
    type: 'counter',
    help: 'Cluster requests that timed out (or could not be published) without every answer',
    labels: APP,
  },
  horizontal_adapter_resolve_time: {
    type: 'histogram',
    help: 'Milliseconds a cluster request took to finish',
    labels: APP,
  },
  // Horizontal adapter (interest routing)
  horizontal_adapter_subscriptions: {
    type: 'gauge',
    help: 'Routing keys (channels and users with local sockets) this node holds on the broker',
    labels: [],
  },
  horizontal_adapter_publish_failures: {
    type: 'counter',
    help: 'Publishes to the broker that failed (events, requests, answers, heartbeats); local clients were served all the same',
    labels: [],
  },
  horizontal_adapter_unrouted_messages: {
    type: 'counter',
    help: 'Channel or user events this node received with no local recipient (near 0 with interest routing)',
    labels: APP,
  },
  // Runtime
  event_loop_lag_seconds: {
    type: 'gauge',
    help: 'Mean event-loop delay over the last sampling interval',
    labels: [],
  },
  event_loop_lag_p99_seconds: {
    type: 'gauge',
    help: '99th percentile of the event-loop delay over the last sampling interval',
    labels: [],
  },
} satisfies Record<string, MetricDefinition>);

/**
 * Buckets of the millisecond histograms (`broadcast_latency_ms`, `horizontal_adapter_resolve_time`,
 * `history_write_latency_ms`).
 */
export const DEFAULT_LATENCY_BUCKETS_MS: readonly number[] = Object.freeze([
  0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000,
]);
