// What the driver registry will build, worked out from the configuration without any I/O: for each
// role the driver (aliases resolved), the factory options and where it connects. Pure, so every config
// form can be unit-tested, and run by `sockudo config check` to report missing settings before start.

import type { NatsTransportOptions } from '@sockudo/adapter-nats';
import type { RedisClusterTransportOptions, RedisTransportOptions } from '@sockudo/adapter-redis';
import type { DynamoDbAppManagerOptions } from '@sockudo/app-manager-dynamodb';
import type { MysqlAppManagerOptions } from '@sockudo/app-manager-mysql';
import type { PostgresAppManagerOptions } from '@sockudo/app-manager-postgres';
import type { RedisCacheOptions } from '@sockudo/cache-redis';
import type { HorizontalAdapterOptions } from '@sockudo/core';
import type { RedisQueueOptions } from '@sockudo/queue-redis';
import type { RedisRateLimiterOptions } from '@sockudo/rate-limiter-redis';
import { planAdapter } from './adapter-plan.js';
import { planAppManager } from './app-manager-plan.js';
import type { ConfigIssue } from './config-issue.js';
import type { PackageDriverPlan } from './package-driver-plan.js';
import type { ResolvedConfig } from './resolved-config.js';

export { canonicalDriver } from './driver-names.js';
export type { PackageDriverPlan } from './package-driver-plan.js';

import { planCache, planQueue, planRateLimiter } from './service-plans.js';

/** Where a driver connects, for messages (never with a password), and what to scrub from its errors. */
export interface DriverTarget {
  /** E.g. `redis://127.0.0.1:6379/0` or `MySQL database "sockudo" at localhost:3306`. */
  address: string;
  /** Passwords and tokens that must not appear in any message. */
  secrets: string[];
}

/** What every horizontal adapter plan has, built-in or from a package. */
export interface HorizontalSettings {
  horizontal: HorizontalAdapterOptions;
  /** `adapter.fallback_to_local`: run on the local adapter when the transport cannot start. */
  fallbackToLocal: boolean;
}

/** The adapter: local, a transport that joins this node to a cluster, or a transport from a package. */
export type AdapterPlan =
  | { driver: 'local' }
  | (PackageDriverPlan<'adapter'> & HorizontalSettings)
  | (DriverTarget & {
      /** The configured driver, aliases resolved. */
      driver: 'redis' | 'redis-cluster' | 'nats';
      horizontal: HorizontalAdapterOptions;
      /** `adapter.fallback_to_local`: run on the local adapter when the transport cannot start. */
      fallbackToLocal: boolean;
    } & (
        | { transport: 'redis'; options: RedisTransportOptions }
        | { transport: 'redis-cluster'; options: RedisClusterTransportOptions }
        | { transport: 'nats'; options: NatsTransportOptions }
      ));

/** The app manager: the configured apps in memory, or a database. */
export type AppManagerPlan =
  | { driver: 'memory' }
  | PackageDriverPlan<'app_manager'>
  | (DriverTarget & { driver: 'mysql'; options: MysqlAppManagerOptions })
  | (DriverTarget & { driver: 'postgres'; options: PostgresAppManagerOptions })
  | (DriverTarget & { driver: 'dynamodb'; options: DynamoDbAppManagerOptions });

/** A Redis-backed service driver. */
export type RedisServicePlan<Options> = DriverTarget & {
  driver: 'redis' | 'redis-cluster';
  options: Options;
};

export type CachePlan =
  | { driver: 'memory' }
  | { driver: 'none' }
  | RedisServicePlan<RedisCacheOptions>
  | PackageDriverPlan<'cache'>;
export type QueuePlan =
  | { driver: 'memory' }
  | { driver: 'none' }
  | RedisServicePlan<RedisQueueOptions>
  | PackageDriverPlan<'queue'>;
export type RateLimiterPlan =
  | { driver: 'memory' }
  | RedisServicePlan<RedisRateLimiterOptions>
  | PackageDriverPlan<'rate_limiter'>;

/** Every role's driver. */
export interface DriverPlan {
  adapter: AdapterPlan;
  appManager: AppManagerPlan;
  cache: CachePlan;
  queue: QueuePlan;
  rateLimiter: RateLimiterPlan;
}

/** The outcome of {@link planDrivers}: use `plan` only when `errors` is empty. */
export interface DriverPlanResult {
  plan: DriverPlan;
  errors: ConfigIssue[];
}

/**
 * Maps the resolved configuration to the drivers to build. Settings a driver cannot do without (e.g.
 * seed nodes for redis-cluster) come back as `errors`, each naming the keys that would provide them.
 */
export function planDrivers(config: ResolvedConfig): DriverPlanResult {
  const errors: ConfigIssue[] = [];
  const plan: DriverPlan = {
    adapter: planAdapter(config, errors),
    appManager: planAppManager(config),
    cache: planCache(config, errors),
    queue: planQueue(config, errors),
    rateLimiter: planRateLimiter(config, errors),
  };
  return { plan, errors };
}
