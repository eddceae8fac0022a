// The mysql2 pool of a Sockudo driver: target from `url` and the explicit fields (database.mysql), the
// pool bounds and timeouts, utf8mb4, and the 'error' listener without which a connection dying while
// idle becomes an uncaught exception. The app manager and @sockudo/history-mysql both connect through it.

import { resolveSqlTarget, type SqlAppManagerOptions, type SqlTarget } from '@sockudo/app-manager-sql';
import mysql, { type Pool, type PoolOptions } from 'mysql2/promise';

/** The connection options {@link openMysqlPool} reads. */
export interface MysqlPoolOptions extends Omit<SqlAppManagerOptions, 'table' | 'healthCheckTimeoutMs'> {
  /** `mysql://user:password@host:port/database` (also `mariadb://`). */
  url?: string;
  /** @default 3306 */
  port?: number;
  /** The MySQL user. @default 'root' */
  user?: string;
  /** Alias of `user`, as Rust Sockudo's `database.mysql.username`. */
  username?: string;
  /** Milliseconds one query may run before it fails (and its connection is dropped). @default 5000 */
  queryTimeoutMs?: number;
  /** TLS options handed to mysql2 as they are. */
  ssl?: PoolOptions['ssl'];
  /**
   * A ready `mysql2/promise` pool to use instead of opening one; the other connection options are then
   * ignored, no listeners are added, and the driver's `close()` leaves it open (it is yours).
   */
  client?: Pool;
}

/** An opened (or adopted) pool, and where it connects (undefined for an adopted one). */
export interface MysqlPool {
  readonly pool: Pool;
  readonly target: SqlTarget | undefined;
}

/**
 * Opens the pool `options` describe, or adopts `options.client`. Nothing connects until the first query.
 *
 * @throws ConfigError for an invalid URL or port
 */
export function openMysqlPool(options: MysqlPoolOptions): MysqlPool {
  if (options.client !== undefined) return { pool: options.client, target: undefined };
  const target = resolveSqlTarget(options, {
    configKey: 'database.mysql',
    schemes: ['mysql:', 'mariadb:'],
    defaultPort: 3306,
    defaultUser: 'root',
  });
  const max = options.pool?.max ?? 10;
  const pool = mysql.createPool({
    host: target.host,
    port: target.port,
    user: target.user,
    password: target.password,
    database: target.database,
    connectionLimit: max,
    // mysql2 opens connections on demand; `maxIdle` is how many it keeps when idle, the closest to a minimum.
    maxIdle: Math.min(options.pool?.min ?? 0, max),
    idleTimeout: 60_000,
    connectTimeout: options.connectTimeoutMs ?? 5000,
    enableKeepAlive: true,
    waitForConnections: true,
    charset: 'utf8mb4_unicode_ci',
    supportBigNumbers: true,
    ...(options.ssl === undefined ? {} : { ssl: options.ssl }),
  });
  // A connection that dies while idle emits 'error'; mysql2 drops it from the pool. This listener keeps
  // such an error from ever becoming an uncaught exception.
  pool.on('connection', (connection) => connection.on('error', () => {}));
  return { pool, target };
}
