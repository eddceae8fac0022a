// A config.json in Rust Sockudo's shipped shape loads unchanged.

import { describe, expect, it } from 'vitest';
import { messages, withFile } from './config-helpers.js';

describe('loadConfig: a Rust Sockudo config.json', () => {
  // The shape of Rust Sockudo's shipped config/config.json: every section, drivers for later releases.
  const rustStyle = {
    debug: false,
    host: '127.0.0.1',
    port: 6001,
    mode: 'production',
    path_prefix: '/',
    unix_socket: { enabled: false, path: '/tmp/s.sock', permission_mode: '660' },
    adapter: {
      driver: 'local',
      redis: {
        requests_timeout: 5000,
        prefix: 'a:',
        cluster_mode: false,
        redis_pub_options: {},
        redis_sub_options: {},
      },
      cluster: { nodes: [], prefix: 'c:', request_timeout_ms: 5000, use_connection_manager: true },
      nats: {
        servers: ['nats://nats:4222'],
        prefix: 'n:',
        request_timeout_ms: 5000,
        connection_timeout_ms: 5000,
      },
      cluster_health: { enabled: true, heartbeat_interval_ms: 10000 },
    },
    app_manager: {
      driver: 'memory',
      array: {
        apps: [
          { id: 'id-1', key: 'key-1', secret: 'secret-1', max_connections: 100, allowed_origins: ['*'] },
        ],
      },
      cache: { enabled: false, ttl: 300 },
    },
    cache: { driver: 'memory', redis: { prefix: 'c:' }, memory: { ttl: 300 } },
    database: { mysql: { host: 'mysql', password: 'pw' } },
    queue: { driver: 'memory', redis: { concurrency: 5 }, sqs: { region: 'us-east-1' } },
    rate_limiter: { enabled: false, driver: 'redis', api_rate_limit: { max_requests: 100 } },
    metrics: {
      enabled: false,
      driver: 'prometheus',
      host: '0.0.0.0',
      port: 9601,
      prometheus: { prefix: 'sockudo_' },
    },
    ssl: {
      enabled: false,
      cert_path: '/app/ssl/cert.pem',
      key_path: '/app/ssl/key.pem',
      redirect_http: false,
      http_port: 80,
    },
    cors: { credentials: true, origin: ['*'], methods: ['GET', 'POST'], allowed_headers: ['Authorization'] },
    channel_limits: { max_name_length: 200 },
    event_limits: { max_batch_size: 100 },
    presence: { max_members_per_channel: 100 },
    http_api: { request_limit_in_mb: 10, accept_traffic: { memory_threshold: 0.9 } },
    webhooks: { batching: { enabled: false, duration: 50 } },
    instance: { process_id: 'node-1' },
    logging: { colors_enabled: true, include_target: true },
    cleanup: { async_enabled: true },
  };

  it('loads with warnings only', () => {
    const result = withFile(rustStyle);
    expect(result.errors).toEqual([]);
    expect(result.config?.host).toBe('127.0.0.1');
    expect(result.config?.rate_limiter.driver).toBe('redis');
    expect(result.config?.instance.process_id).toBe('node-1');
    expect(result.config?.database.mysql).toMatchObject({ host: 'mysql', password: 'pw', port: 3306 });
    expect(result.warnings).toContain(
      'config/config.json: ignoring Rust Sockudo sections this release does not implement: unix_socket, event_limits, presence, cleanup',
    );
  });

  it('uses rate_limiter.driver only while rate_limiter.enabled is true', () => {
    expect(messages(withFile(rustStyle, { RATE_LIMITER_ENABLED: 'true' }))).toEqual([]);
    expect(
      messages(withFile({ rate_limiter: { enabled: false } }, { RATE_LIMITER_DRIVER: 'redis' })),
    ).toEqual([]);
    expect(messages(withFile({ rate_limiter: { enabled: false, driver: 'kafka' } }))[0]).toMatch(
      /unknown driver "kafka"/,
    );
  });
});
