// Channel history and connection recovery (Rust Sockudo's `history` and `connection_recovery`, in
// `crates/sockudo-core/src/options/v2_features.rs`, with its defaults and environment variables).
// docs/history-and-recovery.md shows both on the wire.

import { openSection, section } from './key-spec.js';
import { BOOLEAN, drivers, keyPrefixKey, NON_EMPTY, POSITIVE, redisOverrideKeys } from './shapes.js';

/** `table_prefix` and `write_timeout_ms` of a SQL history backend. */
function sqlHistoryKeys(envPrefix: string | undefined) {
  return [
    {
      key: 'table_prefix',
      type: NON_EMPTY,
      default: 'sockudo_history',
      ...(envPrefix !== undefined && { env: [`${envPrefix}_TABLE_PREFIX`] }),
      description: 'The tables are <table_prefix>_streams and <table_prefix>_entries (Rust Sockudo’s).',
    },
    {
      key: 'write_timeout_ms',
      type: POSITIVE,
      default: 5000,
      ...(envPrefix !== undefined && { env: [`${envPrefix}_WRITE_TIMEOUT_MS`] }),
      description: 'Longest one statement may take.',
    },
  ];
}

const NOT_USED = 'Accepted for compatibility; this release writes each message in the publish itself.';

export const HISTORY = openSection(
  'history',
  'Durable channel history: every non-ephemeral message of a channel is stored with a serial, served by GET /apps/{id}/channels/{channel}/history and replayed by connection recovery. An app overrides it in policy.history, a namespace its retention in policy.channels.channel_namespaces[].history.',
  [
    {
      key: 'enabled',
      type: BOOLEAN,
      default: false,
      env: ['HISTORY_ENABLED'],
      description: 'Keep history for every channel (an app may switch it in policy.history.enabled).',
    },
    {
      key: 'rewind_enabled',
      type: BOOLEAN,
      default: true,
      env: ['HISTORY_REWIND_ENABLED'],
      description:
        'Let a subscription ask for recent history (rewind in the subscribe data; per app and namespace: rewind_enabled).',
    },
    {
      key: 'backend',
      type: drivers(
        [
          'memory',
          'redis',
          'redis-cluster',
          'redis_cluster',
          'postgres',
          'postgresql',
          'pgsql',
          'mysql',
          'dynamodb',
          'surrealdb',
          'scylladb',
        ],
        ['memory', 'redis', 'redis-cluster', 'redis_cluster', 'postgres', 'postgresql', 'pgsql', 'mysql'],
      ),
      default: 'memory',
      env: ['HISTORY_BACKEND'],
      enabledBy: 'history.enabled',
      description:
        'Where history (and connection recovery’s replay) is kept: memory (this node only), redis or redis-cluster (connection from database.redis), postgres or mysql (connection from database.postgres / database.mysql, tables created on start). Rust Sockudo defaults to postgres; we default to memory so history needs no database to try. A cluster needs a shared backend for a client to resume on another node. dynamodb, surrealdb and scylladb are not available yet.',
    },
    {
      key: 'retention_window_seconds',
      type: POSITIVE,
      default: 86400,
      env: ['HISTORY_RETENTION_WINDOW_SECONDS'],
      description: 'Messages older than this are dropped.',
    },
    {
      key: 'max_page_size',
      type: POSITIVE,
      default: 100,
      env: ['HISTORY_MAX_PAGE_SIZE'],
      description:
        'Most items in one history page (a larger limit is capped), and the page size of a replay.',
    },
    {
      key: 'max_messages_per_channel',
      type: POSITIVE,
      env: ['HISTORY_MAX_MESSAGES_PER_CHANNEL'],
      description: 'Most messages kept per channel (default: no bound; the memory backend keeps 1000).',
    },
    {
      key: 'max_bytes_per_channel',
      type: POSITIVE,
      env: ['HISTORY_MAX_BYTES_PER_CHANNEL'],
      description: 'Most payload bytes kept per channel (default: no bound).',
    },
    {
      key: 'writer_shards',
      type: POSITIVE,
      default: 16,
      env: ['HISTORY_WRITER_SHARDS'],
      description: NOT_USED,
      applied: false,
    },
    {
      key: 'writer_queue_capacity',
      type: POSITIVE,
      default: 4096,
      env: ['HISTORY_WRITER_QUEUE_CAPACITY'],
      description: NOT_USED,
      applied: false,
    },
    {
      key: 'purge_interval_seconds',
      type: POSITIVE,
      default: 300,
      env: ['HISTORY_PURGE_INTERVAL_SECONDS'],
      description: 'Accepted for compatibility: retention is applied on every append.',
      applied: false,
    },
    {
      key: 'purge_batch_size',
      type: POSITIVE,
      default: 1000,
      env: ['HISTORY_PURGE_BATCH_SIZE'],
      description: 'Accepted for compatibility: retention is applied on every append.',
      applied: false,
    },
    {
      key: 'max_purge_per_tick',
      type: POSITIVE,
      default: 100000,
      env: ['HISTORY_MAX_PURGE_PER_TICK'],
      description: 'Accepted for compatibility: retention is applied on every append.',
      applied: false,
    },
    section(
      'postgres',
      'The postgres history backend (connection from database.postgres).',
      sqlHistoryKeys('HISTORY_POSTGRES'),
    ),
    section(
      'mysql',
      'The mysql history backend (connection from database.mysql).',
      sqlHistoryKeys(undefined),
    ),
    section('redis', 'The redis history backends (not in Rust Sockudo).', [
      keyPrefixKey('history', 'sockudo_history:', ['HISTORY_REDIS_PREFIX']),
      ...redisOverrideKeys('history'),
    ]),
  ],
);

export const CONNECTION_RECOVERY = section(
  'connection_recovery',
  'pusher:resume / sockudo:resume: a reconnecting client gets the messages it missed, from the history backend (so on any node that shares it), then live ones. An app overrides it in policy.connection_recovery.',
  [
    {
      key: 'enabled',
      type: BOOLEAN,
      default: false,
      env: ['CONNECTION_RECOVERY_ENABLED'],
      description: 'Give messages serials and answer resume (off: pusher:error 4301).',
    },
    {
      key: 'buffer_ttl_seconds',
      type: POSITIVE,
      default: 120,
      env: ['CONNECTION_RECOVERY_BUFFER_TTL'],
      description: 'How long a channel without history keeps its messages for a resume.',
    },
    {
      key: 'max_buffer_size',
      type: POSITIVE,
      default: 100,
      env: ['CONNECTION_RECOVERY_MAX_BUFFER_SIZE'],
      description:
        'Most messages a channel without history keeps, and most one resume replays per channel (more missed: resume_failed recovery_window_exceeded).',
    },
  ],
);
