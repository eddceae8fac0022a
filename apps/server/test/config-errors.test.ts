// Every configuration error names its key (or variable, or flag), all of them in one pass.

import { ConfigError } from '@sockudo/core';
import { describe, expect, it } from 'vitest';
import { ConfigValidationError, checkConfig, loadConfig } from '../src/index.js';
import { messages, withFile } from './config-helpers.js';
import { tempDir } from './helpers.js';

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
      'adapter.driver: unknown driver "kafka"; expected one of local, redis, redis-cluster, redis_cluster, nats, rabbitmq, or a driver package name (an npm name with a scope or a hyphen, e.g. "sockudo-<role>-kafka")',
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

  it('names a bad memory cache capacity (cache.memory.max_capacity, CACHE_MAX_CAPACITY)', () => {
    expect(messages(withFile({ cache: { memory: { max_capacity: 0 } } }))).toEqual([
      'cache.memory.max_capacity: expected a positive integer, got 0',
    ]);
    expect(messages(withFile({}, { CACHE_MAX_CAPACITY: 'lots' }))).toEqual([
      'CACHE_MAX_CAPACITY (env): expected a positive integer, got "lots"',
    ]);
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

  // biome-ignore lint/suspicious/noTemplateCurlyInString: the test is about ${VAR} text in a config file
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
