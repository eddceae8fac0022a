// Every configuration key the `sockudo` binary understands, as data: the loader validates against this
// table and the configuration reference is generated from it, so the two cannot drift apart.
// Paths, defaults and environment variable names follow Rust Sockudo (`crates/sockudo-core/src/options`).

/** The type of one configuration value. */
export type ConfigType =
  /** A string; `nonEmpty` rejects "". */
  | { kind: 'string'; nonEmpty?: boolean }
  /** A number; `integer` rejects fractions; `min`/`max` are inclusive. */
  | { kind: 'number'; integer?: boolean; min?: number; max?: number }
  /** `true`/`false` (environment: true/false/1/0/yes/no/on/off). */
  | { kind: 'boolean' }
  /** One of `values`. */
  | { kind: 'enum'; values: readonly string[] }
  /**
   * A driver name. `values` are the built-in names Rust Sockudo knows; only `available` ones are
   * implemented in this release, the rest fail validation with "not available yet".
   */
  | { kind: 'driver'; values: readonly string[]; available: readonly string[] }
  /** An array of strings (environment: comma-separated, or a JSON array). */
  | { kind: 'array' }
  /** A free-form object, passed through as is (environment: JSON). */
  | { kind: 'object' }
  /**
   * A group of keys. `open` sections accept keys this table does not list (Rust Sockudo has many
   * transport-specific settings) without a warning.
   */
  | { kind: 'section'; open: boolean }
  /** An array of app records, each checked by `appFromRecord` from @sockudo/core. */
  | { kind: 'apps' };

/** One configuration key. */
export interface ConfigKeySpec {
  /** Dot path in config.json, snake_case as in Rust Sockudo, e.g. `adapter.driver`. */
  readonly path: string;
  readonly type: ConfigType;
  /** The value used when nothing sets the key; `undefined` = unset. */
  readonly default?: unknown;
  /** Environment variables that set the key, in priority order: the first one set wins. */
  readonly env?: readonly string[];
  /**
   * Environment variables from `env` whose unrecognised values are ignored rather than rejected
   * (`DEBUG` is also used by the `debug` npm package, e.g. `DEBUG=express:*`).
   */
  readonly lenientEnv?: readonly string[];
  /** One line for the configuration reference. */
  readonly description: string;
  /** Masked by `sockudo config check` and never logged. */
  readonly secret?: boolean;
  /**
   * For a driver: the boolean key that switches the feature on. While it is false, any built-in driver
   * name is accepted, so a config that names a later driver for a disabled feature still loads.
   */
  readonly enabledBy?: string;
  /**
   * False when the key is accepted (so Rust Sockudo configs load unchanged) but has no effect in this
   * release. @default true
   */
  readonly applied?: boolean;
}

const PORT = { kind: 'number', integer: true, min: 0, max: 65535 } as const;
const COUNT = { kind: 'number', integer: true, min: 0 } as const;
const POSITIVE = { kind: 'number', integer: true, min: 1 } as const;
const BOOLEAN = { kind: 'boolean' } as const;
const STRING = { kind: 'string' } as const;
const ARRAY = { kind: 'array' } as const;
const OBJECT = { kind: 'object' } as const;
const OPEN_SECTION = { kind: 'section', open: true } as const;
const SECTION = { kind: 'section', open: false } as const;

/** The app every fresh install serves; `sockudo start` warns while it is in use. */
export const DEFAULT_APP = Object.freeze({ id: 'app-id', key: 'app-key', secret: 'app-secret' });

/** Every supported key, in documentation order. */
export const CONFIG_SCHEMA: readonly ConfigKeySpec[] = [
  // --- server ---
  {
    path: 'host',
    type: { kind: 'string', nonEmpty: true },
    default: '0.0.0.0',
    env: ['HOST'],
    description: 'Address the WebSocket and HTTP API server listens on.',
  },
  {
    path: 'port',
    type: PORT,
    default: 6001,
    env: ['PORT'],
    description: 'Port for WebSockets and the HTTP API; 0 picks a free port.',
  },
  {
    path: 'debug',
    type: BOOLEAN,
    default: false,
    env: ['DEBUG', 'DEBUG_MODE'],
    lenientEnv: ['DEBUG'],
    description: 'Log at debug level.',
  },
  {
    path: 'mode',
    type: STRING,
    default: 'production',
    env: ['ENVIRONMENT'],
    description: 'Free-form deployment mode label (Rust Sockudo: "production" or "development").',
  },
  {
    path: 'activity_timeout',
    type: POSITIVE,
    default: 120,
    env: ['ACTIVITY_TIMEOUT'],
    description:
      'Seconds of client silence before the server sends pusher:ping; sent to clients in connection_established.',
  },
  {
    path: 'user_authentication_timeout',
    type: COUNT,
    default: 3600,
    env: ['USER_AUTHENTICATION_TIMEOUT'],
    description:
      'Seconds a connection of an app with enable_user_authentication has to sign in before it is closed (4009).',
  },
  {
    path: 'websocket_max_payload_kb',
    type: POSITIVE,
    default: 64,
    env: ['WEBSOCKET_MAX_PAYLOAD_KB'],
    description: 'Largest inbound WebSocket message, in KB.',
  },
  {
    path: 'max_connections',
    type: COUNT,
    default: 0,
    env: ['SOCKUDO_MAX_CONNECTIONS'],
    description: 'Connections on this node across all apps; 0 = unlimited.',
  },
  {
    path: 'shutdown_grace_period',
    type: COUNT,
    default: 10,
    env: ['SHUTDOWN_GRACE_PERIOD'],
    description: 'Seconds to wait for sockets to close on SIGTERM/SIGINT.',
  },
  {
    path: 'health_check_timeout_ms',
    type: POSITIVE,
    default: 2000,
    env: ['HEALTH_CHECK_TIMEOUT_MS'],
    description: 'Timeout of each dependency check behind /up, in milliseconds.',
    applied: false,
  },
  {
    path: 'path_prefix',
    type: STRING,
    default: '/',
    description: 'Accepted for compatibility; only "/" is supported (Rust Sockudo ignores it too).',
    applied: false,
  },

  // --- http_api ---
  { path: 'http_api', type: SECTION, description: 'The Pusher HTTP API.' },
  {
    path: 'http_api.request_limit_in_mb',
    type: POSITIVE,
    default: 10,
    description: 'Largest HTTP API request body, in MB.',
  },
  {
    path: 'http_api.usage_enabled',
    type: BOOLEAN,
    default: true,
    env: ['HTTP_API_USAGE_ENABLED'],
    description: 'Serve GET /usage (process memory).',
    applied: false,
  },

  // --- adapter ---
  { path: 'adapter', type: OPEN_SECTION, description: 'How nodes share sockets, channels and presence.' },
  {
    path: 'adapter.driver',
    type: {
      kind: 'driver',
      values: ['local', 'redis', 'redis-cluster', 'redis_cluster', 'nats'],
      available: ['local'],
    },
    default: 'local',
    env: ['ADAPTER_DRIVER'],
    description:
      'local keeps everything in this process (one node); redis, redis-cluster and nats are not available yet in this release.',
  },
  {
    path: 'adapter.enable_socket_counting',
    type: BOOLEAN,
    default: true,
    env: ['ADAPTER_ENABLE_SOCKET_COUNTING'],
    description: 'Track socket counts across the cluster.',
    applied: false,
  },
  {
    path: 'adapter.fallback_to_local',
    type: BOOLEAN,
    default: true,
    env: ['ADAPTER_FALLBACK_TO_LOCAL'],
    description: 'Fall back to the local adapter when the transport is unreachable at start.',
    applied: false,
  },
  {
    path: 'adapter.redis',
    type: OPEN_SECTION,
    description: 'Redis adapter settings (used once the redis driver is available).',
  },
  {
    path: 'adapter.redis.requests_timeout',
    type: COUNT,
    default: 5000,
    description: 'Milliseconds to wait for answers from other nodes.',
    applied: false,
  },
  {
    path: 'adapter.redis.prefix',
    type: STRING,
    default: 'sockudo_adapter:',
    description: 'Prefix of the Redis pub/sub channels.',
    applied: false,
  },
  {
    path: 'adapter.redis.redis_pub_options',
    type: OBJECT,
    default: {},
    description: 'Options of the publishing connection (e.g. {"url": "redis://..."}); REDIS_URL sets url.',
    applied: false,
  },
  {
    path: 'adapter.redis.redis_sub_options',
    type: OBJECT,
    default: {},
    description: 'Options of the subscribing connection; REDIS_URL sets url.',
    applied: false,
  },
  {
    path: 'adapter.redis.cluster_mode',
    type: BOOLEAN,
    default: false,
    description: 'Treat the Redis URL as a cluster.',
    applied: false,
  },
  {
    path: 'adapter.cluster',
    type: OPEN_SECTION,
    description: 'Redis Cluster adapter settings (used once the redis-cluster driver is available).',
  },
  {
    path: 'adapter.cluster.nodes',
    type: ARRAY,
    default: [],
    env: ['REDIS_CLUSTER_NODES'],
    description: 'Cluster seed nodes, e.g. ["redis://127.0.0.1:7000"].',
    applied: false,
  },
  {
    path: 'adapter.cluster.prefix',
    type: STRING,
    default: 'sockudo_adapter:',
    description: 'Prefix of the pub/sub channels.',
    applied: false,
  },
  {
    path: 'adapter.cluster.request_timeout_ms',
    type: COUNT,
    default: 1000,
    description: 'Milliseconds to wait for answers from other nodes.',
    applied: false,
  },
  {
    path: 'adapter.cluster.use_connection_manager',
    type: BOOLEAN,
    default: true,
    description: 'Reconnect automatically.',
    applied: false,
  },
  {
    path: 'adapter.cluster.use_sharded_pubsub',
    type: BOOLEAN,
    default: false,
    description: 'Use SSUBSCRIBE/SPUBLISH (Redis 7+).',
    applied: false,
  },
  {
    path: 'adapter.nats',
    type: OPEN_SECTION,
    description: 'NATS adapter settings (used once the nats driver is available).',
  },
  {
    path: 'adapter.nats.servers',
    type: ARRAY,
    default: ['nats://localhost:4222'],
    env: ['NATS_SERVERS'],
    description: 'NATS server URLs.',
    applied: false,
  },
  {
    path: 'adapter.nats.prefix',
    type: STRING,
    default: 'sockudo_adapter:',
    env: ['NATS_PREFIX'],
    description: 'Subject prefix.',
    applied: false,
  },
  {
    path: 'adapter.nats.request_timeout_ms',
    type: COUNT,
    default: 5000,
    env: ['NATS_REQUEST_TIMEOUT_MS'],
    description: 'Milliseconds to wait for answers from other nodes.',
    applied: false,
  },
  {
    path: 'adapter.nats.connection_timeout_ms',
    type: COUNT,
    default: 5000,
    env: ['NATS_CONNECTION_TIMEOUT_MS'],
    description: 'Milliseconds to wait for the connection.',
    applied: false,
  },
  {
    path: 'adapter.nats.username',
    type: STRING,
    env: ['NATS_USERNAME'],
    description: 'NATS user.',
    applied: false,
  },
  {
    path: 'adapter.nats.password',
    type: STRING,
    env: ['NATS_PASSWORD'],
    secret: true,
    description: 'NATS password.',
    applied: false,
  },
  {
    path: 'adapter.nats.token',
    type: STRING,
    env: ['NATS_TOKEN'],
    secret: true,
    description: 'NATS token.',
    applied: false,
  },
  {
    path: 'adapter.nats.nodes_number',
    type: POSITIVE,
    env: ['NATS_NODES_NUMBER'],
    description: 'Expected number of nodes (answers to wait for).',
    applied: false,
  },
  {
    path: 'adapter.redis_settings',
    type: OBJECT,
    description: 'Older Rust Sockudo form of adapter.redis; passed through.',
    applied: false,
  },
  {
    path: 'adapter.redis_cluster_settings',
    type: OBJECT,
    description: 'Older Rust Sockudo form of adapter.cluster; passed through.',
    applied: false,
  },
  {
    path: 'adapter.nats_settings',
    type: OBJECT,
    description: 'Older Rust Sockudo form of adapter.nats; passed through.',
    applied: false,
  },

  // --- app_manager ---
  { path: 'app_manager', type: OPEN_SECTION, description: 'Where apps (id, key, secret, limits) come from.' },
  {
    path: 'app_manager.driver',
    type: {
      kind: 'driver',
      values: ['memory', 'array', 'mysql', 'pgsql', 'postgres', 'postgresql', 'dynamodb'],
      available: ['memory', 'array'],
    },
    default: 'memory',
    env: ['APP_MANAGER_DRIVER'],
    description:
      'memory (alias array) serves app_manager.array.apps; mysql, pgsql/postgres and dynamodb are not available yet in this release.',
  },
  { path: 'app_manager.array', type: SECTION, description: 'Apps of the memory app manager.' },
  {
    path: 'app_manager.array.apps',
    type: { kind: 'apps' },
    default: [DEFAULT_APP],
    description:
      'Apps, flat ({"id","key","secret","max_connections",...}) or nested ({"id","key","secret","policy":{"limits","features","channels","webhooks"}}); unset limits take Pusher\'s defaults.',
  },
  {
    path: 'app_manager.cache',
    type: SECTION,
    description: 'Cache of app lookups in front of a database app manager.',
  },
  {
    path: 'app_manager.cache.enabled',
    type: BOOLEAN,
    default: true,
    description: 'Cache apps found in the database.',
    applied: false,
  },
  {
    path: 'app_manager.cache.ttl',
    type: COUNT,
    default: 300,
    description: 'Seconds an app stays cached.',
    applied: false,
  },

  // --- cache ---
  { path: 'cache', type: OPEN_SECTION, description: 'Cache for cache channels and app lookups.' },
  {
    path: 'cache.driver',
    type: {
      kind: 'driver',
      values: ['memory', 'none', 'redis', 'redis-cluster', 'redis_cluster'],
      available: ['memory', 'none'],
    },
    default: 'memory',
    env: ['CACHE_DRIVER'],
    description: 'memory or none; redis and redis-cluster are not available yet in this release.',
  },

  // --- queue ---
  { path: 'queue', type: OPEN_SECTION, description: 'Queue that delivers webhooks.' },
  {
    path: 'queue.driver',
    type: {
      kind: 'driver',
      values: ['memory', 'sync', 'none', 'redis', 'redis-cluster', 'redis_cluster', 'sqs'],
      available: ['memory', 'sync', 'none'],
    },
    default: 'memory',
    env: ['QUEUE_DRIVER'],
    description:
      "memory, sync or none; redis, redis-cluster and sqs are not available yet in this release. (Rust Sockudo's code default is redis; its shipped config uses memory, as we do.)",
  },

  // --- rate_limiter ---
  { path: 'rate_limiter', type: OPEN_SECTION, description: 'HTTP API and WebSocket connection rate limits.' },
  {
    path: 'rate_limiter.enabled',
    type: BOOLEAN,
    default: true,
    env: ['RATE_LIMITER_ENABLED'],
    description: 'Rate-limit the HTTP API and new WebSocket connections per client IP.',
    applied: false,
  },
  {
    path: 'rate_limiter.driver',
    type: {
      kind: 'driver',
      values: ['memory', 'redis', 'redis-cluster', 'redis_cluster'],
      available: ['memory'],
    },
    default: 'memory',
    env: ['RATE_LIMITER_DRIVER'],
    enabledBy: 'rate_limiter.enabled',
    description:
      'memory; redis and redis-cluster are not available yet in this release (accepted while rate_limiter.enabled is false).',
  },

  // --- metrics ---
  { path: 'metrics', type: OPEN_SECTION, description: 'Prometheus metrics on their own port.' },
  {
    path: 'metrics.enabled',
    type: BOOLEAN,
    default: true,
    env: ['METRICS_ENABLED'],
    description: 'Serve /metrics (not served in this release: the prometheus driver is not available yet).',
    applied: false,
  },
  {
    path: 'metrics.driver',
    type: { kind: 'enum', values: ['prometheus'] },
    default: 'prometheus',
    env: ['METRICS_DRIVER'],
    description: 'Metrics driver.',
    applied: false,
  },
  {
    path: 'metrics.host',
    type: { kind: 'string', nonEmpty: true },
    default: '0.0.0.0',
    env: ['METRICS_HOST'],
    description: 'Address of the metrics server.',
    applied: false,
  },
  {
    path: 'metrics.port',
    type: PORT,
    default: 9601,
    env: ['METRICS_PORT'],
    description: 'Port of the metrics server.',
    applied: false,
  },
  { path: 'metrics.prometheus', type: SECTION, description: 'Prometheus options.' },
  {
    path: 'metrics.prometheus.prefix',
    type: STRING,
    default: 'sockudo_',
    env: ['METRICS_PROMETHEUS_PREFIX'],
    description: 'Prefix of every metric name.',
    applied: false,
  },

  // --- ssl ---
  { path: 'ssl', type: OPEN_SECTION, description: 'TLS for the WebSocket and HTTP API port.' },
  {
    path: 'ssl.enabled',
    type: BOOLEAN,
    default: false,
    env: ['SSL_ENABLED'],
    description: 'Serve HTTPS/WSS; needs ssl.cert_path and ssl.key_path.',
  },
  {
    path: 'ssl.cert_path',
    type: STRING,
    default: '',
    env: ['SSL_CERT_PATH'],
    description: 'PEM certificate chain file.',
  },
  {
    path: 'ssl.key_path',
    type: STRING,
    default: '',
    env: ['SSL_KEY_PATH'],
    description: 'PEM private key file.',
  },
  {
    path: 'ssl.passphrase',
    type: STRING,
    default: '',
    secret: true,
    description: 'Passphrase of the private key.',
  },
  { path: 'ssl.ca_path', type: STRING, default: '', description: 'PEM CA bundle file.' },
  {
    path: 'ssl.redirect_http',
    type: BOOLEAN,
    default: false,
    env: ['SSL_REDIRECT_HTTP'],
    description: 'Redirect plain HTTP on ssl.http_port to HTTPS.',
    applied: false,
  },
  {
    path: 'ssl.http_port',
    type: PORT,
    default: 80,
    env: ['SSL_HTTP_PORT'],
    description: 'Port of the HTTP redirect listener.',
    applied: false,
  },

  // --- cors ---
  { path: 'cors', type: SECTION, description: 'CORS headers of the HTTP API.' },
  {
    path: 'cors.origin',
    type: ARRAY,
    default: ['*'],
    env: ['CORS_ORIGINS'],
    description: 'Allowed origins.',
    applied: false,
  },
  {
    path: 'cors.credentials',
    type: BOOLEAN,
    default: true,
    env: ['CORS_CREDENTIALS'],
    description: 'Send Access-Control-Allow-Credentials.',
    applied: false,
  },
  {
    path: 'cors.methods',
    type: ARRAY,
    default: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
    env: ['CORS_METHODS'],
    description: 'Allowed methods.',
    applied: false,
  },
  {
    path: 'cors.allowed_headers',
    type: ARRAY,
    default: ['Authorization', 'Content-Type', 'X-Requested-With', 'Accept', 'X-Idempotency-Key'],
    env: ['CORS_HEADERS'],
    description: 'Allowed request headers.',
    applied: false,
  },

  // --- webhooks ---
  { path: 'webhooks', type: OPEN_SECTION, description: 'Webhook delivery.' },
  { path: 'webhooks.batching', type: SECTION, description: 'Coalescing of webhook events into one request.' },
  {
    path: 'webhooks.batching.enabled',
    type: BOOLEAN,
    default: true,
    env: ['WEBHOOK_BATCHING_ENABLED'],
    description: 'Batch webhook events per app.',
  },
  {
    path: 'webhooks.batching.duration',
    type: COUNT,
    default: 50,
    env: ['WEBHOOK_BATCHING_DURATION'],
    description: 'Milliseconds to collect a batch.',
  },
  {
    path: 'webhooks.batching.size',
    type: POSITIVE,
    default: 100,
    env: ['WEBHOOK_BATCHING_SIZE'],
    description: 'Most events in one batch.',
  },
  {
    path: 'webhooks.request_timeout_ms',
    type: POSITIVE,
    default: 10000,
    description: 'Timeout of one webhook request, in milliseconds.',
  },
  {
    path: 'webhooks.retry',
    type: OPEN_SECTION,
    description: 'Retries of failed webhook requests (network errors, 5xx, 408, 409, 425, 429).',
  },
  {
    path: 'webhooks.retry.initial_backoff_ms',
    type: POSITIVE,
    default: 1000,
    description: 'First retry delay, in milliseconds; doubles each attempt.',
  },
  {
    path: 'webhooks.retry.max_backoff_ms',
    type: POSITIVE,
    default: 60000,
    description: 'Longest retry delay, in milliseconds.',
  },
  {
    path: 'webhooks.retry.max_elapsed_time_ms',
    type: POSITIVE,
    default: 300000,
    description: 'Give up this many milliseconds after the first attempt.',
  },

  // --- logging ---
  { path: 'logging', type: SECTION, description: 'Log output.' },
  {
    path: 'logging.output_format',
    type: { kind: 'enum', values: ['text', 'json'] },
    default: 'text',
    env: ['LOG_OUTPUT_FORMAT'],
    description: 'text lines or JSON lines (Rust Sockudo reads only the environment variable).',
  },
  {
    path: 'logging.colors_enabled',
    type: BOOLEAN,
    default: true,
    env: ['LOG_COLORS_ENABLED'],
    description: 'Colour the level in text logs when writing to a terminal.',
  },
  {
    path: 'logging.include_target',
    type: BOOLEAN,
    default: true,
    env: ['LOG_INCLUDE_TARGET'],
    description: 'Accepted for compatibility (Rust module paths in log lines).',
    applied: false,
  },
];

/** The `SOCKUDO_DEFAULT_APP_*` variables, each with the app record field it sets. */
export interface DefaultAppEnvSpec {
  /** Variables in priority order: the first one set wins. */
  readonly env: readonly string[];
  /** The snake_case app record field (`appFromRecord` names). */
  readonly field: string;
  readonly type: { kind: 'string' } | { kind: 'number' } | { kind: 'boolean' } | { kind: 'array' };
  readonly description: string;
  readonly secret?: boolean;
}

/**
 * With `SOCKUDO_DEFAULT_APP_ID`, `_KEY` and `_SECRET` set, the inline apps are replaced by this one app.
 * Unset limits take Pusher's defaults (core `APP_DEFAULTS`), not Rust Sockudo's blanket 100.
 */
export const DEFAULT_APP_ENV: readonly DefaultAppEnvSpec[] = [
  { env: ['SOCKUDO_DEFAULT_APP_ID'], field: 'id', type: { kind: 'string' }, description: 'App id.' },
  {
    env: ['SOCKUDO_DEFAULT_APP_KEY'],
    field: 'key',
    type: { kind: 'string' },
    description: 'App key (public, used by clients).',
  },
  {
    env: ['SOCKUDO_DEFAULT_APP_SECRET'],
    field: 'secret',
    type: { kind: 'string' },
    secret: true,
    description: 'App secret (signs API requests and channel auth).',
  },
  {
    env: ['SOCKUDO_DEFAULT_APP_ENABLED'],
    field: 'enabled',
    type: { kind: 'boolean' },
    description: 'false removes the inline apps and registers none.',
  },
  {
    env: ['SOCKUDO_DEFAULT_APP_MAX_CONNECTIONS'],
    field: 'max_connections',
    type: { kind: 'number' },
    description: 'Connections of the app on this node; 0 = unlimited (default 0).',
  },
  {
    env: ['SOCKUDO_DEFAULT_APP_MAX_BACKEND_EVENTS_PER_SECOND'],
    field: 'max_backend_events_per_second',
    type: { kind: 'number' },
    description: 'HTTP API events per second; 0 = unlimited (default 0).',
  },
  {
    env: ['SOCKUDO_DEFAULT_APP_MAX_CLIENT_EVENTS_PER_SECOND'],
    field: 'max_client_events_per_second',
    type: { kind: 'number' },
    description: 'Client events per second per connection (default 10, Pusher).',
  },
  {
    env: ['SOCKUDO_DEFAULT_APP_MAX_READ_REQUESTS_PER_SECOND'],
    field: 'max_read_requests_per_second',
    type: { kind: 'number' },
    description: 'HTTP API reads per second; 0 = unlimited (default 0).',
  },
  {
    env: ['SOCKUDO_DEFAULT_APP_MAX_PRESENCE_MEMBERS_PER_CHANNEL'],
    field: 'max_presence_members_per_channel',
    type: { kind: 'number' },
    description: 'Users per presence channel (default 100, Pusher).',
  },
  {
    env: ['SOCKUDO_DEFAULT_APP_MAX_PRESENCE_MEMBER_SIZE_IN_KB'],
    field: 'max_presence_member_size_in_kb',
    type: { kind: 'number' },
    description: "Size of one member's user_info, KB (default 1, Pusher).",
  },
  {
    env: ['SOCKUDO_DEFAULT_APP_MAX_CHANNEL_NAME_LENGTH'],
    field: 'max_channel_name_length',
    type: { kind: 'number' },
    description: 'Channel name length (default 164, Pusher).',
  },
  {
    env: ['SOCKUDO_DEFAULT_APP_MAX_EVENT_CHANNELS_AT_ONCE'],
    field: 'max_event_channels_at_once',
    type: { kind: 'number' },
    description: 'Channels per HTTP trigger (default 100, Pusher).',
  },
  {
    env: ['SOCKUDO_DEFAULT_APP_MAX_EVENT_NAME_LENGTH'],
    field: 'max_event_name_length',
    type: { kind: 'number' },
    description: 'Event name length (default 200).',
  },
  {
    env: ['SOCKUDO_DEFAULT_APP_MAX_EVENT_PAYLOAD_IN_KB'],
    field: 'max_event_payload_in_kb',
    type: { kind: 'number' },
    description: 'Event data size, KB (default 10, Pusher).',
  },
  {
    env: ['SOCKUDO_DEFAULT_APP_MAX_EVENT_BATCH_SIZE'],
    field: 'max_event_batch_size',
    type: { kind: 'number' },
    description: 'Events per batch_events call (default 10, Pusher).',
  },
  {
    env: ['SOCKUDO_DEFAULT_APP_ENABLE_CLIENT_MESSAGES', 'SOCKUDO_ENABLE_CLIENT_MESSAGES'],
    field: 'enable_client_messages',
    type: { kind: 'boolean' },
    description: 'Accept client- events (default false).',
  },
  {
    env: ['SOCKUDO_DEFAULT_APP_ENABLE_USER_AUTHENTICATION'],
    field: 'enable_user_authentication',
    type: { kind: 'boolean' },
    description: 'Require pusher:signin (default false).',
  },
  {
    env: ['SOCKUDO_DEFAULT_APP_ENABLE_WATCHLIST_EVENTS'],
    field: 'enable_watchlist_events',
    type: { kind: 'boolean' },
    description: 'Send watchlist online/offline events (default false).',
  },
  {
    env: ['SOCKUDO_DEFAULT_APP_ALLOWED_ORIGINS'],
    field: 'allowed_origins',
    type: { kind: 'array' },
    description: 'Comma-separated origins allowed to connect (default any).',
  },
];

/** Environment variables that do not map one-to-one onto a key. */
export interface EnvExtraSpec {
  readonly env: string;
  readonly type: { kind: 'string' } | { kind: 'boolean' };
  readonly description: string;
  /** The keys it changes. */
  readonly sets: readonly string[];
}

export const ENV_EXTRAS: readonly EnvExtraSpec[] = [
  {
    env: 'REDIS_URL',
    type: { kind: 'string' },
    sets: ['adapter.redis.redis_pub_options.url', 'adapter.redis.redis_sub_options.url'],
    description: "Redis URL of the adapter's publishing and subscribing connections.",
  },
  {
    env: 'SOCKUDO_SKIP_INLINE_APPS',
    type: { kind: 'boolean' },
    sets: ['app_manager.array.apps'],
    description: 'true drops the apps of config.json.',
  },
  {
    env: 'APP_MANAGER_REGISTER_INLINE_APPS',
    type: { kind: 'boolean' },
    sets: ['app_manager.array.apps'],
    description: 'false drops the apps of config.json.',
  },
];

/**
 * Top-level sections of Rust Sockudo this release does not implement. They load with a warning (so a
 * Rust Sockudo config.json works unchanged) instead of the "unknown key" warning.
 */
export const RUST_SOCKUDO_ONLY_KEYS: readonly string[] = [
  'ably_compat',
  'ai_transport',
  'annotations',
  'channel_limits',
  'cleanup',
  'cluster_health',
  'connection_recovery',
  'database',
  'database_pooling',
  'delta_compression',
  'echo_control',
  'ephemeral',
  'event_limits',
  'event_name_filtering',
  'history',
  'idempotency',
  'instance',
  'opentelemetry',
  'presence',
  'presence_history',
  'push',
  'push_rules',
  'server_role',
  'tag_filtering',
  'unix_socket',
  'versioned_messages',
  'websocket',
];

/** The schema keyed by path. */
export const CONFIG_KEYS: ReadonlyMap<string, ConfigKeySpec> = new Map(
  CONFIG_SCHEMA.map((spec) => [spec.path, spec]),
);
