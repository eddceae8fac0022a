// What several sections of the schema share, defined once: the value types, and groups of keys that
// come back under different paths (a role's driver and its package options, a SQL connection and its
// pool, a user and password, the Redis settings of a service, the wait for other nodes' answers).

import type { ConfigType, KeyEntry } from './key-spec.js';

export const PORT = { kind: 'number', integer: true, min: 0, max: 65535 } as const;
export const COUNT = { kind: 'number', integer: true, min: 0 } as const;
export const POSITIVE = { kind: 'number', integer: true, min: 1 } as const;
export const BOOLEAN = { kind: 'boolean' } as const;
export const STRING = { kind: 'string' } as const;
export const NON_EMPTY = { kind: 'string', nonEmpty: true } as const;
export const ARRAY = { kind: 'array' } as const;
export const OBJECT = { kind: 'object' } as const;
export const NODES = { kind: 'nodes' } as const;
export const REDIS_URL = { kind: 'url', schemes: ['redis', 'rediss'] } as const;
export const NATS_URL = { kind: 'url', schemes: ['nats', 'tls', 'ws', 'wss'] } as const;
export const HTTP_URL = { kind: 'url', schemes: ['http', 'https'] } as const;
export const AMQP_URL = { kind: 'url', schemes: ['amqp', 'amqps'] } as const;

/** A driver key's type: the built-in names Rust Sockudo knows, and those this release implements. */
export function drivers(values: readonly string[], available: readonly string[] = values): ConfigType {
  return { kind: 'driver', values, available };
}

/**
 * `<section>.driver` and `<section>.options`: the built-in driver (or a driver package's name), then the
 * options passed to that package's `sockudoDriver.create()`.
 */
export function driverKeys(
  section: 'adapter' | 'app_manager' | 'cache' | 'queue' | 'rate_limiter',
  driver: Omit<KeyEntry, 'key'>,
): KeyEntry[] {
  const example = `sockudo-${section.replace('_', '-')}-x`;
  return [
    { key: 'driver', ...driver },
    {
      key: 'options',
      type: OBJECT,
      description: `Options of a driver package named in ${section}.driver (e.g. "${example}"), passed as is to its sockudoDriver.create() (environment variables are substituted as everywhere in the file).`,
    },
  ];
}

/** `username` and `password`, set by `<envPrefix>_USERNAME` and `<envPrefix>_PASSWORD`; neither has a default. */
export function credentialKeys(
  envPrefix: string,
  descriptions: { username: string; password: string },
): KeyEntry[] {
  return [
    { key: 'username', type: STRING, env: [`${envPrefix}_USERNAME`], description: descriptions.username },
    {
      key: 'password',
      type: STRING,
      env: [`${envPrefix}_PASSWORD`],
      description: descriptions.password,
      secret: true,
    },
  ];
}

/** The wait of a cluster request for the other nodes. */
export function answersTimeoutKey(key: string, defaultMs: number, env?: readonly string[]): KeyEntry {
  return {
    key,
    type: POSITIVE,
    default: defaultMs,
    ...(env !== undefined && { env }),
    description: 'Milliseconds to wait for answers from other nodes.',
  };
}

/** The size of a connection pool: `connection_pool_size`, or `pool_min`/`pool_max` (`<envPrefix>_POOL_*`). */
export function poolKeys(envPrefix: string): KeyEntry[] {
  return [
    {
      key: 'connection_pool_size',
      type: POSITIVE,
      default: 10,
      description: 'Most connections open at once, unless pool_max is set.',
    },
    {
      key: 'pool_min',
      type: COUNT,
      env: [`${envPrefix}_POOL_MIN`],
      description: 'Idle connections kept open (default 0).',
    },
    {
      key: 'pool_max',
      type: POSITIVE,
      env: [`${envPrefix}_POOL_MAX`],
      description: 'Most connections open at once (default connection_pool_size).',
    },
  ];
}

/**
 * A SQL database connection (Rust Sockudo's `DatabaseConnection`), every key set by `<envPrefix>_<KEY>`
 * except `connection_pool_size`.
 */
export function sqlConnectionKeys(
  label: string,
  envPrefix: string,
  settings: { port: number; username: string; portNote?: string; tableNote?: string },
): KeyEntry[] {
  return [
    {
      key: 'host',
      type: NON_EMPTY,
      default: 'localhost',
      env: [`${envPrefix}_HOST`],
      description: `${label} host.`,
    },
    {
      key: 'port',
      type: PORT,
      default: settings.port,
      env: [`${envPrefix}_PORT`],
      description: `${label} port${settings.portNote ?? ''}.`,
    },
    {
      key: 'username',
      type: NON_EMPTY,
      default: settings.username,
      env: [`${envPrefix}_USERNAME`],
      description: `${label} user.`,
    },
    {
      key: 'password',
      type: STRING,
      default: '',
      env: [`${envPrefix}_PASSWORD`],
      description: `${label} password.`,
      secret: true,
    },
    {
      key: 'database',
      type: NON_EMPTY,
      default: 'sockudo',
      env: [`${envPrefix}_DATABASE`],
      description: `${label} database.`,
    },
    {
      key: 'table_name',
      type: NON_EMPTY,
      default: 'applications',
      env: [`${envPrefix}_TABLE_NAME`],
      description: `The apps table (letters, digits and _${settings.tableNote ?? ''}).`,
    },
    ...poolKeys(envPrefix),
  ];
}

/** `prefix`: what every key of a Redis-backed service starts with. */
export function keyPrefixKey(what: string, defaultPrefix: string, env?: readonly string[]): KeyEntry {
  return {
    key: 'prefix',
    type: STRING,
    default: defaultPrefix,
    ...(env !== undefined && { env }),
    description: `Prefix of every ${what} key.`,
  };
}

/**
 * Where a Redis-backed service connects instead of the shared `database.redis`: its own URL, or the
 * shared Redis Cluster.
 */
export function redisOverrideKeys(what: string): KeyEntry[] {
  return [
    {
      key: 'url_override',
      type: REDIS_URL,
      description: `A Redis URL for the ${what} instead of database.redis.`,
    },
    {
      key: 'cluster_mode',
      type: BOOLEAN,
      default: false,
      description: 'With the redis driver: use the Redis Cluster of database.redis.cluster instead.',
    },
  ];
}
