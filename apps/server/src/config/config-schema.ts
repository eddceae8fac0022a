// Every configuration key the `sockudo` binary understands, as data: the loader validates against this
// table and the configuration reference is generated from it, so the two cannot drift apart.
// Paths, defaults and environment variable names follow Rust Sockudo (`crates/sockudo-core/src/options`).

/** The levels `logging.level` (`LOG_LEVEL`) accepts, most verbose first (pino's names). */
export const LOG_LEVELS = Object.freeze([
  'trace',
  'debug',
  'info',
  'warn',
  'error',
  'fatal',
  'silent',
] as const);

/** A pino level name. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The type of one configuration value. */
export type ConfigType =
  /** A string; `nonEmpty` rejects "". */
  | { kind: 'string'; nonEmpty?: boolean }
  /** A number; `integer` rejects fractions; `min`/`max` are inclusive; `auto` also accepts "auto" (as 0). */
  | { kind: 'number'; integer?: boolean; min?: number; max?: number; auto?: boolean }
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
  /** A URL with one of `schemes` (without `:`), e.g. `redis://host:6379/0`. */
  | { kind: 'url'; schemes: readonly string[] }
  /**
   * Redis (Cluster) seed nodes: `"host:port"` or `"redis://host:port"` strings, or `{ "host", "port" }`
   * objects as Rust Sockudo's `database.redis.cluster_nodes` has them (environment: comma-separated).
   */
  | { kind: 'nodes' }
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
const NODES = { kind: 'nodes' } as const;
const REDIS_URL = { kind: 'url', schemes: ['redis', 'rediss'] } as const;
const NATS_URL = { kind: 'url', schemes: ['nats', 'tls', 'ws', 'wss'] } as const;
const HTTP_URL = { kind: 'url', schemes: ['http', 'https'] } as const;

/** The keys of `database.mysql` / `database.postgres` (Rust Sockudo's `DatabaseConnection`). */
function sqlConnectionKeys(
  name: 'mysql' | 'postgres',
  envPrefix: string,
  defaults: { port: number; username: string },
): ConfigKeySpec[] {
  const path = `database.${name}`;
  const label = name === 'mysql' ? 'MySQL' : 'PostgreSQL';
  // Rust Sockudo's struct defaults (port 3306, user root) are MySQL's for both; PostgreSQL gets its own.
  const rustNote = name === 'postgres' ? ' (Rust Sockudo defaults to 3306/root here)' : '';
  return [
    {
      path: `${path}.host`,
      type: { kind: 'string', nonEmpty: true },
      default: 'localhost',
      env: [`${envPrefix}_HOST`],
      description: `${label} host.`,
    },
    {
      path: `${path}.port`,
      type: PORT,
      default: defaults.port,
      env: [`${envPrefix}_PORT`],
      description: `${label} port${rustNote}.`,
    },
    {
      path: `${path}.username`,
      type: { kind: 'string', nonEmpty: true },
      default: defaults.username,
      env: [`${envPrefix}_USERNAME`],
      description: `${label} user.`,
    },
    {
      path: `${path}.password`,
      type: STRING,
      default: '',
      env: [`${envPrefix}_PASSWORD`],
      secret: true,
      description: `${label} password.`,
    },
    {
      path: `${path}.database`,
      type: { kind: 'string', nonEmpty: true },
      default: 'sockudo',
      env: [`${envPrefix}_DATABASE`],
      description: `${label} database.`,
    },
    {
      path: `${path}.table_name`,
      type: { kind: 'string', nonEmpty: true },
      default: 'applications',
      env: [`${envPrefix}_TABLE_NAME`],
      description:
        name === 'mysql'
          ? 'The apps table (letters, digits and _).'
          : 'The apps table (letters, digits and _; the variable is not in Rust Sockudo).',
    },
    {
      path: `${path}.connection_pool_size`,
      type: POSITIVE,
      default: 10,
      description: 'Most connections open at once, unless pool_max is set.',
    },
    {
      path: `${path}.pool_min`,
      type: COUNT,
      env: [`${envPrefix}_POOL_MIN`],
      description: 'Idle connections kept open (default 0).',
    },
    {
      path: `${path}.pool_max`,
      type: POSITIVE,
      env: [`${envPrefix}_POOL_MAX`],
      description: 'Most connections open at once (default connection_pool_size).',
    },
  ];
}

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
    path: 'workers',
    type: { kind: 'number', integer: true, min: 0, auto: true },
    default: 1,
    env: ['SOCKUDO_WORKERS'],
    description:
      'Worker processes sharing the port (node:cluster); 1 = one process, 0 or "auto" = one per CPU (os.availableParallelism()). Not in Rust Sockudo.',
  },
  {
    path: 'health_check_timeout_ms',
    type: POSITIVE,
    default: 2000,
    env: ['HEALTH_CHECK_TIMEOUT_MS'],
    description: 'Timeout of each dependency check behind /up, in milliseconds.',
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
      available: ['local', 'redis', 'redis-cluster', 'redis_cluster', 'nats'],
    },
    default: 'local',
    env: ['ADAPTER_DRIVER'],
    description:
      'local keeps everything in this process (one node); redis, redis-cluster (alias redis_cluster) and nats join every node that uses the same broker and prefix into one cluster.',
  },
  {
    path: 'adapter.options',
    type: OBJECT,
    description:
      'Options of a driver package named in adapter.driver (e.g. "sockudo-adapter-x"), passed as is to its sockudoDriver.create() (environment variables are substituted as everywhere in the file).',
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
    description:
      'When the transport cannot connect at start: true logs a warning and runs on the local adapter (one node); false exits 1.',
  },
  { path: 'adapter.redis', type: OPEN_SECTION, description: 'Settings of the redis adapter.' },
  {
    path: 'adapter.redis.requests_timeout',
    type: POSITIVE,
    default: 5000,
    description: 'Milliseconds to wait for answers from other nodes.',
  },
  {
    path: 'adapter.redis.prefix',
    type: STRING,
    default: 'sockudo_adapter:',
    description: 'Prefix of the Redis pub/sub channels; nodes with the same prefix form one cluster.',
  },
  {
    path: 'adapter.redis.redis_pub_options',
    type: OBJECT,
    default: {},
    description:
      'Only its url is read: the Redis URL of the adapter (REDIS_URL sets it); without one, database.redis is used.',
  },
  {
    path: 'adapter.redis.redis_sub_options',
    type: OBJECT,
    default: {},
    description:
      'Accepted for compatibility: the subscribing connection uses the same URL as the publishing one.',
    applied: false,
  },
  {
    path: 'adapter.redis.cluster_mode',
    type: BOOLEAN,
    default: false,
    description: 'Treat the Redis URL as a seed node of a Redis Cluster (the redis-cluster transport).',
  },
  { path: 'adapter.cluster', type: OPEN_SECTION, description: 'Settings of the redis-cluster adapter.' },
  {
    path: 'adapter.cluster.nodes',
    type: NODES,
    default: [],
    env: ['REDIS_CLUSTER_NODES'],
    description:
      'Cluster seed nodes, e.g. ["redis://127.0.0.1:7000"]; without any, database.redis.cluster.nodes (or cluster_nodes) is used.',
  },
  {
    path: 'adapter.cluster.prefix',
    type: { kind: 'string', nonEmpty: true },
    default: 'sockudo_adapter:',
    description: 'Prefix of the pub/sub channels (wrapped in a hash tag so they share one slot).',
  },
  {
    path: 'adapter.cluster.request_timeout_ms',
    type: POSITIVE,
    default: 1000,
    description: 'Milliseconds to wait for answers from other nodes.',
  },
  {
    path: 'adapter.cluster.use_connection_manager',
    type: BOOLEAN,
    default: true,
    description: 'Accepted for compatibility: connections are always re-established automatically.',
    applied: false,
  },
  {
    path: 'adapter.cluster.use_sharded_pubsub',
    type: BOOLEAN,
    default: false,
    description: 'Use SSUBSCRIBE/SPUBLISH (Redis 7+); every node of one cluster must agree.',
  },
  { path: 'adapter.nats', type: OPEN_SECTION, description: 'Settings of the nats adapter.' },
  {
    path: 'adapter.nats.servers',
    type: ARRAY,
    default: ['nats://localhost:4222'],
    env: ['NATS_SERVERS'],
    description: 'NATS server URLs.',
  },
  {
    path: 'adapter.nats.prefix',
    type: { kind: 'string', nonEmpty: true },
    default: 'sockudo_adapter:',
    env: ['NATS_PREFIX'],
    description: 'Subject prefix (subjects are {prefix}.broadcast, .requests, .responses).',
  },
  {
    path: 'adapter.nats.request_timeout_ms',
    type: POSITIVE,
    default: 5000,
    env: ['NATS_REQUEST_TIMEOUT_MS'],
    description: 'Milliseconds to wait for answers from other nodes.',
  },
  {
    path: 'adapter.nats.connection_timeout_ms',
    type: POSITIVE,
    default: 5000,
    env: ['NATS_CONNECTION_TIMEOUT_MS'],
    description: 'Milliseconds to keep trying to reach a server at start.',
  },
  {
    path: 'adapter.nats.username',
    type: STRING,
    env: ['NATS_USERNAME'],
    description: 'NATS user.',
  },
  {
    path: 'adapter.nats.password',
    type: STRING,
    env: ['NATS_PASSWORD'],
    secret: true,
    description: 'NATS password.',
  },
  {
    path: 'adapter.nats.token',
    type: STRING,
    env: ['NATS_TOKEN'],
    secret: true,
    description: 'NATS token.',
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
    type: SECTION,
    description: 'The short form of the redis adapter settings; wins over adapter.redis.',
  },
  {
    path: 'adapter.redis_settings.dsn',
    type: REDIS_URL,
    description: 'Redis URL of the adapter, e.g. "redis://127.0.0.1:6379/0".',
  },
  {
    path: 'adapter.redis_settings.prefix',
    type: STRING,
    description: 'Prefix of the pub/sub channels (default adapter.redis.prefix).',
  },
  {
    path: 'adapter.redis_cluster_settings',
    type: SECTION,
    description: 'The short form of the redis-cluster adapter settings; wins over adapter.cluster.',
  },
  {
    path: 'adapter.redis_cluster_settings.dsns',
    type: NODES,
    description: 'Cluster seed nodes, e.g. ["redis://127.0.0.1:7000", "redis://127.0.0.1:7001"].',
  },
  {
    path: 'adapter.redis_cluster_settings.prefix',
    type: { kind: 'string', nonEmpty: true },
    description: 'Prefix of the pub/sub channels (default adapter.cluster.prefix).',
  },
  {
    path: 'adapter.nats_settings',
    type: SECTION,
    description: 'The short form of the nats adapter settings; wins over adapter.nats.',
  },
  {
    path: 'adapter.nats_settings.url',
    type: NATS_URL,
    description: 'NATS server URL, e.g. "nats://127.0.0.1:4222".',
  },
  {
    path: 'adapter.nats_settings.subject_prefix',
    type: { kind: 'string', nonEmpty: true },
    description: 'Subject prefix (default adapter.nats.prefix).',
  },
  {
    path: 'adapter.cluster_health',
    type: SECTION,
    description: 'Node heartbeats of the redis, redis-cluster and nats adapters.',
  },
  {
    path: 'adapter.cluster_health.enabled',
    type: BOOLEAN,
    default: true,
    env: ['CLUSTER_HEALTH_ENABLED'],
    description: 'Accepted for compatibility: heartbeats always run on a cluster in this release.',
    applied: false,
  },
  {
    path: 'adapter.cluster_health.heartbeat_interval_ms',
    type: POSITIVE,
    default: 10000,
    env: ['CLUSTER_HEALTH_HEARTBEAT_INTERVAL'],
    description: 'Milliseconds between the heartbeats of a node; at most a third of node_timeout_ms.',
  },
  {
    path: 'adapter.cluster_health.node_timeout_ms',
    type: POSITIVE,
    default: 30000,
    env: ['CLUSTER_HEALTH_NODE_TIMEOUT'],
    description:
      'A node not heard from for this many milliseconds is dead: its presence members are removed.',
  },
  {
    path: 'adapter.cluster_health.cleanup_interval_ms',
    type: POSITIVE,
    default: 10000,
    env: ['CLUSTER_HEALTH_CLEANUP_INTERVAL'],
    description:
      'Accepted for compatibility: dead nodes are looked for at every heartbeat. When set, at most node_timeout_ms (as Rust Sockudo checks).',
    applied: false,
  },

  // --- instance ---
  { path: 'instance', type: SECTION, description: 'This node.' },
  {
    path: 'instance.process_id',
    type: { kind: 'string', nonEmpty: true },
    env: ['INSTANCE_PROCESS_ID'],
    description: 'The node id in the cluster; unique per node. Default: a random UUID at each start.',
  },

  // --- app_manager ---
  { path: 'app_manager', type: OPEN_SECTION, description: 'Where apps (id, key, secret, limits) come from.' },
  {
    path: 'app_manager.driver',
    type: {
      kind: 'driver',
      values: ['memory', 'array', 'mysql', 'pgsql', 'postgres', 'postgresql', 'dynamodb'],
      available: ['memory', 'array', 'mysql', 'pgsql', 'postgres', 'postgresql', 'dynamodb'],
    },
    default: 'memory',
    env: ['APP_MANAGER_DRIVER'],
    description:
      'memory (alias array) serves app_manager.array.apps; mysql, pgsql (aliases postgres, postgresql) and dynamodb read the apps table of database.mysql, database.postgres or database.dynamodb (create it once with `sockudo migrate`).',
  },
  {
    path: 'app_manager.options',
    type: OBJECT,
    description:
      'Options of a driver package named in app_manager.driver (e.g. "sockudo-app-manager-x"), passed as is to its sockudoDriver.create() (environment variables are substituted as everywhere in the file).',
  },
  { path: 'app_manager.array', type: SECTION, description: 'Apps of the memory app manager.' },
  {
    path: 'app_manager.array.apps',
    type: { kind: 'apps' },
    default: [DEFAULT_APP],
    description:
      'Apps of the memory driver (not used with a database driver), flat ({"id","key","secret","max_connections",...}) or nested ({"id","key","secret","policy":{"limits","features","channels","webhooks"}}); unset limits take Pusher\'s defaults.',
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
    description: 'Cache apps found in the database on each node (not used by the memory driver).',
  },
  {
    path: 'app_manager.cache.ttl',
    type: COUNT,
    default: 300,
    description: 'Seconds an app stays cached; changes made in the database show up after this.',
  },

  // --- database ---
  {
    path: 'database',
    type: OPEN_SECTION,
    description: 'Connections of the database drivers (app managers, and Redis for the other drivers).',
  },
  { path: 'database.mysql', type: OPEN_SECTION, description: 'MySQL/MariaDB of app_manager.driver mysql.' },
  ...sqlConnectionKeys('mysql', 'DATABASE_MYSQL', { port: 3306, username: 'root' }),
  {
    path: 'database.postgres',
    type: OPEN_SECTION,
    description: 'PostgreSQL of app_manager.driver pgsql.',
  },
  ...sqlConnectionKeys('postgres', 'DATABASE_POSTGRES', { port: 5432, username: 'postgres' }),
  {
    path: 'database.redis',
    type: OPEN_SECTION,
    description:
      'The Redis of the cache, queue and rate limiter drivers, and of the adapter when it has no URL of its own.',
  },
  {
    path: 'database.redis.url',
    type: REDIS_URL,
    description:
      'A Redis URL used instead of host, port, db, username and password (REDIS_URL sets it; not a Rust Sockudo key).',
  },
  {
    path: 'database.redis.host',
    type: { kind: 'string', nonEmpty: true },
    default: '127.0.0.1',
    env: ['DATABASE_REDIS_HOST'],
    description: 'Redis host.',
  },
  {
    path: 'database.redis.port',
    type: PORT,
    default: 6379,
    env: ['DATABASE_REDIS_PORT'],
    description: 'Redis port.',
  },
  {
    path: 'database.redis.db',
    type: COUNT,
    default: 0,
    env: ['DATABASE_REDIS_DB'],
    description: 'Redis database number.',
  },
  {
    path: 'database.redis.username',
    type: STRING,
    env: ['DATABASE_REDIS_USERNAME'],
    description: 'Redis ACL user.',
  },
  {
    path: 'database.redis.password',
    type: STRING,
    env: ['DATABASE_REDIS_PASSWORD'],
    secret: true,
    description: 'Redis password.',
  },
  {
    path: 'database.redis.key_prefix',
    type: STRING,
    default: 'sockudo:',
    env: ['DATABASE_REDIS_KEY_PREFIX'],
    description: 'Accepted for compatibility: each driver has its own prefix (cache.redis.prefix, ...).',
    applied: false,
  },
  {
    path: 'database.redis.cluster',
    type: OPEN_SECTION,
    description: 'The Redis Cluster of the redis-cluster drivers.',
  },
  {
    path: 'database.redis.cluster.nodes',
    type: NODES,
    default: [],
    env: ['DATABASE_REDIS_CLUSTER_NODES'],
    description: 'Seed nodes: "host:port", "redis://host:port" or {"host","port"}.',
  },
  {
    path: 'database.redis.cluster.username',
    type: STRING,
    env: ['DATABASE_REDIS_CLUSTER_USERNAME'],
    description: 'Redis Cluster ACL user (default database.redis.username).',
  },
  {
    path: 'database.redis.cluster.password',
    type: STRING,
    env: ['DATABASE_REDIS_CLUSTER_PASSWORD'],
    secret: true,
    description: 'Redis Cluster password (default database.redis.password).',
  },
  {
    path: 'database.redis.cluster_nodes',
    type: NODES,
    default: [],
    description: 'Older form of database.redis.cluster.nodes, read when that is empty.',
  },
  {
    path: 'database.dynamodb',
    type: OPEN_SECTION,
    description: 'DynamoDB of app_manager.driver dynamodb.',
  },
  {
    path: 'database.dynamodb.region',
    type: { kind: 'string', nonEmpty: true },
    default: 'us-east-1',
    env: ['DATABASE_DYNAMODB_REGION'],
    description: 'AWS region.',
  },
  {
    path: 'database.dynamodb.table_name',
    type: { kind: 'string', nonEmpty: true },
    default: 'sockudo-applications',
    env: ['DATABASE_DYNAMODB_TABLE_NAME'],
    description: 'The apps table (hash key id, global secondary index KeyIndex on key).',
  },
  {
    path: 'database.dynamodb.endpoint_url',
    type: HTTP_URL,
    env: ['DATABASE_DYNAMODB_ENDPOINT_URL'],
    description: 'Another endpoint than AWS, e.g. DynamoDB Local at "http://127.0.0.1:8000".',
  },
  {
    path: 'database.dynamodb.aws_access_key_id',
    type: STRING,
    env: ['AWS_ACCESS_KEY_ID'],
    secret: true,
    description: 'AWS access key id (default: the AWS SDK credential chain).',
  },
  {
    path: 'database.dynamodb.aws_secret_access_key',
    type: STRING,
    env: ['AWS_SECRET_ACCESS_KEY'],
    secret: true,
    description: 'AWS secret access key.',
  },
  {
    path: 'database.dynamodb.aws_profile_name',
    type: STRING,
    description: 'Accepted for compatibility: set AWS_PROFILE to choose a profile of the shared AWS config.',
    applied: false,
  },

  // --- cache ---
  { path: 'cache', type: OPEN_SECTION, description: 'Cache of cache channels.' },
  {
    path: 'cache.driver',
    type: {
      kind: 'driver',
      values: ['memory', 'none', 'redis', 'redis-cluster', 'redis_cluster'],
      available: ['memory', 'none', 'redis', 'redis-cluster', 'redis_cluster'],
    },
    default: 'memory',
    env: ['CACHE_DRIVER'],
    description:
      'memory (per node), none (cache channels keep nothing), redis or redis-cluster (shared by every node; connection from database.redis).',
  },
  {
    path: 'cache.options',
    type: OBJECT,
    description:
      'Options of a driver package named in cache.driver (e.g. "sockudo-cache-x"), passed as is to its sockudoDriver.create() (environment variables are substituted as everywhere in the file).',
  },
  { path: 'cache.redis', type: OPEN_SECTION, description: 'Settings of the redis cache drivers.' },
  {
    path: 'cache.redis.prefix',
    type: STRING,
    default: 'sockudo_cache:',
    description: 'Prefix of every cache key.',
  },
  {
    path: 'cache.redis.url_override',
    type: REDIS_URL,
    description: 'A Redis URL for the cache instead of database.redis.',
  },
  {
    path: 'cache.redis.cluster_mode',
    type: BOOLEAN,
    default: false,
    description: 'With the redis driver: use the Redis Cluster of database.redis.cluster instead.',
  },

  // --- queue ---
  { path: 'queue', type: OPEN_SECTION, description: 'Queue that delivers webhooks.' },
  {
    path: 'queue.driver',
    type: {
      kind: 'driver',
      values: ['memory', 'sync', 'none', 'redis', 'redis-cluster', 'redis_cluster', 'sqs'],
      available: ['memory', 'sync', 'none', 'redis', 'redis-cluster', 'redis_cluster'],
    },
    default: 'memory',
    env: ['QUEUE_DRIVER'],
    description:
      "memory (alias sync; per node, lost on restart), none (webhooks are not sent), redis or redis-cluster (durable, shared by every node; connection from database.redis); sqs is not available yet. (Rust Sockudo's code default is redis; its shipped config uses memory, as we do.)",
  },
  {
    path: 'queue.options',
    type: OBJECT,
    description:
      'Options of a driver package named in queue.driver (e.g. "sockudo-queue-x"), passed as is to its sockudoDriver.create() (environment variables are substituted as everywhere in the file).',
  },
  { path: 'queue.redis', type: OPEN_SECTION, description: 'Settings of the redis queue driver.' },
  {
    path: 'queue.redis.concurrency',
    type: POSITIVE,
    default: 5,
    env: ['QUEUE_REDIS_CONCURRENCY'],
    description: 'Webhook jobs one node runs at the same time.',
  },
  {
    path: 'queue.redis.prefix',
    type: STRING,
    default: 'sockudo_queue:',
    env: ['QUEUE_REDIS_PREFIX'],
    description: 'Prefix of every queue key.',
  },
  {
    path: 'queue.redis.url_override',
    type: REDIS_URL,
    description: 'A Redis URL for the queue instead of database.redis.',
  },
  {
    path: 'queue.redis.cluster_mode',
    type: BOOLEAN,
    default: false,
    description: 'With the redis driver: use the Redis Cluster of database.redis.cluster instead.',
  },
  {
    path: 'queue.redis_cluster',
    type: OPEN_SECTION,
    description: 'Settings of the redis-cluster queue driver.',
  },
  {
    path: 'queue.redis_cluster.nodes',
    type: NODES,
    description: 'Seed nodes (default database.redis.cluster.nodes).',
  },
  {
    path: 'queue.redis_cluster.prefix',
    type: STRING,
    env: ['REDIS_CLUSTER_QUEUE_PREFIX'],
    description: 'Prefix of every queue key (default queue.redis.prefix).',
  },
  {
    path: 'queue.redis_cluster.concurrency',
    type: POSITIVE,
    env: ['REDIS_CLUSTER_QUEUE_CONCURRENCY'],
    description: 'Webhook jobs one node runs at the same time (default queue.redis.concurrency).',
  },

  // --- rate_limiter ---
  {
    path: 'rate_limiter',
    type: OPEN_SECTION,
    description: 'Where the per-app limits (max_backend_events_per_second, ...) are counted.',
  },
  {
    path: 'rate_limiter.enabled',
    type: BOOLEAN,
    default: true,
    env: ['RATE_LIMITER_ENABLED'],
    description:
      'Use rate_limiter.driver; false counts in memory on each node. (Per-IP limits of the HTTP API and new WebSocket connections are not enforced in this release.)',
  },
  {
    path: 'rate_limiter.driver',
    type: {
      kind: 'driver',
      values: ['memory', 'redis', 'redis-cluster', 'redis_cluster'],
      available: ['memory', 'redis', 'redis-cluster', 'redis_cluster'],
    },
    default: 'memory',
    env: ['RATE_LIMITER_DRIVER'],
    enabledBy: 'rate_limiter.enabled',
    description:
      'memory (each node counts alone), redis or redis-cluster (one count shared by every node; connection from database.redis).',
  },
  {
    path: 'rate_limiter.options',
    type: OBJECT,
    description:
      'Options of a driver package named in rate_limiter.driver (e.g. "sockudo-rate-limiter-x"), passed as is to its sockudoDriver.create() (environment variables are substituted as everywhere in the file).',
  },
  { path: 'rate_limiter.redis', type: OPEN_SECTION, description: 'Settings of the redis rate limiters.' },
  {
    path: 'rate_limiter.redis.prefix',
    type: STRING,
    default: 'sockudo_rl:',
    env: ['RATE_LIMITER_REDIS_PREFIX'],
    description: 'Prefix of every rate limiter key.',
  },

  // --- channel_limits ---
  { path: 'channel_limits', type: OPEN_SECTION, description: 'Server-wide channel settings.' },
  {
    path: 'channel_limits.cache_ttl',
    type: POSITIVE,
    description:
      "Seconds a cache channel keeps its last event. Unset: 1800 (Pusher's 30 minutes; Rust Sockudo's 3600 here is not read by its Pusher path).",
  },

  // --- metrics ---
  { path: 'metrics', type: OPEN_SECTION, description: 'Prometheus metrics on their own port.' },
  {
    path: 'metrics.enabled',
    type: BOOLEAN,
    default: true,
    env: ['METRICS_ENABLED'],
    description:
      'Serve Prometheus metrics at /metrics on their own port. If that port cannot be bound, the server logs an error and keeps serving without metrics.',
  },
  {
    path: 'metrics.driver',
    type: { kind: 'enum', values: ['prometheus'] },
    default: 'prometheus',
    env: ['METRICS_DRIVER'],
    description: 'Metrics driver.',
  },
  {
    path: 'metrics.host',
    type: { kind: 'string', nonEmpty: true },
    default: '0.0.0.0',
    env: ['METRICS_HOST'],
    description: 'Address of the metrics server.',
  },
  {
    path: 'metrics.port',
    type: PORT,
    default: 9601,
    env: ['METRICS_PORT'],
    description: 'Port of the metrics server.',
  },
  { path: 'metrics.prometheus', type: SECTION, description: 'Prometheus options.' },
  {
    path: 'metrics.prometheus.prefix',
    type: STRING,
    default: 'sockudo_',
    env: ['METRICS_PROMETHEUS_PREFIX'],
    description: 'Prefix of every metric name.',
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
  },
  {
    path: 'cors.credentials',
    type: BOOLEAN,
    default: true,
    env: ['CORS_CREDENTIALS'],
    description: 'Send Access-Control-Allow-Credentials.',
  },
  {
    path: 'cors.methods',
    type: ARRAY,
    default: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
    env: ['CORS_METHODS'],
    description: 'Allowed methods.',
  },
  {
    path: 'cors.allowed_headers',
    type: ARRAY,
    default: ['Authorization', 'Content-Type', 'X-Requested-With', 'Accept', 'X-Idempotency-Key'],
    env: ['CORS_HEADERS'],
    description: 'Allowed request headers.',
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
    path: 'logging.level',
    type: { kind: 'enum', values: [...LOG_LEVELS] },
    default: 'info',
    env: ['LOG_LEVEL'],
    description:
      'The least severe level written (pino level names); `debug: true` lowers it to at least debug, silent writes nothing.',
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
    sets: [
      'adapter.redis.redis_pub_options.url',
      'adapter.redis.redis_sub_options.url',
      'database.redis.url',
    ],
    description:
      'Redis URL of the adapter, and of the cache, queue and rate limiter drivers (instead of database.redis host and port).',
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
  'cleanup',
  'cluster_health',
  'connection_recovery',
  'database_pooling',
  'delta_compression',
  'echo_control',
  'ephemeral',
  'event_limits',
  'event_name_filtering',
  'history',
  'idempotency',
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
