// The options every SQL app manager takes, and where they point: a URL, overridden field by field.

import { ConfigError } from '@sockudo/core';
import type { SqlDialect } from './sql-dialect.js';

/**
 * The options the SQL app managers share. Explicit fields override the parts of `url`; defaults that
 * differ by database (port, user) are documented on each driver's options.
 */
export interface SqlAppManagerOptions {
  /** `<scheme>://user:password@host:port/database`. */
  url?: string;
  /** @default 'localhost' */
  host?: string;
  /** The TCP port. @default the database's usual port */
  port?: number;
  /** The database user or role. */
  user?: string;
  /** Alias of `user`, as Rust Sockudo's `database.<db>.username`. */
  username?: string;
  /** @default '' */
  password?: string;
  /** @default 'sockudo' */
  database?: string;
  /** The applications table: letters, digits and `_` only. @default 'applications' */
  table?: string;
  /** Pool size: `min` connections are kept open, at most `max` are opened. @default { min: 0, max: 10 } */
  pool?: { min?: number; max?: number };
  /** Milliseconds to open one connection. @default 5000 */
  connectTimeoutMs?: number;
  /** Milliseconds one query may run before it fails. @default 5000 */
  queryTimeoutMs?: number;
  /** Milliseconds `checkHealth()` waits for `SELECT 1`. @default 2000 */
  healthCheckTimeoutMs?: number;
}

/** Where a SQL app manager connects. */
export interface SqlTarget {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
}

/** What {@link resolveSqlTarget} needs to know about one database. */
export interface SqlTargetSpec {
  /** The config section, e.g. `'database.mysql'`: errors name `<configKey>.url` and `<configKey>.port`. */
  configKey: string;
  /** URL schemes taken, with the colon, the usual one first, e.g. `['mysql:', 'mariadb:']`. */
  schemes: readonly string[];
  defaultPort: number;
  defaultUser: string;
}

/**
 * The host, port, user, password and database `options` point at: the defaults, overridden by the parts
 * of `options.url`, overridden by the explicit fields.
 *
 * @throws ConfigError naming `<configKey>.url` for a URL that does not parse or has another scheme, and
 * `<configKey>.port` for a port that is not a TCP port
 */
export function resolveSqlTarget(options: SqlAppManagerOptions, spec: SqlTargetSpec): SqlTarget {
  const { configKey, schemes } = spec;
  const scheme = `${schemes[0]}//`;
  const target: SqlTarget = {
    host: 'localhost',
    port: spec.defaultPort,
    user: spec.defaultUser,
    password: '',
    database: 'sockudo',
  };
  if (options.url !== undefined) {
    let url: URL;
    try {
      url = new URL(options.url);
    } catch {
      throw new ConfigError(
        `${configKey}.url: not a valid URL (expected ${scheme}user:password@host:port/database)`,
        { key: `${configKey}.url` },
      );
    }
    if (!schemes.includes(url.protocol)) {
      throw new ConfigError(`${configKey}.url: expected a ${scheme} URL, got ${url.protocol}//`, {
        key: `${configKey}.url`,
      });
    }
    if (url.hostname) target.host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    if (url.port) target.port = Number(url.port);
    if (url.username) target.user = decodeURIComponent(url.username);
    if (url.password) target.password = decodeURIComponent(url.password);
    const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
    if (database) target.database = database;
  }
  if (options.host !== undefined) target.host = options.host;
  if (options.port !== undefined) target.port = Number(options.port);
  const user = options.user ?? options.username;
  if (user !== undefined) target.user = user;
  if (options.password !== undefined) target.password = options.password;
  if (options.database !== undefined) target.database = options.database;
  if (!Number.isInteger(target.port) || target.port <= 0 || target.port > 65535) {
    throw new ConfigError(`${configKey}.port: expected a TCP port, got ${JSON.stringify(options.port)}`, {
      key: `${configKey}.port`,
    });
  }
  return target;
}

/** Where a manager's errors say it failed: the database, host and port, never the user or password. */
export function describeSqlTarget(dialect: SqlDialect, target: SqlTarget | undefined): string {
  return target
    ? `${dialect.name} database "${target.database}" at ${target.host}:${target.port}`
    : `${dialect.name} (the given pool)`;
}
