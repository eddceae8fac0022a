// The driver plan of the app manager, cache, queue and rate limiter for every config form (Rust
// Sockudo's keys, the shared database.redis, the environment), and what the config maps onto
// createServer. No network: planDrivers only computes. The adapter's plan: adapter-plan.test.ts.

import { describe, expect, it } from 'vitest';
import { toServerOptions } from '../src/index.js';
import { loadAndPlan, planOf } from './config-helpers.js';

describe('planDrivers: defaults', () => {
  it('keeps everything in this process: local adapter, memory drivers', () => {
    expect(planOf({})).toEqual({
      adapter: { driver: 'local' },
      appManager: { driver: 'memory' },
      cache: { driver: 'memory', maxEntries: 10_000 },
      queue: { driver: 'memory' },
      rateLimiter: { driver: 'memory' },
      history: { driver: 'memory' },
    });
  });
});

describe('planDrivers: cache', () => {
  it("the memory cache's capacity from cache.memory.max_capacity or CACHE_MAX_CAPACITY, as in Rust Sockudo", () => {
    expect(planOf({ cache: { memory: { max_capacity: 50_000 } } }).cache).toEqual({
      driver: 'memory',
      maxEntries: 50_000,
    });
    expect(planOf({}, { CACHE_MAX_CAPACITY: '3' }).cache).toEqual({ driver: 'memory', maxEntries: 3 });
    // Rust Sockudo's other memory keys are accepted; each entry here has a TTL of its own.
    expect(planOf({ cache: { memory: { ttl: 60, cleanup_interval: 30 } } }).cache).toEqual({
      driver: 'memory',
      maxEntries: 10_000,
    });
  });
});

describe('planDrivers: app manager', () => {
  it('memory and array serve the inline apps', () => {
    expect(planOf({ app_manager: { driver: 'array' } }).appManager).toEqual({ driver: 'memory' });
  });

  it('mysql from database.mysql, with the pool from pool_min/pool_max or connection_pool_size', () => {
    expect(
      planOf({
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
      planOf({ app_manager: { driver: 'mysql' }, database: { mysql: { pool_min: 2, pool_max: 20 } } })
        .appManager,
    ).toMatchObject({
      options: { host: 'localhost', port: 3306, user: 'root', password: '', pool: { min: 2, max: 20 } },
    });
  });

  it('pgsql, postgres and postgresql from database.postgres (defaults 5432 and postgres)', () => {
    for (const driver of ['pgsql', 'postgres', 'postgresql']) {
      expect(planOf({ app_manager: { driver } }).appManager, driver).toMatchObject({
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
      planOf(
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
      planOf(
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
    expect(planOf({ app_manager: { driver: 'dynamodb' } }).appManager).toEqual({
      driver: 'dynamodb',
      options: { region: 'us-east-1', tableName: 'sockudo-applications' },
      address: 'DynamoDB table "sockudo-applications" in us-east-1',
      secrets: [],
    });
    expect(
      planOf(
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
    const withApps = loadAndPlan({
      app_manager: { driver: 'mysql', array: { apps: [{ id: 'a', key: 'k', secret: 's' }] } },
    });
    expect(withApps.warnings).toContain(
      'app_manager.array.apps: not used with app_manager.driver mysql; apps come from the database (insert them there)',
    );
    const without = loadAndPlan({ app_manager: { driver: 'pgsql' } });
    expect(without.warnings.join('\n')).not.toMatch(/app_manager\.array\.apps|default credentials/);
  });

  it('maps app_manager.cache to the app cache, channel_limits.cache_ttl to the cache channel TTL', () => {
    expect(toServerOptions(loadAndPlan({}).config)).toMatchObject({ appCache: { ttlSeconds: 300 } });
    expect(toServerOptions(loadAndPlan({}).config).channelCacheTtl).toBeUndefined();
    const { config } = loadAndPlan({
      app_manager: { cache: { enabled: false } },
      channel_limits: { cache_ttl: 60 },
    });
    expect(toServerOptions(config)).toMatchObject({ appCache: false, channelCacheTtl: 60 });
    expect(toServerOptions(loadAndPlan({ app_manager: { cache: { ttl: 30 } } }).config)).toMatchObject({
      appCache: { ttlSeconds: 30 },
    });
    // CACHE_TTL_SECONDS sets the app cache's TTL, and not the cache channels' (Rust Sockudo's Pusher
    // path never reads the channel_limits.cache_ttl it also writes).
    const fromEnv = toServerOptions(loadAndPlan({}, { CACHE_TTL_SECONDS: '42' }).config);
    expect(fromEnv).toMatchObject({ appCache: { ttlSeconds: 42 } });
    expect(fromEnv.channelCacheTtl).toBeUndefined();
  });

  it('maps the cors section onto the cors option of createServer', () => {
    expect(toServerOptions(loadAndPlan({}).config).cors).toEqual({
      origin: ['*'],
      credentials: true,
      methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
      allowedHeaders: ['Authorization', 'Content-Type', 'X-Requested-With', 'Accept', 'X-Idempotency-Key'],
    });
    const { config } = loadAndPlan({
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
    expect(planOf({ cache: { driver: 'none' } }).cache).toEqual({ driver: 'none' });
    expect(planOf({ cache: { driver: 'redis' } }).cache).toEqual({
      driver: 'redis',
      options: { url: 'redis://127.0.0.1:6379/0', prefix: 'sockudo_cache:' },
      address: 'redis://127.0.0.1:6379/0',
      secrets: [],
    });
    expect(planOf({}, { CACHE_DRIVER: 'redis', REDIS_URL: 'redis://env:6379' }).cache).toMatchObject({
      options: { url: 'redis://env:6379' },
    });
    expect(
      planOf(
        { cache: { driver: 'redis', redis: { url_override: 'redis://cache:6379', prefix: 'c:' } } },
        { REDIS_URL: 'redis://env:6379' },
      ).cache,
    ).toMatchObject({ options: { url: 'redis://cache:6379', prefix: 'c:' } });
    expect(
      planOf({
        cache: { driver: 'redis-cluster' },
        database: { redis: { cluster: { nodes: ['127.0.0.1:7000'] } } },
      }).cache,
    ).toMatchObject({
      driver: 'redis-cluster',
      options: { nodes: ['127.0.0.1:7000'], prefix: 'sockudo_cache:' },
    });
    expect(
      planOf({ cache: { driver: 'redis', redis: { cluster_mode: true } } }, { REDIS_CLUSTER_NODES: 'h:7000' })
        .cache,
    ).toMatchObject({ options: { nodes: ['h:7000'] } });
  });

  it('queue: memory (alias sync), none, redis (concurrency, prefix), redis-cluster (its own nodes and prefix)', () => {
    expect(planOf({ queue: { driver: 'sync' } }).queue).toEqual({ driver: 'memory' });
    expect(planOf({}, { QUEUE_DRIVER: 'none' }).queue).toEqual({ driver: 'none' });
    expect(planOf({ queue: { driver: 'redis' } }, { QUEUE_REDIS_CONCURRENCY: '9' }).queue).toEqual({
      driver: 'redis',
      options: { url: 'redis://127.0.0.1:6379/0', prefix: 'sockudo_queue:', concurrency: 9 },
      address: 'redis://127.0.0.1:6379/0',
      secrets: [],
    });
    expect(
      planOf({
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
    expect(planOf({ rate_limiter: { enabled: false, driver: 'redis' } }).rateLimiter).toEqual({
      driver: 'memory',
    });
    expect(planOf({ rate_limiter: { driver: 'redis' } }).rateLimiter).toEqual({
      driver: 'redis',
      options: { url: 'redis://127.0.0.1:6379/0', prefix: 'sockudo_rl:' },
      address: 'redis://127.0.0.1:6379/0',
      secrets: [],
    });
    expect(
      planOf(
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
