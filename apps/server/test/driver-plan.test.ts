// The driver registry's mapping from configuration to driver options, for every config form: the
// short forms of our issue, Rust Sockudo's keys, the shared database.redis and the environment. No
// network: planDrivers only computes.

import { describe, expect, it } from 'vitest';
import { planDrivers } from '../src/config/plan/driver-plan.js';
import type { DriverPlan } from '../src/config/plan/plans.js';
import { checkConfig, type ResolvedConfig, toServerOptions } from '../src/index.js';
import { tempDir } from './helpers.js';

/** Loads `file` as config/config.json with `env`, and plans its drivers. */
function load(file: Record<string, unknown>, env: Record<string, string> = {}) {
  const result = checkConfig({ cwd: tempDir({ 'config/config.json': file }), env });
  expect(result.errors.map((error) => error.message)).toEqual([]);
  const config = result.config as ResolvedConfig;
  const { plan, errors } = planDrivers(config);
  expect(errors).toEqual([]);
  return { config, plan, warnings: result.warnings };
}

function plan(file: Record<string, unknown>, env: Record<string, string> = {}): DriverPlan {
  return load(file, env).plan;
}

describe('planDrivers: defaults', () => {
  it('keeps everything in this process: local adapter, memory drivers', () => {
    expect(plan({})).toEqual({
      adapter: { driver: 'local' },
      appManager: { driver: 'memory' },
      cache: { driver: 'memory' },
      queue: { driver: 'memory' },
      rateLimiter: { driver: 'memory' },
    });
  });
});

describe('planDrivers: adapter, the three documented shapes', () => {
  it('redis_settings.dsn', () => {
    const { adapter } = plan({
      adapter: { driver: 'redis', redis_settings: { dsn: 'redis://127.0.0.1:6379/0' } },
    });
    expect(adapter).toEqual({
      driver: 'redis',
      transport: 'redis',
      fallbackToLocal: true,
      options: { url: 'redis://127.0.0.1:6379/0', prefix: 'sockudo_adapter:', connectTimeoutMs: 5000 },
      horizontal: { requestTimeoutMs: 5000, heartbeatIntervalMs: 10000, nodeTimeoutMs: 30000 },
      address: 'redis://127.0.0.1:6379/0',
      secrets: [],
    });
  });

  it('redis_cluster_settings.dsns', () => {
    const { adapter } = plan({
      adapter: {
        driver: 'redis_cluster',
        redis_cluster_settings: { dsns: ['redis://127.0.0.1:7000', 'redis://127.0.0.1:7001'] },
      },
    });
    expect(adapter).toEqual({
      driver: 'redis-cluster',
      transport: 'redis-cluster',
      fallbackToLocal: true,
      options: {
        nodes: ['redis://127.0.0.1:7000', 'redis://127.0.0.1:7001'],
        prefix: 'sockudo_adapter:',
        shardedPubsub: false,
        connectTimeoutMs: 5000,
      },
      horizontal: { requestTimeoutMs: 1000, heartbeatIntervalMs: 10000, nodeTimeoutMs: 30000 },
      address: 'Redis Cluster redis://127.0.0.1:7000, redis://127.0.0.1:7001',
      secrets: [],
    });
  });

  it('nats_settings.url and subject_prefix', () => {
    const { adapter } = plan({
      adapter: {
        driver: 'nats',
        nats_settings: { url: 'nats://127.0.0.1:4222', subject_prefix: 'sockudo_events' },
      },
    });
    expect(adapter).toEqual({
      driver: 'nats',
      transport: 'nats',
      fallbackToLocal: true,
      options: { servers: ['nats://127.0.0.1:4222'], prefix: 'sockudo_events', connectTimeoutMs: 5000 },
      horizontal: { requestTimeoutMs: 5000, heartbeatIntervalMs: 10000, nodeTimeoutMs: 30000 },
      address: 'nats://127.0.0.1:4222',
      secrets: [],
    });
  });
});

describe("planDrivers: adapter, Rust Sockudo's keys", () => {
  it('adapter.redis: prefix, redis_pub_options.url, requests_timeout; fallback_to_local; instance.process_id', () => {
    const { adapter } = plan({
      instance: { process_id: 'node-7' },
      adapter: {
        driver: 'redis',
        fallback_to_local: false,
        redis: {
          prefix: 'app1:',
          requests_timeout: 2500,
          redis_pub_options: { url: 'redis://:pw-1234@r1:6380/2' },
        },
        cluster_health: { heartbeat_interval_ms: 1000, node_timeout_ms: 4000 },
      },
    });
    expect(adapter).toMatchObject({
      transport: 'redis',
      fallbackToLocal: false,
      options: { url: 'redis://:pw-1234@r1:6380/2', prefix: 'app1:' },
      horizontal: {
        nodeId: 'node-7',
        requestTimeoutMs: 2500,
        heartbeatIntervalMs: 1000,
        nodeTimeoutMs: 4000,
      },
      address: 'redis://r1:6380/2',
      secrets: ['pw-1234'],
    });
  });

  it('adapter.redis.cluster_mode: the Redis URL is a seed of a Redis Cluster', () => {
    const { adapter } = plan({
      adapter: {
        driver: 'redis',
        redis: { cluster_mode: true, redis_pub_options: { url: 'redis://127.0.0.1:7000' } },
      },
    });
    expect(adapter).toMatchObject({
      driver: 'redis',
      transport: 'redis-cluster',
      options: { nodes: ['redis://127.0.0.1:7000'], prefix: 'sockudo_adapter:' },
    });
  });

  it('adapter.cluster: nodes, prefix, use_sharded_pubsub, request_timeout_ms', () => {
    const { adapter } = plan({
      adapter: {
        driver: 'redis-cluster',
        cluster: {
          nodes: ['127.0.0.1:7000'],
          prefix: 'c1:',
          use_sharded_pubsub: true,
          request_timeout_ms: 800,
        },
      },
    });
    expect(adapter).toMatchObject({
      transport: 'redis-cluster',
      options: { nodes: ['127.0.0.1:7000'], prefix: 'c1:', shardedPubsub: true },
      horizontal: { requestTimeoutMs: 800 },
      address: 'Redis Cluster 127.0.0.1:7000',
    });
  });

  it('adapter.nats: servers, prefix, username/password, token, timeouts; credentials never in the address', () => {
    const { adapter } = plan({
      adapter: {
        driver: 'nats',
        nats: {
          servers: ['nats://n1:4222', 'nats://u:inline-pass@n2:4222'],
          prefix: 'events.eu',
          username: 'sockudo',
          password: 'nats-secret',
          token: 'nats-token',
          request_timeout_ms: 700,
          connection_timeout_ms: 900,
        },
      },
    });
    expect(adapter).toMatchObject({
      transport: 'nats',
      options: {
        servers: ['nats://n1:4222', 'nats://u:inline-pass@n2:4222'],
        prefix: 'events.eu',
        user: 'sockudo',
        pass: 'nats-secret',
        token: 'nats-token',
        connectTimeoutMs: 900,
      },
      horizontal: { requestTimeoutMs: 700 },
      address: 'nats://n1:4222, nats://n2:4222',
      secrets: ['nats-secret', 'nats-token', 'inline-pass'],
    });
  });

  it("uses Rust Sockudo's adapter.nats.prefix default, which Rust nodes share", () => {
    expect(plan({ adapter: { driver: 'nats' } }).adapter).toMatchObject({
      options: { servers: ['nats://localhost:4222'], prefix: 'sockudo_adapter:' },
    });
  });

  it('falls back to database.redis for the URL (host, port, db, username, password, encoded)', () => {
    const { adapter } = plan({
      adapter: { driver: 'redis' },
      database: {
        redis: { host: 'redis.internal', port: 6390, db: 3, username: 'app', password: 'p@ss/word' },
      },
    });
    expect(adapter).toMatchObject({
      options: { url: 'redis://app:p%40ss%2Fword@redis.internal:6390/3' },
      address: 'redis://redis.internal:6390/3',
      secrets: ['p@ss/word'],
    });
    expect(
      plan({ adapter: { driver: 'redis' }, database: { redis: { password: 'only-pw' } } }).adapter,
    ).toMatchObject({ options: { url: 'redis://:only-pw@127.0.0.1:6379/0' } });
  });

  it('falls back to database.redis.cluster.nodes, then database.redis.cluster_nodes ({host, port}), with their credentials', () => {
    expect(
      plan({
        adapter: { driver: 'redis-cluster' },
        database: {
          redis: { password: 'shared', cluster: { nodes: ['10.0.0.1:7000'], password: 'cluster-pw' } },
        },
      }).adapter,
    ).toMatchObject({
      options: { nodes: ['10.0.0.1:7000'], ioredis: { redisOptions: { password: 'cluster-pw' } } },
      secrets: ['cluster-pw'],
    });
    expect(
      plan({
        adapter: { driver: 'redis-cluster' },
        database: { redis: { cluster_nodes: [{ host: '10.0.0.2', port: 7001 }] } },
      }).adapter,
    ).toMatchObject({
      options: { nodes: [{ host: '10.0.0.2', port: 7001 }] },
      address: 'Redis Cluster 10.0.0.2:7001',
    });
  });
});

describe('planDrivers: adapter, environment variables', () => {
  it('ADAPTER_DRIVER and REDIS_URL', () => {
    expect(plan({}, { ADAPTER_DRIVER: 'redis', REDIS_URL: 'redis://127.0.0.1:6379' }).adapter).toMatchObject({
      transport: 'redis',
      options: { url: 'redis://127.0.0.1:6379' },
    });
  });

  it('REDIS_CLUSTER_NODES, NATS_SERVERS, NATS_PREFIX, NATS_USERNAME, NATS_PASSWORD, NATS_TOKEN', () => {
    expect(
      plan({}, { ADAPTER_DRIVER: 'redis_cluster', REDIS_CLUSTER_NODES: '127.0.0.1:7000, 127.0.0.1:7001' })
        .adapter,
    ).toMatchObject({ options: { nodes: ['127.0.0.1:7000', '127.0.0.1:7001'] } });
    expect(
      plan(
        {},
        {
          ADAPTER_DRIVER: 'nats',
          NATS_SERVERS: 'nats://a:4222,nats://b:4222',
          NATS_PREFIX: 'env_events',
          NATS_USERNAME: 'env-user',
          NATS_PASSWORD: 'env-pass',
          NATS_TOKEN: 'env-token',
          NATS_CONNECTION_TIMEOUT_MS: '1500',
          NATS_REQUEST_TIMEOUT_MS: '2500',
        },
      ).adapter,
    ).toMatchObject({
      options: {
        servers: ['nats://a:4222', 'nats://b:4222'],
        prefix: 'env_events',
        user: 'env-user',
        pass: 'env-pass',
        token: 'env-token',
        connectTimeoutMs: 1500,
      },
      horizontal: { requestTimeoutMs: 2500 },
    });
  });

  it('CLUSTER_HEALTH_* write adapter.cluster_health (not the top-level copy, unlike Rust Sockudo), INSTANCE_PROCESS_ID the node id', () => {
    const { config, plan: planned } = load(
      { adapter: { driver: 'redis' } },
      {
        CLUSTER_HEALTH_HEARTBEAT_INTERVAL: '2000',
        CLUSTER_HEALTH_NODE_TIMEOUT: '9000',
        CLUSTER_HEALTH_CLEANUP_INTERVAL: '3000',
        INSTANCE_PROCESS_ID: 'env-node',
      },
    );
    expect(config.adapter.cluster_health).toMatchObject({
      heartbeat_interval_ms: 2000,
      node_timeout_ms: 9000,
      cleanup_interval_ms: 3000,
    });
    expect(planned.adapter).toMatchObject({
      horizontal: { nodeId: 'env-node', heartbeatIntervalMs: 2000, nodeTimeoutMs: 9000 },
    });
  });

  it('DATABASE_REDIS_* build the shared URL', () => {
    expect(
      plan(
        { adapter: { driver: 'redis' } },
        {
          DATABASE_REDIS_HOST: 'db-redis',
          DATABASE_REDIS_PORT: '6400',
          DATABASE_REDIS_DB: '5',
          DATABASE_REDIS_PASSWORD: 'env-redis-pw',
        },
      ).adapter,
    ).toMatchObject({ options: { url: 'redis://:env-redis-pw@db-redis:6400/5' } });
  });
});

describe('planDrivers: adapter precedence (the most specific form wins; for one key, env beats file)', () => {
  it('redis_settings.dsn > adapter.redis.redis_pub_options.url (REDIS_URL) > database.redis', () => {
    const dsn = { driver: 'redis', redis_settings: { dsn: 'redis://dsn:6379' } };
    expect(plan({ adapter: dsn }, { REDIS_URL: 'redis://env:6379' }).adapter).toMatchObject({
      options: { url: 'redis://dsn:6379' },
    });
    const pub = { driver: 'redis', redis: { redis_pub_options: { url: 'redis://file:6379' } } };
    expect(plan({ adapter: pub }).adapter).toMatchObject({ options: { url: 'redis://file:6379' } });
    expect(plan({ adapter: pub }, { REDIS_URL: 'redis://env:6379' }).adapter).toMatchObject({
      options: { url: 'redis://env:6379' },
    });
    expect(plan({ adapter: { driver: 'redis' }, database: { redis: { host: 'db' } } }).adapter).toMatchObject(
      {
        options: { url: 'redis://db:6379/0' },
      },
    );
  });

  it('redis_settings.prefix > adapter.redis.prefix; redis_cluster_settings > adapter.cluster; nats_settings > adapter.nats', () => {
    expect(
      plan({ adapter: { driver: 'redis', redis_settings: { prefix: 'short:' }, redis: { prefix: 'rust:' } } })
        .adapter,
    ).toMatchObject({ options: { prefix: 'short:' } });
    expect(
      plan({
        adapter: { driver: 'redis', redis_settings: { dsn: 'redis://h:1' }, redis: { prefix: 'rust:' } },
      }).adapter,
    ).toMatchObject({ options: { url: 'redis://h:1', prefix: 'rust:' } });
    expect(
      plan(
        {
          adapter: {
            driver: 'redis_cluster',
            redis_cluster_settings: { dsns: ['a:7000'], prefix: 'short:' },
            cluster: { nodes: ['b:7000'], prefix: 'rust:' },
          },
        },
        { REDIS_CLUSTER_NODES: 'c:7000' },
      ).adapter,
    ).toMatchObject({ options: { nodes: ['a:7000'], prefix: 'short:' } });
    expect(
      plan(
        {
          adapter: { driver: 'nats', nats_settings: { url: 'nats://short:4222' }, nats: { prefix: 'rust' } },
        },
        { NATS_SERVERS: 'nats://env:4222' },
      ).adapter,
    ).toMatchObject({ options: { servers: ['nats://short:4222'], prefix: 'rust' } });
  });
});

describe('planDrivers: app manager', () => {
  it('memory and array serve the inline apps', () => {
    expect(plan({ app_manager: { driver: 'array' } }).appManager).toEqual({ driver: 'memory' });
  });

  it('mysql from database.mysql, with the pool from pool_min/pool_max or connection_pool_size', () => {
    expect(
      plan({
        app_manager: { driver: 'mysql' },
        database: {
          mysql: {
            host: 'db',
            port: 3307,
            username: 'sockudo',
            password: 'my-secret',
            database: 'realtime',
            table_name: 'apps',
            connection_pool_size: 4,
          },
        },
      }).appManager,
    ).toEqual({
      driver: 'mysql',
      options: {
        host: 'db',
        port: 3307,
        user: 'sockudo',
        password: 'my-secret',
        database: 'realtime',
        table: 'apps',
        pool: { min: 0, max: 4 },
      },
      address: 'MySQL database "realtime" at db:3307',
      secrets: ['my-secret'],
    });
    expect(
      plan({ app_manager: { driver: 'mysql' }, database: { mysql: { pool_min: 2, pool_max: 20 } } })
        .appManager,
    ).toMatchObject({
      options: { host: 'localhost', port: 3306, user: 'root', password: '', pool: { min: 2, max: 20 } },
    });
  });

  it('pgsql, postgres and postgresql from database.postgres (defaults 5432 and postgres)', () => {
    for (const driver of ['pgsql', 'postgres', 'postgresql']) {
      expect(plan({ app_manager: { driver } }).appManager, driver).toMatchObject({
        driver: 'postgres',
        options: {
          host: 'localhost',
          port: 5432,
          user: 'postgres',
          database: 'sockudo',
          table: 'applications',
        },
        address: 'PostgreSQL database "sockudo" at localhost:5432',
      });
    }
  });

  it('DATABASE_MYSQL_*, DATABASE_POSTGRES_* and APP_MANAGER_DRIVER', () => {
    expect(
      plan(
        {},
        {
          APP_MANAGER_DRIVER: 'mysql',
          DATABASE_MYSQL_HOST: 'env-db',
          DATABASE_MYSQL_PORT: '3310',
          DATABASE_MYSQL_USERNAME: 'env-user',
          DATABASE_MYSQL_PASSWORD: 'env-pass',
          DATABASE_MYSQL_DATABASE: 'env_db',
          DATABASE_MYSQL_TABLE_NAME: 'env_apps',
          DATABASE_MYSQL_POOL_MAX: '3',
        },
      ).appManager,
    ).toMatchObject({
      options: {
        host: 'env-db',
        port: 3310,
        user: 'env-user',
        password: 'env-pass',
        database: 'env_db',
        table: 'env_apps',
        pool: { max: 3 },
      },
    });
    expect(
      plan(
        {},
        {
          APP_MANAGER_DRIVER: 'pgsql',
          DATABASE_POSTGRES_HOST: 'pg',
          DATABASE_POSTGRES_DATABASE: 'pgdb',
          DATABASE_POSTGRES_TABLE_NAME: 'pg_apps',
        },
      ).appManager,
    ).toMatchObject({ options: { host: 'pg', database: 'pgdb', table: 'pg_apps' } });
  });

  it('dynamodb from database.dynamodb and DATABASE_DYNAMODB_*, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY', () => {
    expect(plan({ app_manager: { driver: 'dynamodb' } }).appManager).toEqual({
      driver: 'dynamodb',
      options: { region: 'us-east-1', tableName: 'sockudo-applications' },
      address: 'DynamoDB table "sockudo-applications" in us-east-1',
      secrets: [],
    });
    expect(
      plan(
        {},
        {
          APP_MANAGER_DRIVER: 'dynamodb',
          DATABASE_DYNAMODB_REGION: 'eu-west-1',
          DATABASE_DYNAMODB_TABLE_NAME: 'apps',
          DATABASE_DYNAMODB_ENDPOINT_URL: 'http://127.0.0.1:8000',
          AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
          AWS_SECRET_ACCESS_KEY: 'aws-secret',
        },
      ).appManager,
    ).toEqual({
      driver: 'dynamodb',
      options: {
        region: 'eu-west-1',
        tableName: 'apps',
        endpoint: 'http://127.0.0.1:8000',
        credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'aws-secret' },
      },
      address: 'DynamoDB table "apps" in eu-west-1 at http://127.0.0.1:8000',
      secrets: ['aws-secret'],
    });
  });

  it('warns that inline apps are not used with a database driver, and drops the default-credentials warning', () => {
    const withApps = load({
      app_manager: { driver: 'mysql', array: { apps: [{ id: 'a', key: 'k', secret: 's' }] } },
    });
    expect(withApps.warnings).toContain(
      'app_manager.array.apps: not used with app_manager.driver mysql; apps come from the database (insert them there)',
    );
    const without = load({ app_manager: { driver: 'pgsql' } });
    expect(without.warnings.join('\n')).not.toMatch(/app_manager\.array\.apps|default credentials/);
  });

  it('maps app_manager.cache to the app cache, channel_limits.cache_ttl to the cache channel TTL', () => {
    expect(toServerOptions(load({}).config)).toMatchObject({ appCache: { ttlSeconds: 300 } });
    expect(toServerOptions(load({}).config).channelCacheTtl).toBeUndefined();
    const { config } = load({
      app_manager: { cache: { enabled: false } },
      channel_limits: { cache_ttl: 60 },
    });
    expect(toServerOptions(config)).toMatchObject({ appCache: false, channelCacheTtl: 60 });
    expect(toServerOptions(load({ app_manager: { cache: { ttl: 30 } } }).config)).toMatchObject({
      appCache: { ttlSeconds: 30 },
    });
  });

  it('maps the cors section onto the cors option of createServer', () => {
    expect(toServerOptions(load({}).config).cors).toEqual({
      origin: ['*'],
      credentials: true,
      methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
      allowedHeaders: ['Authorization', 'Content-Type', 'X-Requested-With', 'Accept', 'X-Idempotency-Key'],
    });
    const { config } = load({
      cors: { origin: ['https://a.test'], credentials: false, methods: ['GET'], allowed_headers: ['Accept'] },
    });
    expect(toServerOptions(config).cors).toEqual({
      origin: ['https://a.test'],
      credentials: false,
      methods: ['GET'],
      allowedHeaders: ['Accept'],
    });
  });
});

describe('planDrivers: cache, queue and rate limiter', () => {
  it('cache: memory, none, redis (url_override > REDIS_URL > database.redis), redis-cluster', () => {
    expect(plan({ cache: { driver: 'none' } }).cache).toEqual({ driver: 'none' });
    expect(plan({ cache: { driver: 'redis' } }).cache).toEqual({
      driver: 'redis',
      options: { url: 'redis://127.0.0.1:6379/0', prefix: 'sockudo_cache:' },
      address: 'redis://127.0.0.1:6379/0',
      secrets: [],
    });
    expect(plan({}, { CACHE_DRIVER: 'redis', REDIS_URL: 'redis://env:6379' }).cache).toMatchObject({
      options: { url: 'redis://env:6379' },
    });
    expect(
      plan(
        { cache: { driver: 'redis', redis: { url_override: 'redis://cache:6379', prefix: 'c:' } } },
        { REDIS_URL: 'redis://env:6379' },
      ).cache,
    ).toMatchObject({ options: { url: 'redis://cache:6379', prefix: 'c:' } });
    expect(
      plan({
        cache: { driver: 'redis-cluster' },
        database: { redis: { cluster: { nodes: ['127.0.0.1:7000'] } } },
      }).cache,
    ).toMatchObject({
      driver: 'redis-cluster',
      options: { nodes: ['127.0.0.1:7000'], prefix: 'sockudo_cache:' },
    });
    expect(
      plan({ cache: { driver: 'redis', redis: { cluster_mode: true } } }, { REDIS_CLUSTER_NODES: 'h:7000' })
        .cache,
    ).toMatchObject({ options: { nodes: ['h:7000'] } });
  });

  it('queue: memory (alias sync), none, redis (concurrency, prefix), redis-cluster (its own nodes and prefix)', () => {
    expect(plan({ queue: { driver: 'sync' } }).queue).toEqual({ driver: 'memory' });
    expect(plan({}, { QUEUE_DRIVER: 'none' }).queue).toEqual({ driver: 'none' });
    expect(plan({ queue: { driver: 'redis' } }, { QUEUE_REDIS_CONCURRENCY: '9' }).queue).toEqual({
      driver: 'redis',
      options: { url: 'redis://127.0.0.1:6379/0', prefix: 'sockudo_queue:', concurrency: 9 },
      address: 'redis://127.0.0.1:6379/0',
      secrets: [],
    });
    expect(
      plan({
        queue: {
          driver: 'redis_cluster',
          redis: { prefix: 'q:' },
          redis_cluster: { nodes: ['127.0.0.1:7001'], concurrency: 2 },
        },
      }).queue,
    ).toMatchObject({
      driver: 'redis-cluster',
      options: { nodes: ['127.0.0.1:7001'], prefix: 'q:', concurrency: 2 },
    });
  });

  it('rate limiter: redis only while rate_limiter.enabled, with rate_limiter.redis.prefix', () => {
    expect(plan({ rate_limiter: { enabled: false, driver: 'redis' } }).rateLimiter).toEqual({
      driver: 'memory',
    });
    expect(plan({ rate_limiter: { driver: 'redis' } }).rateLimiter).toEqual({
      driver: 'redis',
      options: { url: 'redis://127.0.0.1:6379/0', prefix: 'sockudo_rl:' },
      address: 'redis://127.0.0.1:6379/0',
      secrets: [],
    });
    expect(
      plan(
        {},
        {
          RATE_LIMITER_DRIVER: 'redis-cluster',
          RATE_LIMITER_REDIS_PREFIX: 'rl:',
          REDIS_CLUSTER_NODES: 'h:7000',
        },
      ).rateLimiter,
    ).toMatchObject({ driver: 'redis-cluster', options: { nodes: ['h:7000'], prefix: 'rl:' } });
  });
});
