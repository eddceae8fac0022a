// Sockudo's delivery extensions (Rust Sockudo's `crates/sockudo-core/src/options/v2_features.rs`, with
// its defaults and environment variables). docs/extensions.md shows each one on the wire.

import { section } from './key-spec.js';
import { BOOLEAN, COUNT, NON_EMPTY, POSITIVE } from './shapes.js';

export const IDEMPOTENCY = section(
  'idempotency',
  'Idempotent publish: a repeated idempotency_key (body) or X-Idempotency-Key (header) on POST /events or /batch_events is answered with the first response and publishes nothing. Cluster-wide with a shared (redis) cache; per node with the memory cache.',
  [
    {
      key: 'enabled',
      type: BOOLEAN,
      default: true,
      env: ['IDEMPOTENCY_ENABLED'],
      description: 'Honour idempotency keys (an app may override it in policy.idempotency.enabled).',
    },
    {
      key: 'ttl_seconds',
      type: POSITIVE,
      default: 120,
      env: ['IDEMPOTENCY_TTL_SECONDS'],
      description: 'Seconds a key and its response are remembered (per app: policy.idempotency.ttl_seconds).',
    },
    {
      key: 'max_key_length',
      type: POSITIVE,
      default: 128,
      env: ['IDEMPOTENCY_MAX_KEY_LENGTH'],
      description: 'Longest key in bytes; a longer one is answered with 400.',
    },
  ],
);

export const ECHO_CONTROL = section(
  'echo_control',
  'Whether a protocol V2 socket receives its own client events (Pusher sockets never do).',
  [
    {
      key: 'enabled',
      type: BOOLEAN,
      default: true,
      env: ['ECHO_CONTROL_ENABLED'],
      description: 'Honour echo_messages on V2 WebSocket URLs; when false every V2 socket is echoed.',
    },
    {
      key: 'default_echo_messages',
      type: BOOLEAN,
      default: true,
      env: ['ECHO_CONTROL_DEFAULT_ECHO_MESSAGES'],
      description: 'Echo for a V2 socket whose URL has no echo_messages.',
    },
  ],
);

export const EVENT_NAME_FILTERING = section(
  'event_name_filtering',
  'filter.events in V2 subscribe data: only the listed application events reach the subscription.',
  [
    {
      key: 'enabled',
      type: BOOLEAN,
      default: true,
      env: ['EVENT_NAME_FILTERING_ENABLED'],
      description: 'Apply filter.events (a malformed one is refused either way).',
    },
    {
      key: 'max_events_per_filter',
      type: POSITIVE,
      default: 50,
      env: ['EVENT_NAME_FILTERING_MAX_EVENTS_PER_FILTER'],
      description: 'Most event names one filter may list; more is refused with sockudo:error 4000.',
    },
    {
      key: 'max_event_name_length',
      type: POSITIVE,
      default: 200,
      env: ['EVENT_NAME_FILTERING_MAX_EVENT_NAME_LENGTH'],
      description: 'Longest name in a filter, in bytes; longer is refused with sockudo:error 4000.',
    },
  ],
);

export const EPHEMERAL = section('ephemeral', 'extras.ephemeral on published messages.', [
  {
    key: 'enabled',
    type: BOOLEAN,
    default: true,
    env: ['EPHEMERAL_ENABLED'],
    description:
      'Keep extras.ephemeral (no history, no webhook; counted in ephemeral_messages_total); when false the flag is removed before delivery.',
  },
]);

export const TAG_FILTERING = section(
  'tag_filtering',
  'Tags on published events and tag filters on V2 subscribes (filter / tags_filter in the subscribe data).',
  [
    {
      key: 'enabled',
      type: BOOLEAN,
      default: false,
      env: ['TAG_FILTERING_ENABLED'],
      description:
        'Apply subscriptions’ tag filters (deliveries held back are counted in tag_filter_suppressed_total); when false a filter is still checked, and a bad one refused with sockudo:error 4000, but every event gets through.',
    },
    {
      key: 'enable_tags',
      type: BOOLEAN,
      default: true,
      description: 'Include an event’s tags in what V2 sockets receive (filters read them either way).',
    },
  ],
);

export const DELTA_COMPRESSION = section(
  'delta_compression',
  'Delta compression: V2 sockets that send sockudo:enable_delta_compression (or subscribe with delta) get channel events as fossil deltas from the previous one. Per channel: the app’s channel_delta_compression.',
  [
    {
      key: 'enabled',
      type: BOOLEAN,
      default: true,
      description: 'Serve deltas; when false, enable_delta_compression is answered enabled: false.',
    },
    {
      key: 'algorithm',
      type: { kind: 'enum', values: ['fossil', 'xdelta3'] },
      default: 'fossil',
      description:
        'The algorithm of every delta. Only fossil is encoded here; xdelta3 (VCDIFF) is accepted and served as fossil (each delta says so).',
    },
    {
      key: 'full_message_interval',
      type: POSITIVE,
      default: 10,
      description: 'Deltas sent in a row before the next message goes out in full.',
    },
    {
      key: 'min_message_size',
      type: COUNT,
      default: 100,
      description: 'Frames shorter than this many bytes are sent as they are, outside the delta stream.',
    },
    {
      key: 'max_state_age_secs',
      type: POSITIVE,
      default: 300,
      description: 'A base older than this many seconds is not used: the next message goes out in full.',
    },
    {
      key: 'max_channel_states_per_socket',
      type: POSITIVE,
      default: 100,
      description: 'Channels whose bases one socket keeps; the least recently updated is dropped first.',
    },
    {
      key: 'max_conflation_states_per_channel',
      type: POSITIVE,
      default: 100,
      description:
        'Bases (event names and conflation key values) one socket keeps per channel; the least recently updated is dropped first.',
    },
    {
      key: 'conflation_key_path',
      type: NON_EMPTY,
      description:
        'A dotted path into each message (asset, data.symbol) whose value keeps a base of its own, for channels without their own conflation_key.',
    },
    {
      key: 'omit_delta_algorithm',
      type: BOOLEAN,
      default: false,
      description: 'Leave the algorithm field out of each delta (clients then assume fossil).',
    },
    {
      key: 'cluster_coordination',
      type: BOOLEAN,
      default: false,
      description:
        'Accepted for compatibility: each node keeps its own sockets’ delta state, which needs no coordination.',
      applied: false,
    },
    {
      key: 'coordination_backend',
      type: { kind: 'enum', values: ['auto', 'none', 'redis', 'redis_cluster', 'redis-cluster', 'nats'] },
      default: 'auto',
      description: 'Accepted for compatibility (see cluster_coordination).',
      applied: false,
    },
  ],
);
