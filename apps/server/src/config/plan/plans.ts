// The driver plan's types: for each role, the driver to build and its options, plus `secretsOf`, the one
// way a planner lists what to scrub. The planners (adapter-plan.ts, app-manager-plan.ts,
// service-plans.ts, package-driver-plan.ts) return them and driver-plan.ts gathers them into one DriverPlan.

import type { NatsTransportOptions } from '@sockudo/adapter-nats';
import type { RabbitMqTransportOptions } from '@sockudo/adapter-rabbitmq';
import type { RedisClusterTransportOptions, RedisTransportOptions } from '@sockudo/adapter-redis';
import type { DynamoDbAppManagerOptions } from '@sockudo/app-manager-dynamodb';
import type { MysqlAppManagerOptions } from '@sockudo/app-manager-mysql';
import type { PostgresAppManagerOptions } from '@sockudo/app-manager-postgres';
import type { RedisCacheOptions } from '@sockudo/cache-redis';
import type { DriverKind, HorizontalAdapterOptions } from '@sockudo/core';
import type { MysqlHistoryStoreOptions } from '@sockudo/history-mysql';
import type { PostgresHistoryStoreOptions } from '@sockudo/history-postgres';
import type { RedisHistoryStoreOptions } from '@sockudo/history-redis';
import type { RedisQueueOptions } from '@sockudo/queue-redis';
import type { RedisRateLimiterOptions } from '@sockudo/rate-limiter-redis';
import type { ConfigIssue } from '../config-issue.js';

/** Where a driver connects, for messages (never with a password), and what to scrub from its errors. */
export interface DriverTarget {
  /** E.g. `redis://127.0.0.1:6379/0` or `MySQL database "sockudo" at localhost:3306`. */
  address: string;
  /** Passwords and tokens that must not appear in any message. */
  secrets: string[];
}

/** The given passwords and tokens that are set (not undefined, not empty), for {@link DriverTarget.secrets}. */
export function secretsOf(...values: Array<string | undefined>): string[] {
  return values.filter((value): value is string => value !== undefined && value !== '');
}

/** A driver loaded from a package by `sockudo start`. */
export interface PackageDriverPlan<Kind extends DriverKind = DriverKind> extends DriverTarget {
  driver: 'package';
  /** The contract the package's `sockudoDriver.kind` must name: the config section's name. */
  kind: Kind;
  /** The package (as written in config), e.g. `sockudo-adapter-pg-notify`. */
  package: string;
  /** `adapter.driver`, ...: the key that named the package, for messages. */
  configKey: string;
  /** `adapter.options`, ...: where the options came from, for messages. */
  optionsKey: string;
  /** `<section>.options` as plain JSON (`${VAR}` already substituted); `{}` when unset. */
  options: Record<string, unknown>;
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
  | (DriverTarget &
      HorizontalSettings & {
        /** The configured driver, aliases resolved. */
        driver: 'redis' | 'redis-cluster' | 'nats' | 'rabbitmq';
      } & (
        | { transport: 'redis'; options: RedisTransportOptions }
        | { transport: 'redis-cluster'; options: RedisClusterTransportOptions }
        | { transport: 'nats'; options: NatsTransportOptions }
        | { transport: 'rabbitmq'; options: RabbitMqTransportOptions }
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
  | { driver: 'memory'; maxEntries: number }
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

/** Where channel history (and connection recovery's replay) is kept. */
export type HistoryPlan =
  | { driver: 'memory' }
  | RedisServicePlan<RedisHistoryStoreOptions>
  | (DriverTarget & { driver: 'postgres'; options: PostgresHistoryStoreOptions })
  | (DriverTarget & { driver: 'mysql'; options: MysqlHistoryStoreOptions });

/** Every role's driver. */
export interface DriverPlan {
  adapter: AdapterPlan;
  appManager: AppManagerPlan;
  cache: CachePlan;
  queue: QueuePlan;
  rateLimiter: RateLimiterPlan;
  history: HistoryPlan;
}

/** The outcome of {@link planDrivers}: use `plan` only when `errors` is empty. */
export interface DriverPlanResult {
  plan: DriverPlan;
  errors: ConfigIssue[];
}
