// Every configuration key the `sockudo` binary understands, as data: the loader validates against this
// table and the configuration reference is generated from it, so the two cannot drift apart.
// Paths, defaults and environment variable names follow Rust Sockudo (`crates/sockudo-core/src/options`).
// Each area's keys are in schema/, one file per area; schema/shapes.ts has what several areas share.

import { ADAPTER } from './schema/adapter.js';
import { APP_MANAGER, INLINE_APPS_ENV } from './schema/apps.js';
import { DATABASE, REDIS_URL_ENV } from './schema/database.js';
import {
  DELTA_COMPRESSION,
  ECHO_CONTROL,
  EPHEMERAL,
  EVENT_NAME_FILTERING,
  IDEMPOTENCY,
  TAG_FILTERING,
} from './schema/extensions.js';
import { CONNECTION_RECOVERY, HISTORY } from './schema/history.js';
import type { ConfigKeySpec, EnvExtraSpec } from './schema/key-spec.js';
import { LOGGING, METRICS } from './schema/metrics-and-logging.js';
import { CHANNEL_LIMITS, CORS, HTTP_API, INSTANCE, SSL, TOP_LEVEL_KEYS } from './schema/server.js';
import { CACHE, QUEUE, RATE_LIMITER } from './schema/services.js';
import { WEBHOOKS } from './schema/webhooks.js';

export { DEFAULT_APP, DEFAULT_APP_ENV } from './schema/apps.js';
export type { ConfigKeySpec, ConfigType, DefaultAppEnvSpec, EnvExtraSpec } from './schema/key-spec.js';
export { LOG_LEVELS, type LogLevel } from './schema/metrics-and-logging.js';
export { RUST_SOCKUDO_ONLY_KEYS } from './schema/rust-only-sections.js';

/** Every supported key, in documentation order. */
export const CONFIG_SCHEMA: readonly ConfigKeySpec[] = [
  ...TOP_LEVEL_KEYS,
  ...HTTP_API,
  ...ADAPTER,
  ...INSTANCE,
  ...APP_MANAGER,
  ...DATABASE,
  ...CACHE,
  ...QUEUE,
  ...RATE_LIMITER,
  ...CHANNEL_LIMITS,
  ...METRICS,
  ...SSL,
  ...CORS,
  ...WEBHOOKS,
  ...IDEMPOTENCY,
  ...ECHO_CONTROL,
  ...EVENT_NAME_FILTERING,
  ...EPHEMERAL,
  ...TAG_FILTERING,
  ...DELTA_COMPRESSION,
  ...HISTORY,
  ...CONNECTION_RECOVERY,
  ...LOGGING,
];

/** Environment variables that do not map one-to-one onto a key. */
export const ENV_EXTRAS: readonly EnvExtraSpec[] = [REDIS_URL_ENV, ...INLINE_APPS_ENV];

/** The schema keyed by path. */
export const CONFIG_KEYS: ReadonlyMap<string, ConfigKeySpec> = new Map(
  CONFIG_SCHEMA.map((spec) => [spec.path, spec]),
);
