// The adapter: how nodes share sockets, channels and presence. Rust Sockudo's long form
// (`adapter.redis`, `adapter.cluster`, `adapter.nats`, which the environment variables set), the short
// form of our docs (`*_settings`, which wins), and the node heartbeats.

import { type KeyEntry, openSection, section } from './key-spec.js';
import {
  AMQP_URL,
  ARRAY,
  answersTimeoutKey,
  BOOLEAN,
  COUNT,
  credentialKeys,
  driverKeys,
  drivers,
  NATS_URL,
  NODES,
  NON_EMPTY,
  OBJECT,
  POSITIVE,
  REDIS_URL,
  STRING,
} from './shapes.js';

/** The short form of a transport's settings, which wins over the long one. */
function shortForm(path: string, driver: string, longForm: string, members: readonly KeyEntry[]) {
  return section(path, `The short form of the ${driver} adapter settings; wins over ${longForm}.`, members);
}

export const ADAPTER = openSection('adapter', 'How nodes share sockets, channels and presence.', [
  ...driverKeys('adapter', {
    type: drivers(['local', 'redis', 'redis-cluster', 'redis_cluster', 'nats', 'rabbitmq']),
    default: 'local',
    env: ['ADAPTER_DRIVER'],
    description:
      'local keeps everything in this process (one node); redis, redis-cluster (alias redis_cluster), nats and rabbitmq join every node that uses the same broker and prefix into one cluster.',
  }),
  {
    key: 'routing',
    type: { kind: 'enum', values: ['interest', 'broadcast'] },
    default: 'interest',
    env: ['ADAPTER_ROUTING'],
    description:
      'interest: a node subscribes on the broker only to the channels and users it has sockets for, and receives only their events (every built-in adapter routes). broadcast: every event goes to every node. Use the same value on every node of a cluster.',
  },
  {
    key: 'interest_linger_ms',
    type: COUNT,
    default: 2000,
    env: ['ADAPTER_INTEREST_LINGER_MS'],
    description:
      'Milliseconds a node stays subscribed to a channel (or user) after its last local socket left, so a reconnecting client does not churn the broker.',
  },
  {
    key: 'interest_batch_ms',
    type: COUNT,
    default: 0,
    env: ['ADAPTER_INTEREST_BATCH_MS'],
    description:
      'Milliseconds new broker subscriptions are collected into one command; 0 collects those of one event-loop turn.',
  },
  {
    key: 'enable_socket_counting',
    type: BOOLEAN,
    default: true,
    env: ['ADAPTER_ENABLE_SOCKET_COUNTING'],
    description: 'Track socket counts across the cluster.',
    applied: false,
  },
  {
    key: 'fallback_to_local',
    type: BOOLEAN,
    default: true,
    env: ['ADAPTER_FALLBACK_TO_LOCAL'],
    description:
      'When the transport cannot connect at start: true logs a warning and runs on the local adapter (one node); false exits 1.',
  },
  openSection('redis', 'Settings of the redis adapter.', [
    answersTimeoutKey('requests_timeout', 5000),
    {
      key: 'prefix',
      type: STRING,
      default: 'sockudo_adapter:',
      description: 'Prefix of the Redis pub/sub channels; nodes with the same prefix form one cluster.',
    },
    {
      key: 'redis_pub_options',
      type: OBJECT,
      default: {},
      description:
        'Only its url is read: the Redis URL of the adapter (REDIS_URL sets it); without one, database.redis is used.',
    },
    {
      key: 'redis_sub_options',
      type: OBJECT,
      default: {},
      description:
        'Accepted for compatibility: the subscribing connection uses the same URL as the publishing one.',
      applied: false,
    },
    {
      key: 'cluster_mode',
      type: BOOLEAN,
      default: false,
      description: 'Treat the Redis URL as a seed node of a Redis Cluster (the redis-cluster transport).',
    },
  ]),
  openSection('cluster', 'Settings of the redis-cluster adapter.', [
    {
      key: 'nodes',
      type: NODES,
      default: [],
      env: ['REDIS_CLUSTER_NODES'],
      description:
        'Cluster seed nodes, e.g. ["redis://127.0.0.1:7000"]; without any, database.redis.cluster.nodes (or cluster_nodes) is used.',
    },
    {
      key: 'prefix',
      type: NON_EMPTY,
      default: 'sockudo_adapter:',
      description: 'Prefix of the pub/sub channels (wrapped in a hash tag so they share one slot).',
    },
    answersTimeoutKey('request_timeout_ms', 1000),
    {
      key: 'use_connection_manager',
      type: BOOLEAN,
      default: true,
      description: 'Accepted for compatibility: connections are always re-established automatically.',
      applied: false,
    },
    {
      key: 'use_sharded_pubsub',
      type: BOOLEAN,
      default: false,
      description: 'Use SSUBSCRIBE/SPUBLISH (Redis 7+); every node of one cluster must agree.',
    },
  ]),
  openSection('nats', 'Settings of the nats adapter.', [
    {
      key: 'servers',
      type: ARRAY,
      default: ['nats://localhost:4222'],
      env: ['NATS_SERVERS'],
      description: 'NATS server URLs.',
    },
    {
      key: 'prefix',
      type: NON_EMPTY,
      default: 'sockudo_adapter:',
      env: ['NATS_PREFIX'],
      description: 'Subject prefix (subjects are {prefix}.broadcast, .requests, .responses).',
    },
    answersTimeoutKey('request_timeout_ms', 5000, ['NATS_REQUEST_TIMEOUT_MS']),
    {
      key: 'connection_timeout_ms',
      type: POSITIVE,
      default: 5000,
      env: ['NATS_CONNECTION_TIMEOUT_MS'],
      description: 'Milliseconds to keep trying to reach a server at start.',
    },
    ...credentialKeys('NATS', { username: 'NATS user.', password: 'NATS password.' }),
    {
      key: 'token',
      type: STRING,
      env: ['NATS_TOKEN'],
      description: 'NATS token.',
      secret: true,
    },
    {
      key: 'nodes_number',
      type: POSITIVE,
      env: ['NATS_NODES_NUMBER'],
      description: 'Expected number of nodes (answers to wait for).',
      applied: false,
    },
  ]),
  openSection('rabbitmq', 'Settings of the rabbitmq adapter.', [
    {
      key: 'url',
      type: AMQP_URL,
      default: 'amqp://guest:guest@127.0.0.1:5672/%2f',
      env: ['RABBITMQ_URL'],
      description: 'AMQP 0-9-1 URL of the RabbitMQ broker (the vhost URL-encoded: %2f is "/").',
      secret: true,
    },
    {
      key: 'prefix',
      type: NON_EMPTY,
      default: 'sockudo_adapter',
      env: ['RABBITMQ_PREFIX'],
      description:
        'Prefix of the exchanges ({prefix}.broadcast, {prefix}.routed) and queues; nodes with the same prefix form one cluster.',
    },
    answersTimeoutKey('request_timeout_ms', 5000, ['RABBITMQ_REQUEST_TIMEOUT_MS']),
    {
      key: 'connection_timeout_ms',
      type: POSITIVE,
      default: 5000,
      env: ['RABBITMQ_CONNECTION_TIMEOUT_MS'],
      description: 'Milliseconds to keep trying to reach the broker at start.',
    },
    {
      key: 'nodes_number',
      type: POSITIVE,
      env: ['RABBITMQ_NODES_NUMBER'],
      description: 'Expected number of nodes (answers to wait for).',
      applied: false,
    },
  ]),
  shortForm('redis_settings', 'redis', 'adapter.redis', [
    {
      key: 'dsn',
      type: REDIS_URL,
      description: 'Redis URL of the adapter, e.g. "redis://127.0.0.1:6379/0".',
    },
    {
      key: 'prefix',
      type: STRING,
      description: 'Prefix of the pub/sub channels (default adapter.redis.prefix).',
    },
  ]),
  shortForm('redis_cluster_settings', 'redis-cluster', 'adapter.cluster', [
    {
      key: 'dsns',
      type: NODES,
      description: 'Cluster seed nodes, e.g. ["redis://127.0.0.1:7000", "redis://127.0.0.1:7001"].',
    },
    {
      key: 'prefix',
      type: NON_EMPTY,
      description: 'Prefix of the pub/sub channels (default adapter.cluster.prefix).',
    },
  ]),
  shortForm('nats_settings', 'nats', 'adapter.nats', [
    {
      key: 'url',
      type: NATS_URL,
      description: 'NATS server URL, e.g. "nats://127.0.0.1:4222".',
    },
    {
      key: 'subject_prefix',
      type: NON_EMPTY,
      description: 'Subject prefix (default adapter.nats.prefix).',
    },
  ]),
  section('cluster_health', 'Node heartbeats of the redis, redis-cluster and nats adapters.', [
    {
      key: 'enabled',
      type: BOOLEAN,
      default: true,
      env: ['CLUSTER_HEALTH_ENABLED'],
      description: 'Accepted for compatibility: heartbeats always run on a cluster in this release.',
      applied: false,
    },
    {
      key: 'heartbeat_interval_ms',
      type: POSITIVE,
      default: 10000,
      env: ['CLUSTER_HEALTH_HEARTBEAT_INTERVAL'],
      description: 'Milliseconds between the heartbeats of a node; at most a third of node_timeout_ms.',
    },
    {
      key: 'node_timeout_ms',
      type: POSITIVE,
      default: 30000,
      env: ['CLUSTER_HEALTH_NODE_TIMEOUT'],
      description:
        'A node not heard from for this many milliseconds is dead: its presence members are removed.',
    },
    {
      key: 'cleanup_interval_ms',
      type: POSITIVE,
      default: 10000,
      env: ['CLUSTER_HEALTH_CLEANUP_INTERVAL'],
      description:
        'Accepted for compatibility: dead nodes are looked for at every heartbeat. When set, at most node_timeout_ms (as Rust Sockudo checks).',
      applied: false,
    },
  ]),
]);
