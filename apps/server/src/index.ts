export { packageVersion, runCli } from './cli/cli.js';
export { type CliIo, EXIT_CODES, printableConfig } from './cli/command-io.js';
export { type MigrateIo, runMigrate } from './cli/migrate-command.js';
export {
  type AppsCheck,
  appToRecord,
  type DefaultAppEnv,
  defaultAppFromEnv,
  validateApps,
} from './config/app-records.js';
export { type ConfigFileResult, DEFAULT_CONFIG_FILE, readConfigFile } from './config/config-file.js';
export { type ConfigIssue, ConfigValidationError } from './config/config-issue.js';
export {
  type ConfigCheck,
  type ConfigFlags,
  checkConfig,
  type LoadConfigOptions,
  type LoadedConfig,
  loadConfig,
} from './config/config-loader.js';
export { renderConfigReference } from './config/config-reference.js';
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
} from './config/config-schema.js';
export {
  checkValue,
  describeType,
  describeValue,
  parseBoolean,
  type ValueCheck,
} from './config/config-value.js';
export { canonicalDriver } from './config/driver-names.js';
export { type Substitution, substituteEnvVars } from './config/env-substitution.js';
export { findJsonSyntaxProblem, type JsonSyntaxProblem } from './config/json-location.js';
export { isSecretName, MASK, maskSecrets, maskUrlPassword } from './config/mask-secrets.js';
export { planDrivers } from './config/plan/driver-plan.js';
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
} from './config/plan/plans.js';
export type { RedisNode, ResolvedConfig, SqlConnection } from './config/resolved-config.js';
export { toServerOptions } from './config/to-server-options.js';
export {
  createDrivers,
  type DatabaseAppManager,
  type DriverRegistryOptions,
  type Drivers,
  type ModuleImporter,
  openAppManager,
} from './drivers/driver-registry.js';
export { DriverStartupError, scrubSecrets } from './drivers/driver-startup-error.js';
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
} from './process/logger.js';
export {
  type ClosableServer,
  handleShutdownSignals,
  logUnhandledErrors,
  type ShutdownOptions,
} from './process/process-lifecycle.js';
export { createTlsServer } from './process/tls-server.js';
