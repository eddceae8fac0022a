// The driver registry with fake driver packages: which packages a configuration loads (none for the
// local adapter and memory drivers), the fallback to the local adapter, start-up errors that name the
// driver and its address without a password, and cleanup of what was opened before a failure.

import type { AppManagerV1, CacheV1, Logger, TransportHandlers, TransportV1 } from '@sockudo/core';
import { describe, expect, it } from 'vitest';
import { createDrivers, type ModuleImporter } from '../src/drivers/driver-registry.js';
import { DriverStartupError, scrubSecrets } from '../src/drivers/driver-startup-error.js';
import { planOf } from './config-helpers.js';

/** An importer that serves `modules` and records every specifier asked for. */
function fakeImporter(modules: Record<string, Record<string, unknown>>) {
  const loaded: string[] = [];
  const importer: ModuleImporter = async (specifier) => {
    loaded.push(specifier);
    const module = modules[specifier];
    if (!module) throw new Error(`Cannot find package '${specifier}'`);
    return module;
  };
  return { importer, loaded };
}

function recordingLogger() {
  const lines: string[] = [];
  const logger: Logger = {
    debug: () => {},
    info: (message) => lines.push(`info ${message}`),
    warn: (message) => lines.push(`warn ${message}`),
    error: (message) => lines.push(`error ${message}`),
  };
  return { logger, lines };
}

/** A transport whose start() succeeds or fails, and that records whether it was closed. */
function fakeTransport(start: () => Promise<void>) {
  const state = {
    closed: false,
    handlers: undefined as TransportHandlers | undefined,
    options: undefined as unknown,
  };
  const transport: TransportV1 = {
    specVersion: 1,
    async start(handlers) {
      state.handlers = handlers;
      await start();
    },
    publishBroadcast: async () => {},
    publishRequest: async () => {},
    publishResponse: async () => {},
    checkHealth: async () => {},
    async close() {
      state.closed = true;
    },
  };
  return { transport, state };
}

describe('createDrivers: lazy loading', () => {
  it('loads no driver package for the local adapter and the memory drivers', async () => {
    const { importer, loaded } = fakeImporter({});
    const drivers = await createDrivers(planOf({}), { importer });
    expect(loaded).toEqual([]);
    expect(drivers.adapter).toBe('local');
    expect(Object.keys(drivers.serverOptions)).toEqual(['cache']);
  });

  it('gives the memory cache the capacity of cache.memory.max_capacity', async () => {
    const drivers = await createDrivers(planOf({ cache: { memory: { max_capacity: 2 } } }), {
      importer: fakeImporter({}).importer,
    });
    const cache = drivers.serverOptions.cache as CacheV1;
    for (const key of ['a', 'b', 'c']) await cache.set(key, key, 60);
    expect(await cache.get('a')).toBeUndefined();
    expect([await cache.get('b'), await cache.get('c')]).toEqual(['b', 'c']);
  });

  it('serves cache.driver none and queue.driver none without a package', async () => {
    const { importer, loaded } = fakeImporter({});
    const { logger, lines } = recordingLogger();
    const drivers = await createDrivers(planOf({ cache: { driver: 'none' }, queue: { driver: 'none' } }), {
      importer,
      logger,
    });
    expect(loaded).toEqual([]);
    const cache = drivers.serverOptions.cache as CacheV1;
    await cache.set('k', 'v');
    expect(await cache.get('k')).toBeUndefined();
    await expect(drivers.serverOptions.queue?.push('webhooks', {})).resolves.toBeUndefined();
    expect(lines).toContain('warn queue.driver is none: webhooks are not sent');
  });

  it('loads only the package of each configured driver, with the planned options', async () => {
    const calls: Array<[string, unknown]> = [];
    const fake = (name: string) => (options: unknown) => {
      calls.push([name, options]);
      return { specVersion: 1, checkHealth: async () => {}, close: async () => {} };
    };
    const { transport } = fakeTransport(async () => {});
    const { importer, loaded } = fakeImporter({
      '@sockudo/adapter-nats': {
        createNatsTransport: (options: unknown) => {
          calls.push(['nats', options]);
          return transport;
        },
      },
      '@sockudo/cache-redis': { createRedisCache: fake('cache') },
    });
    const drivers = await createDrivers(
      planOf({
        adapter: {
          driver: 'nats',
          nats_settings: { url: 'nats://127.0.0.1:4222', subject_prefix: 'sockudo_events' },
        },
        cache: { driver: 'redis' },
      }),
      { importer },
    );
    expect(loaded).toEqual(['@sockudo/cache-redis', '@sockudo/adapter-nats']);
    expect(drivers.adapter).toBe('nats');
    expect(drivers.serverOptions.horizontal).toEqual({
      requestTimeoutMs: 5000,
      heartbeatIntervalMs: 10000,
      nodeTimeoutMs: 30000,
      routing: 'interest',
      interestLingerMs: 2000,
      interestBatchMs: 0,
    });
    expect(calls.map(([name]) => name)).toEqual(['cache', 'nats']);
    expect(calls[1]?.[1]).toMatchObject({ servers: ['nats://127.0.0.1:4222'], prefix: 'sockudo_events' });
  });
});

describe('createDrivers: the adapter transport', () => {
  const redisShape = {
    adapter: { driver: 'redis', redis_settings: { dsn: 'redis://:hunter2-secret@127.0.0.1:1/0' } },
  };

  it('starts the transport before the server, and hands the server its messages afterwards', async () => {
    const { transport, state } = fakeTransport(async () => {});
    const { importer } = fakeImporter({
      '@sockudo/adapter-redis': { createRedisTransport: () => transport },
    });
    const drivers = await createDrivers(planOf(redisShape), { importer });
    expect(drivers.adapter).toBe('redis');
    expect(state.handlers).toBeDefined();
    const received: unknown[] = [];
    state.handlers?.onBroadcast('dropped: the server is not listening yet');
    await drivers.serverOptions.transport?.start({
      onBroadcast: (payload) => received.push(payload),
      onRequest: () => {},
      onResponse: () => {},
    });
    state.handlers?.onBroadcast('hello');
    expect(received).toEqual(['hello']);
    await drivers.close();
    expect(state.closed).toBe(true);
  });

  it('falls back to the local adapter with a warning when the transport cannot connect', async () => {
    const { transport, state } = fakeTransport(async () => {
      throw new Error('connect ECONNREFUSED 127.0.0.1:1 (redis://:hunter2-secret@127.0.0.1:1/0)');
    });
    const { importer } = fakeImporter({
      '@sockudo/adapter-redis': { createRedisTransport: () => transport },
    });
    const { logger, lines } = recordingLogger();
    const drivers = await createDrivers(planOf(redisShape), { importer, logger });
    expect(drivers.adapter).toBe('local');
    expect(drivers.serverOptions.transport).toBeUndefined();
    expect(state.closed).toBe(true);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^warn adapter\.driver redis: cannot connect to redis:\/\/127\.0\.0\.1:1\/0: connect ECONNREFUSED .*; running on the local adapter \(this node alone\) because adapter\.fallback_to_local is true$/,
    );
    expect(lines[0]).not.toContain('hunter2-secret');
  });

  it('fails with fallback_to_local false, naming the key, driver and address, never the password', async () => {
    const { transport } = fakeTransport(async () => {
      throw new Error('NOAUTH for hunter2-secret');
    });
    const { importer } = fakeImporter({
      '@sockudo/adapter-redis': { createRedisTransport: () => transport },
    });
    const plan = planOf({ adapter: { ...redisShape.adapter, fallback_to_local: false } });
    const error = await createDrivers(plan, { importer }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DriverStartupError);
    expect((error as Error).message).toBe(
      'adapter.driver redis: cannot connect to redis://127.0.0.1:1/0: NOAUTH for ********',
    );
  });

  it('names a package that is missing or does not export the factory', async () => {
    const missing = await createDrivers(planOf(redisShape), { importer: fakeImporter({}).importer }).catch(
      (caught: Error) => caught.message,
    );
    expect(missing).toBe(
      "adapter.driver redis: cannot load @sockudo/adapter-redis (is it installed?): Cannot find package '@sockudo/adapter-redis'",
    );
    const outdated = await createDrivers(planOf(redisShape), {
      importer: fakeImporter({ '@sockudo/adapter-redis': {} }).importer,
    }).catch((caught: Error) => caught.message);
    expect(outdated).toBe(
      'adapter.driver redis: cannot load @sockudo/adapter-redis: it does not export createRedisTransport(); is it up to date?',
    );
  });
});

describe('createDrivers: databases and services', () => {
  it('checks the app manager (connection, then a lookup) and fails naming the database', async () => {
    const probes: string[] = [];
    const manager: AppManagerV1 & { migrate(): Promise<void>; close(): Promise<void> } = {
      specVersion: 1,
      async findById(id) {
        probes.push(id);
        throw new Error('Table "test.t" does not exist');
      },
      findByKey: async () => undefined,
      checkHealth: async () => {},
      migrate: async () => {},
      close: async () => {},
    };
    const { importer } = fakeImporter({
      '@sockudo/app-manager-mysql': { createMysqlAppManager: () => manager },
    });
    const message = await createDrivers(
      planOf({
        app_manager: { driver: 'mysql' },
        database: { mysql: { database: 'test', password: 'db-password' } },
      }),
      { importer },
    ).catch((caught: Error) => caught.message);
    expect(probes).toHaveLength(1);
    expect(message).toBe(
      'app_manager.driver mysql: cannot use MySQL database "test" at localhost:3306: Table "test.t" does not exist',
    );
  });

  it('closes what it opened before a later driver fails', async () => {
    let cacheClosed = false;
    const { importer } = fakeImporter({
      '@sockudo/cache-redis': {
        createRedisCache: () => ({
          specVersion: 1,
          checkHealth: async () => {},
          close: async () => {
            cacheClosed = true;
          },
        }),
      },
      '@sockudo/queue-redis': {
        createRedisQueue: () => ({
          specVersion: 1,
          checkHealth: async () => {
            throw new Error('connect ECONNREFUSED 127.0.0.1:6379');
          },
          close: async () => {},
        }),
      },
    });
    const message = await createDrivers(planOf({ cache: { driver: 'redis' }, queue: { driver: 'redis' } }), {
      importer,
    }).catch((caught: Error) => caught.message);
    expect(message).toBe(
      'queue.driver redis: cannot connect to redis://127.0.0.1:6379/0: connect ECONNREFUSED 127.0.0.1:6379',
    );
    expect(cacheClosed).toBe(true);
  });

  it('turns a factory that rejects its settings into an error naming the driver', async () => {
    const { importer } = fakeImporter({
      '@sockudo/app-manager-postgres': {
        createPostgresAppManager: () => {
          throw new Error('database.postgres.table_name: "bad-name" is not a valid table name');
        },
      },
    });
    const message = await createDrivers(planOf({ app_manager: { driver: 'pgsql' } }), { importer }).catch(
      (caught: Error) => caught.message,
    );
    expect(message).toBe(
      'app_manager.driver postgres: invalid settings for PostgreSQL database "sockudo" at localhost:5432: database.postgres.table_name: "bad-name" is not a valid table name',
    );
  });
});

describe('scrubSecrets', () => {
  it('hides known secrets and passwords inside URLs, and leaves very short secrets alone', () => {
    expect(scrubSecrets('auth failed for s3cret-pw at redis://u:other@h:1', ['s3cret-pw'])).toBe(
      'auth failed for ******** at redis://u:********@h:1',
    );
    expect(scrubSecrets('DynamoDB table', ['y'])).toBe('DynamoDB table');
  });
});
