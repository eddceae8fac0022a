// The adapter's plan for every config form: the short forms of our docs, Rust Sockudo's keys, the
// environment, and which form wins. No network: planDrivers only computes.

import { describe, expect, it } from 'vitest';
import { loadAndPlan, planOf } from './config-helpers.js';

describe('planDrivers: adapter, the three documented shapes', () => {
  it('redis_settings.dsn', () => {
    const { adapter } = planOf({
      adapter: { driver: 'redis', redis_settings: { dsn: 'redis://127.0.0.1:6379/0' } },
    });
    expect(adapter).toEqual({
      driver: 'redis',
      transport: 'redis',
      fallbackToLocal: true,
      options: { url: 'redis://127.0.0.1:6379/0', prefix: 'sockudo_adapter:', connectTimeoutMs: 5000 },
      horizontal: {
        requestTimeoutMs: 5000,
        heartbeatIntervalMs: 10000,
        nodeTimeoutMs: 30000,
        routing: 'interest',
        interestLingerMs: 2000,
        interestBatchMs: 0,
      },
      address: 'redis://127.0.0.1:6379/0',
      secrets: [],
    });
  });

  it('redis_cluster_settings.dsns', () => {
    const { adapter } = planOf({
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
      horizontal: {
        requestTimeoutMs: 1000,
        heartbeatIntervalMs: 10000,
        nodeTimeoutMs: 30000,
        routing: 'interest',
        interestLingerMs: 2000,
        interestBatchMs: 0,
      },
      address: 'Redis Cluster redis://127.0.0.1:7000, redis://127.0.0.1:7001',
      secrets: [],
    });
  });

  it('nats_settings.url and subject_prefix', () => {
    const { adapter } = planOf({
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
      horizontal: {
        requestTimeoutMs: 5000,
        heartbeatIntervalMs: 10000,
        nodeTimeoutMs: 30000,
        routing: 'interest',
        interestLingerMs: 2000,
        interestBatchMs: 0,
      },
      address: 'nats://127.0.0.1:4222',
      secrets: [],
    });
  });
});

describe("planDrivers: adapter, Rust Sockudo's keys", () => {
  it('adapter.redis: prefix, redis_pub_options.url, requests_timeout; fallback_to_local; instance.process_id', () => {
    const { adapter } = planOf({
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
    const { adapter } = planOf({
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
    const { adapter } = planOf({
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
    const { adapter } = planOf({
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
    expect(planOf({ adapter: { driver: 'nats' } }).adapter).toMatchObject({
      options: { servers: ['nats://localhost:4222'], prefix: 'sockudo_adapter:' },
    });
  });

  it('falls back to database.redis for the URL (host, port, db, username, password, encoded)', () => {
    const { adapter } = planOf({
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
      planOf({ adapter: { driver: 'redis' }, database: { redis: { password: 'only-pw' } } }).adapter,
    ).toMatchObject({ options: { url: 'redis://:only-pw@127.0.0.1:6379/0' } });
  });

  it('falls back to database.redis.cluster.nodes, then database.redis.cluster_nodes ({host, port}), with their credentials', () => {
    expect(
      planOf({
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
      planOf({
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
    expect(
      planOf({}, { ADAPTER_DRIVER: 'redis', REDIS_URL: 'redis://127.0.0.1:6379' }).adapter,
    ).toMatchObject({
      transport: 'redis',
      options: { url: 'redis://127.0.0.1:6379' },
    });
  });

  it('REDIS_CLUSTER_NODES, NATS_SERVERS, NATS_PREFIX, NATS_USERNAME, NATS_PASSWORD, NATS_TOKEN', () => {
    expect(
      planOf({}, { ADAPTER_DRIVER: 'redis_cluster', REDIS_CLUSTER_NODES: '127.0.0.1:7000, 127.0.0.1:7001' })
        .adapter,
    ).toMatchObject({ options: { nodes: ['127.0.0.1:7000', '127.0.0.1:7001'] } });
    expect(
      planOf(
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
    const { config, plan: planned } = loadAndPlan(
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
      planOf(
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
    expect(planOf({ adapter: dsn }, { REDIS_URL: 'redis://env:6379' }).adapter).toMatchObject({
      options: { url: 'redis://dsn:6379' },
    });
    const pub = { driver: 'redis', redis: { redis_pub_options: { url: 'redis://file:6379' } } };
    expect(planOf({ adapter: pub }).adapter).toMatchObject({ options: { url: 'redis://file:6379' } });
    expect(planOf({ adapter: pub }, { REDIS_URL: 'redis://env:6379' }).adapter).toMatchObject({
      options: { url: 'redis://env:6379' },
    });
    expect(
      planOf({ adapter: { driver: 'redis' }, database: { redis: { host: 'db' } } }).adapter,
    ).toMatchObject({
      options: { url: 'redis://db:6379/0' },
    });
  });

  it('redis_settings.prefix > adapter.redis.prefix; redis_cluster_settings > adapter.cluster; nats_settings > adapter.nats', () => {
    expect(
      planOf({
        adapter: { driver: 'redis', redis_settings: { prefix: 'short:' }, redis: { prefix: 'rust:' } },
      }).adapter,
    ).toMatchObject({ options: { prefix: 'short:' } });
    expect(
      planOf({
        adapter: { driver: 'redis', redis_settings: { dsn: 'redis://h:1' }, redis: { prefix: 'rust:' } },
      }).adapter,
    ).toMatchObject({ options: { url: 'redis://h:1', prefix: 'rust:' } });
    expect(
      planOf(
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
      planOf(
        {
          adapter: { driver: 'nats', nats_settings: { url: 'nats://short:4222' }, nats: { prefix: 'rust' } },
        },
        { NATS_SERVERS: 'nats://env:4222' },
      ).adapter,
    ).toMatchObject({ options: { servers: ['nats://short:4222'], prefix: 'rust' } });
  });
});
