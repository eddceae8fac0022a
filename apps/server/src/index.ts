export {
  type AppsCheck,
  appToRecord,
  type DefaultAppEnv,
  defaultAppFromEnv,
  validateApps,
} from './app-records.js';
export { type CliIo, EXIT_CODES, packageVersion, printableConfig, runCli } from './cli.js';
export { type ConfigFileResult, DEFAULT_CONFIG_FILE, readConfigFile } from './config-file.js';
export { type ConfigIssue, ConfigValidationError } from './config-issue.js';
export {
  type ConfigCheck,
  type ConfigFlags,
  checkConfig,
  type LoadConfigOptions,
  type LoadedConfig,
  loadConfig,
} from './config-loader.js';
export { renderConfigReference } from './config-reference.js';
export {
  CONFIG_KEYS,
  CONFIG_SCHEMA,
  type ConfigKeySpec,
  type ConfigType,
  DEFAULT_APP,
  DEFAULT_APP_ENV,
  type DefaultAppEnvSpec,
  ENV_EXTRAS,
  type EnvExtraSpec,
  RUST_SOCKUDO_ONLY_KEYS,
} from './config-schema.js';
export { checkValue, describeType, describeValue, parseBoolean, type ValueCheck } from './config-value.js';
export { canonicalDriver } from './driver-names.js';
export { planDrivers } from './driver-plan.js';
export {
  createDrivers,
  type DatabaseAppManager,
  type DriverRegistryOptions,
  type Drivers,
  type ModuleImporter,
  openAppManager,
} from './driver-registry.js';
export { DriverStartupError, scrubSecrets } from './driver-startup-error.js';
export { type Substitution, substituteEnvVars } from './env-substitution.js';
export { findJsonSyntaxProblem, type JsonSyntaxProblem } from './json-location.js';
export {
  createServerLogger,
  LOG_LEVELS,
  type LogLevel,
  maskTextSecrets,
  REDACT_PATHS,
  resolveLogLevel,
  type ServerLogger,
  type ServerLoggerOptions,
  safeLogFields,
} from './logger.js';
export { isSecretName, MASK, maskSecrets, maskUrlPassword } from './mask-secrets.js';
export { type MigrateIo, runMigrate } from './migrate-command.js';
export type {
  AdapterPlan,
  AppManagerPlan,
  CachePlan,
  DriverPlan,
  DriverPlanResult,
  DriverTarget,
  QueuePlan,
  RateLimiterPlan,
  RedisServicePlan,
} from './plans.js';
export {
  type ClosableServer,
  handleShutdownSignals,
  logUnhandledErrors,
  type ShutdownOptions,
} from './process-lifecycle.js';
export type { RedisNode, ResolvedConfig, SqlConnection } from './resolved-config.js';
export { createTlsServer } from './tls-server.js';
export { toServerOptions } from './to-server-options.js';
