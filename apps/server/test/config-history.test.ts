// The `history` and `connection_recovery` sections: Rust Sockudo's names, defaults and variables, the
// backend's plan (connections from database.*), and how they reach createServer.

import { describe, expect, it } from 'vitest';
import { toServerOptions } from '../src/index.js';
import { loadAndPlan, messages, planOf, withFile } from './config-helpers.js';

describe('the history and connection_recovery sections', () => {
  it('default as Rust Sockudo (but the memory backend) and map onto createServer', () => {
    const { config, plan, warnings } = loadAndPlan({});
    expect(config.history).toMatchObject({
      enabled: false,
      backend: 'memory',
      retention_window_seconds: 86400,
      max_page_size: 100,
    });
    expect(config.connection_recovery).toEqual({
      enabled: false,
      buffer_ttl_seconds: 120,
      max_buffer_size: 100,
    });
    expect(plan.history).toEqual({ driver: 'memory' });
    const options = toServerOptions(config);
    expect(options.historySettings).toMatchObject({
      enabled: false,
      retentionWindowSeconds: 86400,
      maxPageSize: 100,
    });
    expect(options.connectionRecovery).toEqual({ enabled: false, bufferTtlSeconds: 120, maxBufferSize: 100 });
    expect(warnings.join('\n')).not.toMatch(/history|connection_recovery/);
  });

  it('read the HISTORY_* and CONNECTION_RECOVERY_* variables', () => {
    const { config } = loadAndPlan(
      {},
      {
        HISTORY_ENABLED: 'true',
        HISTORY_BACKEND: 'redis',
        HISTORY_RETENTION_WINDOW_SECONDS: '60',
        HISTORY_MAX_PAGE_SIZE: '500',
        HISTORY_MAX_MESSAGES_PER_CHANNEL: '10000',
        HISTORY_POSTGRES_TABLE_PREFIX: 'hist',
        CONNECTION_RECOVERY_ENABLED: '1',
        CONNECTION_RECOVERY_BUFFER_TTL: '30',
        CONNECTION_RECOVERY_MAX_BUFFER_SIZE: '1000',
      },
    );
    expect(toServerOptions(config).historySettings).toEqual({
      enabled: true,
      rewindEnabled: true,
      retentionWindowSeconds: 60,
      maxPageSize: 500,
      maxMessagesPerChannel: 10000,
      maxBytesPerChannel: undefined,
    });
    expect(toServerOptions(config).connectionRecovery).toEqual({
      enabled: true,
      bufferTtlSeconds: 30,
      maxBufferSize: 1000,
    });
    expect(config.history.postgres.table_prefix).toBe('hist');
  });

  it('plan the redis backend on database.redis, its own URL, or the shared cluster', () => {
    expect(
      planOf({ history: { enabled: true, backend: 'redis' }, database: { redis: { port: 6380 } } }).history,
    ).toEqual({
      driver: 'redis',
      options: {
        url: 'redis://127.0.0.1:6380/0',
        prefix: 'sockudo_history:',
        retention: { retentionWindowSeconds: 86400 },
      },
      address: 'redis://127.0.0.1:6380/0',
      secrets: [],
    });
    const own = planOf({
      connection_recovery: { enabled: true },
      history: { backend: 'redis', redis: { url_override: 'redis://:pw@10.0.0.2:6379/3', prefix: 'h:' } },
    }).history;
    expect(own).toMatchObject({
      driver: 'redis',
      options: { url: 'redis://:pw@10.0.0.2:6379/3', prefix: 'h:' },
      secrets: ['pw'],
    });
    const cluster = planOf({
      history: { enabled: true, backend: 'redis_cluster' },
      database: { redis: { cluster: { nodes: ['127.0.0.1:7000'] } } },
    }).history;
    expect(cluster).toMatchObject({ driver: 'redis-cluster', options: { nodes: ['127.0.0.1:7000'] } });
  });

  it('plan the postgres and mysql backends on Rust Sockudo’s tables in database.*', () => {
    const pg = planOf({
      history: {
        enabled: true,
        backend: 'pgsql',
        retention_window_seconds: 600,
        postgres: { table_prefix: 'h' },
      },
      database: { postgres: { host: 'db', database: 'app', password: 'secret' } },
    }).history;
    expect(pg).toEqual({
      driver: 'postgres',
      options: {
        host: 'db',
        port: 5432,
        user: 'postgres',
        password: 'secret',
        database: 'app',
        pool: { min: 0, max: 10 },
        tablePrefix: 'h',
        queryTimeoutMs: 5000,
        retention: { retentionWindowSeconds: 600 },
      },
      address: 'PostgreSQL database "app" at db:5432',
      secrets: ['secret'],
    });
    expect(planOf({ history: { enabled: true, backend: 'mysql' } }).history).toMatchObject({
      driver: 'mysql',
      options: { port: 3306, user: 'root', tablePrefix: 'sockudo_history' },
    });
  });

  it('refuse a backend not available yet only when it would be used', () => {
    expect(messages(withFile({ history: { enabled: true, backend: 'dynamodb' } }))).toEqual([
      expect.stringContaining('history.backend'),
    ]);
    // Off, a Rust Sockudo config naming a later backend still loads.
    expect(planOf({ history: { enabled: false, backend: 'dynamodb' } }).history).toEqual({
      driver: 'memory',
    });
    expect(messages(withFile({ history: { enabled: true, backend: 'redis-cluster' } }))).toEqual([
      expect.stringContaining('needs seed nodes'),
    ]);
  });
});
