// The pg pool of a Sockudo driver: target from `url` and the explicit fields (database.postgres), the
// timeouts and pool bounds, and the 'error' listeners without which a database restart kills the
// process. The app manager and @sockudo/history-postgres both connect through it.

import { resolveSqlTarget, type SqlAppManagerOptions, type SqlTarget } from '@sockudo/app-manager-sql';
import pg from 'pg';

/** The connection options {@link openPostgresPool} reads. */
export interface PostgresPoolOptions extends Omit<SqlAppManagerOptions, 'table' | 'healthCheckTimeoutMs'> {
  /** `postgres://user:password@host:port/database` (also `postgresql://`). */
  url?: string;
  /** @default 5432 */
  port?: number;
  /** The PostgreSQL role. @default 'postgres' */
  user?: string;
  /** Alias of `user`, as Rust Sockudo's `database.postgres.username`. */
  username?: string;
  /** @default '' (none: trust or peer authentication) */
  password?: string;
  /** TLS options handed to pg as they are. */
  ssl?: pg.PoolConfig['ssl'];
  /**
   * A ready `pg` Pool to use instead of opening one; the other connection options are then ignored, no
   * listeners are added (attach your own `'error'` listener), and the driver's `close()` leaves it open.
   */
  client?: pg.Pool;
}

/** An opened (or adopted) pool, and where it connects (undefined for an adopted one). */
export interface PostgresPool {
  readonly pool: pg.Pool;
  readonly target: SqlTarget | undefined;
}

/**
 * Opens the pool `options` describe (`application_name` as PostgreSQL shows it), or adopts
 * `options.client`. Nothing connects until the first query.
 *
 * @throws ConfigError for an invalid URL or port
 */
export function openPostgresPool(options: PostgresPoolOptions, applicationName: string): PostgresPool {
  if (options.client !== undefined) return { pool: options.client, target: undefined };
  const target = resolveSqlTarget(options, {
    configKey: 'database.postgres',
    schemes: ['postgres:', 'postgresql:'],
    defaultPort: 5432,
    defaultUser: 'postgres',
  });
  const max = options.pool?.max ?? 10;
  const pool = new pg.Pool({
    host: target.host,
    port: target.port,
    user: target.user,
    password: target.password,
    database: target.database,
    max,
    min: Math.min(options.pool?.min ?? 0, max),
    idleTimeoutMillis: 60_000,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
    query_timeout: options.queryTimeoutMs ?? 5000,
    keepAlive: true,
    application_name: applicationName,
    ...(options.ssl === undefined ? {} : { ssl: options.ssl }),
  });
  // Without these, a server restart makes pg emit 'error' on an idle client (through the pool) or on a
  // checked-out one, and an 'error' event nobody listens to kills the process. The pool already drops
  // the broken client; the next query opens a new one.
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  return { pool, target };
}
