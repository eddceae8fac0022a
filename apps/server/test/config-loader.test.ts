// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these tests are about ${VAR} text in config files
// The loader: defaults, their precedence (defaults < file < env < flags), environment variables, unknown
// keys and ${VAR} substitution.

import { describe, expect, it } from 'vitest';
import { checkConfig, loadConfig } from '../src/index.js';
import { messages, withFile } from './config-helpers.js';
import { tempDir } from './helpers.js';

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
