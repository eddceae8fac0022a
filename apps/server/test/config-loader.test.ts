// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these tests are about ${VAR} text in config files
import { ConfigError } from '@sockudo/core';
import { describe, expect, it } from 'vitest';
import { type ConfigCheck, ConfigValidationError, checkConfig, loadConfig } from '../src/index.js';
import { tempDir } from './helpers.js';

/** Messages of every error, for readable assertions. */
function messages(result: ConfigCheck): string[] {
  return result.errors.map((error) => error.message);
}

/** Loads with `config` as config/config.json of a fresh directory and no other environment. */
function withFile(config: unknown, env: Record<string, string> = {}, flags = {}): ConfigCheck {
  const cwd = tempDir({ 'config/config.json': typeof config === 'string' ? config : JSON.stringify(config) });
  return checkConfig({ cwd, env, flags });
}

describe('loadConfig: defaults', () => {
  it('serves one default app on 0.0.0.0:6001 and warns about its credentials', () => {
    const { config, warnings, file } = loadConfig({ cwd: tempDir(), env: {} });
    expect(file).toBeUndefined();
    expect(config.host).toBe('0.0.0.0');
    expect(config.port).toBe(6001);
    expect(config.adapter.driver).toBe('local');
    expect(config.app_manager.driver).toBe('memory');
    expect(config.app_manager.array.apps).toHaveLength(1);
    expect(config.app_manager.array.apps[0]).toMatchObject({
      id: 'app-id',
      key: 'app-key',
      secret: 'app-secret',
    });
    expect(warnings.some((w) => w.includes('default credentials in use'))).toBe(true);
    // Secrets never end up in warnings.
    expect(warnings.join('\n')).not.toContain('app-secret');
  });

  it('fills in Rust Sockudo defaults for the rest', () => {
    const { config } = loadConfig({ cwd: tempDir(), env: {} });
    expect(config).toMatchObject({
      activity_timeout: 120,
      user_authentication_timeout: 3600,
      websocket_max_payload_kb: 64,
      max_connections: 0,
      shutdown_grace_period: 10,
      health_check_timeout_ms: 2000,
      path_prefix: '/',
      http_api: { request_limit_in_mb: 10, usage_enabled: true },
      metrics: { enabled: true, port: 9601, prometheus: { prefix: 'sockudo_' } },
      webhooks: { batching: { enabled: true, duration: 50, size: 100 } },
      logging: { output_format: 'text' },
    });
  });
});

describe('loadConfig: precedence defaults < file < env < flags', () => {
  const file = { host: '127.0.0.1', port: 7000, debug: false, activity_timeout: 30 };

  it('takes the file over the defaults', () => {
    const result = withFile(file);
    expect(result.config).toMatchObject({ host: '127.0.0.1', port: 7000, activity_timeout: 30 });
    expect(result.file).toBe('config/config.json');
  });

  it('takes the environment over the file', () => {
    const result = withFile(file, { PORT: '7100', HOST: '::1', ACTIVITY_TIMEOUT: '45' });
    expect(result.config).toMatchObject({ host: '::1', port: 7100, activity_timeout: 45 });
  });

  it('takes flags over the environment', () => {
    const result = withFile(
      file,
      { PORT: '7100', HOST: '::1' },
      { port: '7200', host: 'localhost', debug: true },
    );
    expect(result.config).toMatchObject({ host: 'localhost', port: 7200, debug: true });
  });

  it('reads the file named by -c instead of config/config.json', () => {
    const cwd = tempDir({ 'config/config.json': { port: 7000 }, 'other.json': { port: 7300 } });
    expect(loadConfig({ cwd, env: {}, file: 'other.json' }).config.port).toBe(7300);
  });

  it('deep-merges sections: a file setting one key keeps the defaults of its siblings', () => {
    const result = withFile({ metrics: { port: 9999 } });
    expect(result.config?.metrics).toMatchObject({ port: 9999, host: '0.0.0.0', enabled: true });
  });
});

describe('loadConfig: environment variables', () => {
  it('coerces numbers and booleans (true/false/1/0/yes/no/on/off)', () => {
    const { config } = loadConfig({
      cwd: tempDir(),
      env: {
        SOCKUDO_MAX_CONNECTIONS: '500',
        SHUTDOWN_GRACE_PERIOD: '3',
        METRICS_ENABLED: '0',
        HTTP_API_USAGE_ENABLED: 'off',
        SSL_REDIRECT_HTTP: 'yes',
        WEBHOOK_BATCHING_ENABLED: 'FALSE',
        DEBUG_MODE: '1',
      },
    });
    expect(config.max_connections).toBe(500);
    expect(config.shutdown_grace_period).toBe(3);
    expect(config.metrics.enabled).toBe(false);
    expect(config.http_api.usage_enabled).toBe(false);
    expect(config.ssl.redirect_http).toBe(true);
    expect(config.webhooks.batching.enabled).toBe(false);
    expect(config.debug).toBe(true);
  });

  it('parses lists as comma-separated or JSON arrays', () => {
    const { config } = loadConfig({
      cwd: tempDir(),
      env: {
        CORS_ORIGINS: 'https://a.test, https://b.test',
        NATS_SERVERS: '["nats://n1:4222","nats://n2:4222"]',
      },
    });
    expect(config.cors.origin).toEqual(['https://a.test', 'https://b.test']);
    expect(config.adapter.nats.servers).toEqual(['nats://n1:4222', 'nats://n2:4222']);
  });

  it('ignores empty variables (PORT= in a compose file)', () => {
    expect(loadConfig({ cwd: tempDir(), env: { PORT: '' } }).config.port).toBe(6001);
  });

  it('lets DEBUG win over DEBUG_MODE, and ignores DEBUG values meant for the debug package', () => {
    expect(loadConfig({ cwd: tempDir(), env: { DEBUG: 'true', DEBUG_MODE: 'false' } }).config.debug).toBe(
      true,
    );
    const result = checkConfig({ cwd: tempDir(), env: { DEBUG: 'express:*' } });
    expect(result.errors).toEqual([]);
    expect(result.config?.debug).toBe(false);
    expect(result.warnings.some((w) => w.startsWith('DEBUG (env)'))).toBe(true);
  });

  it('names the variable in each error', () => {
    const result = checkConfig({
      cwd: tempDir(),
      env: { PORT: 'abc', METRICS_ENABLED: 'maybe', QUEUE_DRIVER: 'sqs', LOG_OUTPUT_FORMAT: 'xml' },
    });
    expect(messages(result)).toEqual([
      'PORT (env): expected an integer 0–65535, got "abc"',
      'QUEUE_DRIVER (env): driver "sqs" is not available yet in this release; expected one of memory, sync, none, redis, redis-cluster, redis_cluster',
      'METRICS_ENABLED (env): expected true or false, got "maybe"',
      'LOG_OUTPUT_FORMAT (env): expected one of text, json, got "xml"',
    ]);
  });

  it('sets the adapter Redis URL and the shared database.redis URL from REDIS_URL', () => {
    const { config } = loadConfig({ cwd: tempDir(), env: { REDIS_URL: 'redis://cache:6379' } });
    expect(config.adapter.redis.redis_pub_options).toEqual({ url: 'redis://cache:6379' });
    expect(config.adapter.redis.redis_sub_options).toEqual({ url: 'redis://cache:6379' });
    expect(config.database.redis.url).toBe('redis://cache:6379');
    expect(messages(checkConfig({ cwd: tempDir(), env: { REDIS_URL: 'cache:6379' } }))).toEqual([
      'REDIS_URL (env): expected a redis:// URL (or rediss://), got "cache:6379"',
    ]);
  });

  it('lower-cases driver names, as Rust Sockudo does', () => {
    expect(loadConfig({ cwd: tempDir(), env: { ADAPTER_DRIVER: 'LOCAL' } }).config.adapter.driver).toBe(
      'local',
    );
  });
});

describe('loadConfig: SOCKUDO_DEFAULT_APP_*', () => {
  const credentials = {
    SOCKUDO_DEFAULT_APP_ID: 'prod',
    SOCKUDO_DEFAULT_APP_KEY: 'prod-key',
    SOCKUDO_DEFAULT_APP_SECRET: 'prod-secret',
  };

  it('replaces the inline apps with one app, and stops warning about default credentials', () => {
    const result = withFile(
      { app_manager: { array: { apps: [{ id: 'a', key: 'b', secret: 'c' }] } } },
      credentials,
    );
    expect(result.config?.app_manager.array.apps).toHaveLength(1);
    expect(result.config?.app_manager.array.apps[0]).toMatchObject({
      id: 'prod',
      key: 'prod-key',
      secret: 'prod-secret',
    });
    expect(result.warnings.some((w) => w.includes('default credentials'))).toBe(false);
  });

  it("maps the MAX_* family and feature flags, leaving unset limits at Pusher's defaults", () => {
    const { config } = loadConfig({
      cwd: tempDir(),
      env: {
        ...credentials,
        SOCKUDO_DEFAULT_APP_MAX_CONNECTIONS: '250',
        SOCKUDO_DEFAULT_APP_MAX_CLIENT_EVENTS_PER_SECOND: '20',
        SOCKUDO_DEFAULT_APP_MAX_EVENT_PAYLOAD_IN_KB: '50',
        SOCKUDO_ENABLE_CLIENT_MESSAGES: 'true',
        SOCKUDO_DEFAULT_APP_ENABLE_USER_AUTHENTICATION: '1',
        SOCKUDO_DEFAULT_APP_ALLOWED_ORIGINS: 'https://a.test,https://b.test',
      },
    });
    expect(config.app_manager.array.apps[0]).toMatchObject({
      maxConnections: 250,
      maxClientEventsPerSecond: 20,
      maxEventPayloadInKb: 50,
      enableClientMessages: true,
      enableUserAuthentication: true,
      allowedOrigins: ['https://a.test', 'https://b.test'],
      // Pusher's defaults, not Rust Sockudo's 100s:
      maxPresenceMembersPerChannel: 100,
      maxPresenceMemberSizeInKb: 1,
      maxEventBatchSize: 10,
      maxChannelNameLength: 164,
    });
  });

  it('prefers SOCKUDO_DEFAULT_APP_ENABLE_CLIENT_MESSAGES over SOCKUDO_ENABLE_CLIENT_MESSAGES', () => {
    const { config } = loadConfig({
      cwd: tempDir(),
      env: {
        ...credentials,
        SOCKUDO_DEFAULT_APP_ENABLE_CLIENT_MESSAGES: 'false',
        SOCKUDO_ENABLE_CLIENT_MESSAGES: 'true',
      },
    });
    expect(config.app_manager.array.apps[0]?.enableClientMessages).toBe(false);
  });

  it('names the variable of a bad limit', () => {
    const result = checkConfig({
      cwd: tempDir(),
      env: { ...credentials, SOCKUDO_DEFAULT_APP_MAX_CONNECTIONS: 'lots' },
    });
    expect(messages(result)).toEqual([
      'SOCKUDO_DEFAULT_APP_MAX_CONNECTIONS (env): expected a non-negative integer, got "lots"',
    ]);
  });

  it('rejects an incomplete set of credentials', () => {
    const result = checkConfig({ cwd: tempDir(), env: { SOCKUDO_DEFAULT_APP_ID: 'x' } });
    expect(result.errors.map((e) => e.key)).toEqual([
      'SOCKUDO_DEFAULT_APP_KEY',
      'SOCKUDO_DEFAULT_APP_SECRET',
    ]);
  });

  it('registers no app with SOCKUDO_DEFAULT_APP_ENABLED=false, and drops inline apps with SOCKUDO_SKIP_INLINE_APPS', () => {
    const disabled = loadConfig({
      cwd: tempDir(),
      env: { ...credentials, SOCKUDO_DEFAULT_APP_ENABLED: 'false' },
    });
    expect(disabled.config.app_manager.array.apps).toEqual([]);
    expect(disabled.warnings.some((w) => w.includes('no apps configured'))).toBe(true);
    const skipped = withFile(
      { app_manager: { array: { apps: [{ id: 'a', key: 'b', secret: 'c' }] } } },
      { SOCKUDO_SKIP_INLINE_APPS: 'true' },
    );
    expect(skipped.config?.app_manager.array.apps).toEqual([]);
  });
});

describe('loadConfig: apps in both Rust Sockudo forms', () => {
  it('accepts the flat snake_case form and the nested policy form', () => {
    const result = withFile({
      app_manager: {
        driver: 'array',
        array: {
          apps: [
            {
              id: 'flat',
              key: 'flat-key',
              secret: 'flat-secret',
              max_connections: 10,
              enable_client_messages: true,
            },
            {
              id: 'nested',
              key: 'nested-key',
              secret: 'nested-secret',
              policy: {
                limits: { max_connections: 20, max_client_events_per_second: 5 },
                features: { enable_client_messages: true, enable_user_authentication: true },
                channels: { allowed_origins: ['https://app.test'] },
                webhooks: [{ url: 'https://hooks.test/pusher', event_types: ['channel_occupied'] }],
              },
            },
          ],
        },
      },
    });
    expect(result.errors).toEqual([]);
    const [flat, nested] = result.config!.app_manager.array.apps;
    expect(flat).toMatchObject({ id: 'flat', maxConnections: 10, enableClientMessages: true });
    expect(nested).toMatchObject({
      id: 'nested',
      maxConnections: 20,
      maxClientEventsPerSecond: 5,
      enableUserAuthentication: true,
      allowedOrigins: ['https://app.test'],
      webhooks: [{ url: 'https://hooks.test/pusher', eventTypes: ['channel_occupied'] }],
    });
  });

  it('reports every bad key of every app, with its full path', () => {
    const result = withFile({
      app_manager: {
        array: {
          apps: [
            {
              id: 'a',
              key: 'k',
              secret: 's',
              max_connections: 'many',
              policy: { limits: { max_client_events_per_second: -1 } },
            },
            { id: '', key: 'k2' },
            'not an app',
            { id: 'd', key: 'k3', secret: 's', webhooks: [{ url: 'not a url' }] },
          ],
        },
      },
    });
    expect(messages(result)).toEqual([
      'app_manager.array.apps[0].max_connections: expected a non-negative number, got "many"',
      'app_manager.array.apps[0].policy.limits.max_client_events_per_second: expected a non-negative number, got -1',
      'app_manager.array.apps[1].id: expected a non-empty string',
      'app_manager.array.apps[1].secret: expected a non-empty string',
      'app_manager.array.apps[2]: expected an app object with id, key and secret',
      'app_manager.array.apps[3].webhooks[0].url: expected an absolute URL, got "not a url"',
    ]);
  });

  it('rejects duplicate ids and keys', () => {
    const result = withFile({
      app_manager: {
        array: {
          apps: [
            { id: 'one', key: 'key-1', secret: 's' },
            { id: 'one', key: 'key-2', secret: 's' },
            { id: 'three', key: 'key-1', secret: 's' },
          ],
        },
      },
    });
    expect(messages(result)).toEqual([
      'app_manager.array.apps[1].id: duplicate app id "one" (also app_manager.array.apps[0])',
      'app_manager.array.apps[2].key: duplicate app key "key-1" (also app_manager.array.apps[0])',
    ]);
  });

  it('warns about app keys this release does not use', () => {
    const result = withFile({
      app_manager: { array: { apps: [{ id: 'a', key: 'b', secret: 'c', channel_delta_compression: {} }] } },
    });
    expect(result.warnings).toContain(
      'app_manager.array.apps[0]: ignoring keys this release does not use: channel_delta_compression',
    );
  });
});

describe('loadConfig: every error names its key', () => {
  it('collects every error of the file in one pass', () => {
    const result = withFile({
      port: 'abc',
      host: '',
      activity_timeout: 0,
      debug: 'sometimes',
      adapter: { driver: 'kafka', redis_settings: { dsn: 'http://127.0.0.1:6379' } },
      app_manager: { driver: 'mongodb' },
      database: { mysql: { port: 'db' }, redis: { cluster: { nodes: ['127.0.0.1:7000', 'redis://'] } } },
      cache: { driver: 'memcached' },
      queue: { driver: 'sqs' },
      rate_limiter: { driver: 'redis-cluster' },
      cors: { origin: '*' },
      ssl: 'on',
      logging: { output_format: 'xml' },
    });
    expect(messages(result)).toEqual([
      'host: expected a non-empty string, got ""',
      'port: expected an integer 0–65535, got "abc"',
      'debug: expected true or false, got "sometimes"',
      'activity_timeout: expected a positive integer, got 0',
      'adapter.driver: unknown driver "kafka"; expected one of local, redis, redis-cluster, redis_cluster, nats, or a driver package name (an npm name with a scope or a hyphen, e.g. "sockudo-<role>-kafka")',
      'adapter.redis_settings.dsn: expected a redis:// URL (or rediss://), got "http://127.0.0.1:6379"',
      'app_manager.driver: unknown driver "mongodb"; expected one of memory, array, mysql, pgsql, postgres, postgresql, dynamodb, or a driver package name (an npm name with a scope or a hyphen, e.g. "sockudo-<role>-mongodb")',
      'database.mysql.port: expected an integer 0–65535, got "db"',
      'database.redis.cluster.nodes[1]: expected "host:port", a redis:// URL or {"host","port"}, got "redis://"',
      'cache.driver: unknown driver "memcached"; expected one of memory, none, redis, redis-cluster, redis_cluster, or a driver package name (an npm name with a scope or a hyphen, e.g. "sockudo-<role>-memcached")',
      'queue.driver: driver "sqs" is not available yet in this release; expected one of memory, sync, none, redis, redis-cluster, redis_cluster',
      'ssl: expected an object, got "on"',
      'cors.origin: expected an array of strings, got "*"',
      'logging.output_format: expected one of text, json, got "xml"',
    ]);
    expect(result.config).toBeUndefined();
  });

  it('accepts every built-in adapter, and names the keys a driver is missing', () => {
    for (const driver of ['redis', 'redis-cluster', 'redis_cluster', 'nats']) {
      const result = withFile({ adapter: { driver, cluster: { nodes: ['127.0.0.1:7000'] } } });
      expect(messages(result), driver).toEqual([]);
    }
    expect(messages(withFile({ adapter: { driver: 'redis_cluster' } }))).toEqual([
      'adapter.cluster.nodes: the redis-cluster adapter needs seed nodes; set adapter.cluster.nodes (REDIS_CLUSTER_NODES), adapter.redis_cluster_settings.dsns or database.redis.cluster.nodes',
    ]);
    expect(messages(withFile({ cache: { driver: 'redis-cluster' } }))).toEqual([
      'cache.driver: the Redis Cluster driver needs seed nodes; set database.redis.cluster.nodes (DATABASE_REDIS_CLUSTER_NODES) or adapter.cluster.nodes (REDIS_CLUSTER_NODES)',
    ]);
    expect(
      messages(withFile({ adapter: { driver: 'nats', nats_settings: { subject_prefix: 'a.*' } } })),
    ).toEqual([
      'adapter.nats_settings.subject_prefix: "a.*" is not a NATS subject prefix (dot-separated tokens, no *, > or whitespace)',
    ]);
  });

  it('checks the cluster health timings against each other, as Rust Sockudo does', () => {
    expect(
      messages(
        withFile({
          adapter: { cluster_health: { heartbeat_interval_ms: 20000, cleanup_interval_ms: 40000 } },
        }),
      ),
    ).toEqual([
      'adapter.cluster_health.heartbeat_interval_ms: must be at most a third of adapter.cluster_health.node_timeout_ms (30000), got 20000',
      'adapter.cluster_health.cleanup_interval_ms: must be at most adapter.cluster_health.node_timeout_ms (30000), got 40000',
    ]);
    expect(messages(checkConfig({ cwd: tempDir(), env: { CLUSTER_HEALTH_NODE_TIMEOUT: 'soon' } }))).toEqual([
      'CLUSTER_HEALTH_NODE_TIMEOUT (env): expected a positive integer, got "soon"',
    ]);
  });

  it('accepts driver package names without loading them (sockudo start imports them)', () => {
    const result = withFile({
      adapter: { driver: 'sockudo-adapter-kafka', options: { brokers: ['127.0.0.1:9092'] } },
      app_manager: { driver: '@acme/sockudo-app-manager-mongo' },
    });
    expect(messages(result)).toEqual([]);
    expect(result.config?.adapter.options).toEqual({ brokers: ['127.0.0.1:9092'] });
    expect(messages(withFile({ adapter: { driver: 'sockudo-adapter-kafka', options: 'x' } }))).toEqual([
      'adapter.options: expected an object, got "x"',
    ]);
  });

  it('accepts numbers and booleans given as strings (a quoted ${VAR} substitution)', () => {
    const result = withFile({ port: '7001', debug: 'true', ssl: { enabled: 'false' } });
    expect(result.config).toMatchObject({ port: 7001, debug: true, ssl: { enabled: false } });
  });

  it('treats null as unset', () => {
    const result = withFile({ port: null, adapter: { nats: { nodes_number: null } } });
    expect(result.config?.port).toBe(6001);
    expect(result.config?.adapter.nats.nodes_number).toBeUndefined();
  });

  it('reports invalid JSON with the file, line and column', () => {
    const result = withFile('{\n  "port": 6001,\n  "host": \n}\n');
    expect(messages(result)).toEqual([
      "config/config.json: invalid JSON at line 4, column 1: expected a value, got '}'",
    ]);
  });

  it('reports trailing commas, empty files and non-object files', () => {
    expect(messages(withFile('{"port": 6001,}'))[0]).toMatch(
      /line 1, column 15: expected another property after ,/,
    );
    expect(messages(withFile(''))).toEqual(['config/config.json: the file is empty; expected a JSON object']);
    expect(messages(withFile('[1]'))).toEqual([
      'config/config.json: expected a JSON object at the top level',
    ]);
  });

  it('reports a missing -c file and rejects TOML', () => {
    const cwd = tempDir({ 'config.toml': 'port = 1' });
    expect(messages(checkConfig({ cwd, env: {}, file: 'missing.json' }))).toEqual([
      '--config: file not found: missing.json',
    ]);
    expect(messages(checkConfig({ cwd, env: {}, file: 'config.toml' }))[0]).toMatch(
      /TOML config files are not supported yet/,
    );
  });

  it('names the flag of a bad flag value', () => {
    expect(messages(checkConfig({ cwd: tempDir(), env: {}, flags: { port: '99999' } }))).toEqual([
      '--port: expected an integer 0–65535, got "99999"',
    ]);
  });

  it('requires certificate files when ssl.enabled is true', () => {
    const cwd = tempDir({
      'cert.pem': 'x',
      'config/config.json': { ssl: { enabled: true, cert_path: 'cert.pem', ca_path: 'ca.pem' } },
    });
    expect(messages(checkConfig({ cwd, env: {} }))).toEqual([
      'ssl.key_path: required when ssl.enabled is true',
      'ssl.ca_path: file not found: ca.pem',
    ]);
  });

  it('throws a ConfigValidationError (a core ConfigError) listing every error', () => {
    const cwd = tempDir({ 'config/config.json': { port: 'abc', adapter: { driver: 'kafka' } } });
    let thrown: unknown;
    try {
      loadConfig({ cwd, env: {} });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigValidationError);
    expect(ConfigError.isInstance(thrown)).toBe(true);
    const error = thrown as ConfigValidationError;
    expect(error.key).toBe('port');
    expect(error.errors).toHaveLength(2);
    expect(error.message).toContain('adapter.driver: unknown driver "kafka"');
  });
});

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

describe('loadConfig: unknown keys warn, never fail', () => {
  it('lists Rust Sockudo-only sections, passed-through settings and unknown keys', () => {
    const result = withFile({
      database: { mysql: {}, surrealdb: { url: 'ws://db' } },
      websocket: { max_messages: 10 },
      adapter: { driver: 'local', cluster_health: { enabled: true }, redis_settings: { dns: 'x' } },
      cors: { origins: ['*'] },
      cluster_health: { enabled: true },
      colour: 'blue',
    });
    expect(result.errors).toEqual([]);
    expect(result.warnings).toContain(
      'config/config.json: ignoring Rust Sockudo sections this release does not implement: websocket',
    );
    expect(result.warnings).toContain(
      'config/config.json: the top-level cluster_health section is not read (as in Rust Sockudo); set adapter.cluster_health instead',
    );
    expect(result.warnings).toContain(
      'config/config.json: passing through settings this release does not use: database.surrealdb',
    );
    expect(result.warnings).toContain(
      'config/config.json: ignoring unknown keys: adapter.redis_settings.dns, cors.origins, colour',
    );
    // Unknown top-level keys are dropped; open sections keep theirs for drivers.
    expect(result.config).not.toHaveProperty('colour');
    expect(result.config?.database.surrealdb).toEqual({ url: 'ws://db' });
  });

  it('warns when keys without effect in this release are set, and about path_prefix', () => {
    const result = withFile({
      path_prefix: '/ws',
      ssl: { redirect_http: true },
      cors: { credentials: false },
    });
    expect(result.warnings).toContain('path_prefix: "/ws" is ignored; only "/" is supported');
    const noEffect = result.warnings.filter((w) =>
      w.startsWith('accepted, but without effect in this release:'),
    );
    expect(noEffect.some((w) => w.includes('ssl.redirect_http'))).toBe(true);
    // cors.* is applied (core's HTTP API answers CORS), so it is not reported.
    expect(noEffect.some((w) => w.includes('cors.'))).toBe(false);
  });
});

describe('loadConfig: ${VAR} substitution in the file', () => {
  it('substitutes ${VAR} and ${VAR:-default}, typed by position', () => {
    const text =
      '{"port": ${SOCKUDO_TEST_PORT:-6100}, "host": "${SOCKUDO_TEST_HOST:-127.0.0.1}", "app_manager": {"array": {"apps": [{"id": "a", "key": "k", "secret": "${SOCKUDO_TEST_SECRET}"}]}}}';
    const unset = withFile(text, { SOCKUDO_TEST_SECRET: 'from-env' });
    expect(unset.config).toMatchObject({ port: 6100, host: '127.0.0.1' });
    expect(unset.config?.app_manager.array.apps[0]?.secret).toBe('from-env');
    const set = withFile(text, {
      SOCKUDO_TEST_PORT: '6200',
      SOCKUDO_TEST_HOST: '::',
      SOCKUDO_TEST_SECRET: 'x',
    });
    expect(set.config).toMatchObject({ port: 6200, host: '::' });
  });

  it('warns about an unset variable without a default and substitutes ""', () => {
    const result = withFile('{"mode": "${SOCKUDO_TEST_UNSET}"}', {});
    expect(result.config?.mode).toBe('');
    expect(result.warnings).toContain(
      'config/config.json: ${SOCKUDO_TEST_UNSET} is not set; substituted an empty string',
    );
  });

  it('escapes values inside JSON strings', () => {
    const result = withFile(
      '{"app_manager": {"array": {"apps": [{"id": "a", "key": "k", "secret": "${S}"}]}}}',
      {
        S: 'he said "hi" \\o/',
      },
    );
    expect(result.config?.app_manager.array.apps[0]?.secret).toBe('he said "hi" \\o/');
  });
});
