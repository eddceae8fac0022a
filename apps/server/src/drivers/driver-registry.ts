// The driver registry: turns a driver plan into running driver instances for `createServer`. Driver
// packages are imported only when their driver is configured, so `sockudo start` on the local adapter
// and memory drivers never loads ioredis, nats, mysql2, pg or the AWS SDK. A driver named by package
// (`"driver": "sockudo-adapter-x"`) is resolved and checked by package-driver.ts, then started and
// checked here exactly like a built-in one.

import type {
  AppManagerV1,
  CacheV1,
  DriverKind,
  HistoryStoreV1,
  Logger,
  QueueV1,
  RateLimiterV1,
  ServerOptions,
  TransportV1,
  TransportV2,
} from '@sockudo/core';
import { createMemoryCache, silentLogger, withTimeout } from '@sockudo/core';
import type { AppManagerPlan, DriverPlan, DriverTarget, PackageDriverPlan } from '../config/plan/plans.js';
import { createDisabledCache, createDisabledQueue } from './disabled-drivers.js';
import { DriverStartupError, reasonOf } from './driver-startup-error.js';
import { createPackageDriver } from './package-driver.js';
import { startTransportEarly } from './started-transport.js';

/** Loads a driver package; tests replace it to see which packages a configuration loads. */
export type ModuleImporter = (specifier: string) => Promise<Record<string, unknown>>;

const importModule: ModuleImporter = (specifier) => import(specifier);

/** Options of {@link createDrivers} and {@link openAppManager}. */
export interface DriverRegistryOptions {
  /** Where fallbacks and connection trouble are reported. @default silent */
  logger?: Logger;
  /** @default dynamic `import()` */
  importer?: ModuleImporter;
  /** How long each start-up check (a PING, a `SELECT 1`) may take. @default 15000 */
  checkTimeoutMs?: number;
  /**
   * Where driver packages (`"driver": "sockudo-adapter-x"`) are looked for, in order: each directory's
   * `node_modules` chain upwards, as `import()` from a file there would. `sockudo start` passes the
   * config file's directory and the working directory; @sockudo/server's own location is always
   * tried last, so a global install finds packages installed globally next to it.
   * @default [process.cwd()]
   */
  packageSearch?: readonly string[];
}

/** The drivers of a configuration, ready for `createServer`. */
export interface Drivers {
  /** `transport`, `horizontal`, `appManager`, `cache`, `queue`, `rateLimiter`: only those not in memory. */
  serverOptions: Partial<ServerOptions>;
  /** The adapter that runs (`local` also after a fallback), or the package name of a package adapter. */
  adapter: string;
  /** Closes every driver; for when the server does not start (once it does, its close() does this). */
  close(): Promise<void>;
}

/** An app manager over a database: the contract plus `migrate()` and `close()`. */
export interface DatabaseAppManager extends AppManagerV1 {
  migrate(): Promise<void>;
  close(): Promise<void>;
}

type Factory<Options, Result> = (options: Options) => Result;

/** The package and factory export of each built-in driver that lives in a package. */
const PACKAGES = {
  redisTransport: ['@sockudo/adapter-redis', 'createRedisTransport'],
  redisClusterTransport: ['@sockudo/adapter-redis', 'createRedisClusterTransport'],
  natsTransport: ['@sockudo/adapter-nats', 'createNatsTransport'],
  rabbitmqTransport: ['@sockudo/adapter-rabbitmq', 'createRabbitMqTransport'],
  mysql: ['@sockudo/app-manager-mysql', 'createMysqlAppManager'],
  postgres: ['@sockudo/app-manager-postgres', 'createPostgresAppManager'],
  dynamodb: ['@sockudo/app-manager-dynamodb', 'createDynamoDbAppManager'],
  cache: ['@sockudo/cache-redis', 'createRedisCache'],
  queue: ['@sockudo/queue-redis', 'createRedisQueue'],
  rateLimiter: ['@sockudo/rate-limiter-redis', 'createRedisRateLimiter'],
  redisHistory: ['@sockudo/history-redis', 'createRedisHistoryStore'],
  postgresHistory: ['@sockudo/history-postgres', 'createPostgresHistoryStore'],
  mysqlHistory: ['@sockudo/history-mysql', 'createMysqlHistoryStore'],
} as const;

/** The package of each built-in adapter transport. */
const TRANSPORT_PACKAGES = {
  redis: PACKAGES.redisTransport,
  'redis-cluster': PACKAGES.redisClusterTransport,
  nats: PACKAGES.natsTransport,
  rabbitmq: PACKAGES.rabbitmqTransport,
} as const;

/** The name a driver goes by in messages: the package for a package driver. */
function driverName(plan: { driver: string; package?: string }): string {
  return plan.driver === 'package' && plan.package !== undefined ? plan.package : plan.driver;
}

async function loadFactory<F>(
  importer: ModuleImporter,
  [specifier, exportName]: readonly [string, string],
  key: string,
  driver: string,
): Promise<F> {
  let module: Record<string, unknown>;
  try {
    module = await importer(specifier);
  } catch (error) {
    throw new DriverStartupError(key, driver, `cannot load ${specifier} (is it installed?)`, error);
  }
  const factory = module[exportName];
  if (typeof factory !== 'function') {
    throw new DriverStartupError(
      key,
      driver,
      `cannot load ${specifier}`,
      new Error(`it does not export ${exportName}(); is it up to date?`),
    );
  }
  return factory as F;
}

/** The error of a driver check that got no answer in time. */
function answerTimeout(what: string, ms: number): () => Error {
  return () => new Error(`${what} did not answer within ${ms} ms`);
}

/** Calls a factory; a synchronous throw (a bad table name, prefix, ...) names the driver too. */
function construct<Options, Result>(
  factory: Factory<Options, Result>,
  options: Options,
  key: string,
  driver: string,
  target: DriverTarget,
): Result {
  try {
    return factory(options);
  } catch (error) {
    throw new DriverStartupError(
      key,
      driver,
      `invalid settings for ${target.address}`,
      error,
      target.secrets,
    );
  }
}

/**
 * Creates the app manager of a database plan, without checking the connection: `sockudo migrate` uses
 * it to create the table, `sockudo start` checks it with {@link createDrivers}.
 *
 * @throws DriverStartupError when the package cannot be loaded or rejects the settings
 */
export async function openAppManager(
  plan: Exclude<AppManagerPlan, { driver: 'memory' }>,
  options: DriverRegistryOptions = {},
): Promise<DatabaseAppManager> {
  const importer = options.importer ?? importModule;
  const key = 'app_manager.driver';
  if (plan.driver === 'package') {
    const manager: AppManagerV1 & { migrate?(): Promise<void> } = await createPackageDriver(plan, {
      searchDirectories: options.packageSearch ?? [process.cwd()],
      logger: options.logger ?? silentLogger,
    });
    // A package without migrate() has nothing to create: `sockudo migrate` then does nothing.
    const migrate = manager.migrate?.bind(manager);
    const close = manager.close?.bind(manager);
    return Object.assign(manager, {
      migrate: async () => migrate?.(),
      close: async () => close?.(),
    });
  }
  const factory = await loadFactory<Factory<typeof plan.options, DatabaseAppManager>>(
    importer,
    PACKAGES[plan.driver],
    key,
    plan.driver,
  );
  return construct(factory, plan.options, key, plan.driver, plan);
}

/** Checks a database app manager: the connection, then one lookup (which fails when the table is missing). */
async function checkAppManager(manager: AppManagerV1, timeoutMs: number): Promise<void> {
  await withTimeout(
    manager.checkHealth?.() ?? Promise.resolve(),
    timeoutMs,
    answerTimeout('the database', timeoutMs),
  );
  await withTimeout(
    manager.findById('sockudo-startup-check'),
    timeoutMs,
    answerTimeout('the database', timeoutMs),
  );
}

/**
 * Builds every driver of `plan`: imports the packages of the configured drivers, creates them, and
 * checks that each one that connects somewhere can reach it. A transport that cannot connect falls back
 * to the local adapter when `fallbackToLocal` is set (with a warning), as Rust Sockudo does.
 *
 * @throws DriverStartupError naming the driver's key, the driver and its address (never a password);
 *   every driver created before is closed first
 */
export async function createDrivers(plan: DriverPlan, options: DriverRegistryOptions = {}): Promise<Drivers> {
  const importer = options.importer ?? importModule;
  const logger = options.logger ?? silentLogger;
  const checkTimeoutMs = options.checkTimeoutMs ?? 15_000;
  const opened: Array<{ close?(): Promise<void> }> = [];
  const serverOptions: Partial<ServerOptions> = {};
  let adapter: Drivers['adapter'] = 'local';

  const fromPackage = <Kind extends DriverKind>(packagePlan: PackageDriverPlan<Kind>) =>
    createPackageDriver(packagePlan, {
      searchDirectories: options.packageSearch ?? [process.cwd()],
      logger,
    });

  /** Imports a built-in driver's package and creates the driver. */
  const builtIn = async <Result>(
    entry: readonly [string, string],
    driverOptions: unknown,
    key: string,
    plan: DriverTarget & { driver: string },
  ): Promise<Result> => {
    const factory = await loadFactory<Factory<unknown, Result>>(importer, entry, key, plan.driver);
    return construct(factory, driverOptions, key, plan.driver, plan);
  };

  /** Creates a cache, queue or rate limiter (built-in or from a package), then checks it can connect. */
  const service = async <Driver extends { close?(): Promise<void>; checkHealth?(): Promise<void> }>(
    plan: DriverTarget & { driver: string; package?: string },
    key: string,
    create: () => Promise<Driver>,
  ): Promise<Driver> => {
    const driver = await create();
    opened.push(driver);
    await check(driver, key, driverName(plan), plan);
    return driver;
  };

  const closeAll = async () => {
    await Promise.allSettled(opened.splice(0).map((driver) => driver.close?.()));
  };

  /** Checks a service that connects somewhere (a PING); closes nothing itself. */
  const check = async (
    driver: { checkHealth?(): Promise<void> },
    key: string,
    name: string,
    target: DriverTarget,
  ) => {
    try {
      await withTimeout(
        driver.checkHealth?.() ?? Promise.resolve(),
        checkTimeoutMs,
        answerTimeout(target.address, checkTimeoutMs),
      );
    } catch (error) {
      throw new DriverStartupError(key, name, `cannot connect to ${target.address}`, error, target.secrets);
    }
  };

  try {
    const appManagerPlan = plan.appManager;
    if (appManagerPlan.driver !== 'memory') {
      const manager = await openAppManager(appManagerPlan, { ...options, importer, logger });
      opened.push(manager);
      try {
        await checkAppManager(manager, checkTimeoutMs);
      } catch (error) {
        throw new DriverStartupError(
          'app_manager.driver',
          driverName(appManagerPlan),
          `cannot use ${appManagerPlan.address}`,
          error,
          appManagerPlan.secrets,
        );
      }
      serverOptions.appManager = manager;
    }

    const cachePlan = plan.cache;
    if (cachePlan.driver === 'none') {
      serverOptions.cache = createDisabledCache();
    } else if (cachePlan.driver === 'memory') {
      serverOptions.cache = createMemoryCache({ maxEntries: cachePlan.maxEntries });
    } else {
      serverOptions.cache = await service(cachePlan, 'cache.driver', () =>
        cachePlan.driver === 'package'
          ? fromPackage(cachePlan)
          : builtIn<CacheV1>(PACKAGES.cache, cachePlan.options, 'cache.driver', cachePlan),
      );
    }

    const queuePlan = plan.queue;
    if (queuePlan.driver === 'none') {
      logger.warn('queue.driver is none: webhooks are not sent');
      serverOptions.queue = createDisabledQueue();
    } else if (queuePlan.driver !== 'memory') {
      serverOptions.queue = await service(queuePlan, 'queue.driver', () =>
        queuePlan.driver === 'package'
          ? fromPackage(queuePlan)
          : builtIn<QueueV1>(PACKAGES.queue, { ...queuePlan.options, logger }, 'queue.driver', queuePlan),
      );
    }

    const limiterPlan = plan.rateLimiter;
    if (limiterPlan.driver !== 'memory') {
      serverOptions.rateLimiter = await service(limiterPlan, 'rate_limiter.driver', () =>
        limiterPlan.driver === 'package'
          ? fromPackage(limiterPlan)
          : builtIn<RateLimiterV1>(
              PACKAGES.rateLimiter,
              limiterPlan.options,
              'rate_limiter.driver',
              limiterPlan,
            ),
      );
    }

    const historyPlan = plan.history;
    if (historyPlan.driver !== 'memory') {
      const entry =
        historyPlan.driver === 'postgres'
          ? PACKAGES.postgresHistory
          : historyPlan.driver === 'mysql'
            ? PACKAGES.mysqlHistory
            : PACKAGES.redisHistory;
      serverOptions.history = await service(historyPlan, 'history.backend', () =>
        builtIn<HistoryStoreV1>(entry, historyPlan.options, 'history.backend', historyPlan),
      );
    }

    const adapterPlan = plan.adapter;
    if (adapterPlan.driver !== 'local') {
      const key = 'adapter.driver';
      const name = driverName(adapterPlan);
      const transport =
        adapterPlan.driver === 'package'
          ? await fromPackage(adapterPlan)
          : await builtIn<TransportV1 | TransportV2>(
              TRANSPORT_PACKAGES[adapterPlan.transport],
              { ...adapterPlan.options, logger },
              key,
              adapterPlan,
            );
      try {
        serverOptions.transport = await startTransportEarly(transport);
        serverOptions.horizontal = adapterPlan.horizontal;
        opened.push(serverOptions.transport);
        adapter = name;
      } catch (error) {
        await transport.close().catch(() => {});
        const failure = new DriverStartupError(
          key,
          name,
          `cannot connect to ${adapterPlan.address}`,
          error,
          adapterPlan.secrets,
        );
        if (!adapterPlan.fallbackToLocal) throw failure;
        logger.warn(
          `${failure.message}; running on the local adapter (this node alone) because adapter.fallback_to_local is true`,
        );
      }
    }
  } catch (error) {
    await closeAll();
    if (error instanceof DriverStartupError) throw error;
    throw new DriverStartupError('drivers', 'start-up', 'failed', new Error(reasonOf(error)));
  }

  return { serverOptions, adapter, close: closeAll };
}
