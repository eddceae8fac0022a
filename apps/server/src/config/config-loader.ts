// Loads the configuration: defaults → config file → environment variables → CLI flags, then one
// validation pass over the result that collects every error, each naming its key (or variable, or flag).

import { defaultAppFromEnv, validateApps } from './app-records.js';
import { readConfigFile } from './config-file.js';
import { type ConfigIssue, ConfigValidationError } from './config-issue.js';
import { CONFIG_SCHEMA } from './config-schema.js';
import { checkValue } from './config-value.js';
import { checkAcrossKeys } from './cross-key-checks.js';
import { applyEnvironment, applyFlags, type ConfigFlags } from './environment-and-flags.js';
import { planDrivers } from './plan/driver-plan.js';
import {
  defaults,
  deletePath,
  effectiveType,
  getPath,
  mergeFile,
  type Origin,
  prune,
  setPath,
  unknownKeys,
} from './raw-config.js';
import type { ResolvedConfig } from './resolved-config.js';

export type { ConfigFlags } from './environment-and-flags.js';

/** Options of {@link loadConfig}. */
export interface LoadConfigOptions {
  /** `-c <file>`; when absent, `config/config.json` in `cwd` is read if it exists. */
  file?: string;
  /** @default process.env */
  env?: Record<string, string | undefined>;
  flags?: ConfigFlags;
  /** Directory relative paths resolve against. @default process.cwd() */
  cwd?: string;
}

/** The outcome of {@link checkConfig}. `config` is set only when `errors` is empty. */
export interface ConfigCheck {
  config?: ResolvedConfig;
  errors: ConfigIssue[];
  /** Problems that do not stop the server (ignored keys, default credentials, ...). */
  warnings: string[];
  /** Informational lines (which file was read, which apps the environment replaced, ...). */
  notes: string[];
  /** The config file read, as named; undefined when none. */
  file?: string;
}

/** The outcome of {@link loadConfig}. */
export interface LoadedConfig {
  config: ResolvedConfig;
  warnings: string[];
  notes: string[];
  file?: string;
}

/**
 * Loads and validates the configuration without throwing: every problem is in `errors`, and `config`
 * is set only when there are none. `sockudo config check` prints this; {@link loadConfig} throws it.
 */
export function checkConfig(options: LoadConfigOptions = {}): ConfigCheck {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const errors: ConfigIssue[] = [];
  const warnings: string[] = [];
  const notes: string[] = [];
  const origins = new Map<string, Origin>();
  const raw = defaults();

  // 1. config file
  const fileResult = readConfigFile({ file: options.file, cwd, env });
  errors.push(...fileResult.errors);
  warnings.push(...fileResult.warnings);
  const file = fileResult.file;
  if (fileResult.data) {
    notes.push(`configuration file: ${file}`);
    mergeFile(raw, fileResult.data, '', origins);
    const found = { rustOnly: [] as string[], passedThrough: [] as string[], unknown: [] as string[] };
    unknownKeys(fileResult.data, '', found);
    // Warned about on its own below.
    found.rustOnly = found.rustOnly.filter((path) => path !== 'cluster_health');
    if ('cluster_health' in fileResult.data) {
      warnings.push(
        `${file}: the top-level cluster_health section is not read (as in Rust Sockudo); set adapter.cluster_health instead`,
      );
    }
    if (found.rustOnly.length > 0) {
      warnings.push(
        `${file}: ignoring Rust Sockudo sections this release does not implement: ${found.rustOnly.join(', ')}`,
      );
    }
    if (found.passedThrough.length > 0) {
      warnings.push(
        `${file}: passing through settings this release does not use: ${found.passedThrough.join(', ')}`,
      );
    }
    if (found.unknown.length > 0)
      warnings.push(`${file}: ignoring unknown keys: ${found.unknown.join(', ')}`);
  }

  // 2. environment
  applyEnvironment(raw, env, origins, errors, warnings);
  const defaultApp = defaultAppFromEnv(env);
  errors.push(...defaultApp.errors);
  notes.push(...defaultApp.notes);
  if (defaultApp.apps) {
    setPath(raw, 'app_manager.array.apps', defaultApp.apps);
    origins.set('app_manager.array.apps', 'env');
  }

  // 3. flags
  applyFlags(raw, options.flags ?? {}, origins, errors);

  // 4. one validation pass over what came from the file (environment and flags are checked above)
  let sectionBroken = '';
  let apps: ResolvedConfig['app_manager']['array']['apps'] = [];
  for (const spec of CONFIG_SCHEMA) {
    if (sectionBroken !== '' && spec.path.startsWith(`${sectionBroken}.`)) continue;
    const { found, value } = getPath(raw, spec.path);
    if (!found) continue;
    if (value === null) {
      // JSON null means "unset", as Rust Sockudo's Option fields read it.
      if (spec.default === undefined) deletePath(raw, spec.path);
      else setPath(raw, spec.path, structuredClone(spec.default));
      continue;
    }
    if (spec.type.kind === 'apps') {
      const checked = validateApps(value, spec.path);
      errors.push(...checked.errors);
      warnings.push(...checked.warnings);
      apps = checked.apps;
      continue;
    }
    const origin = origins.get(spec.path);
    if (origin === 'env' || origin === 'flag') continue;
    const checked = checkValue(effectiveType(spec, raw), value);
    if (checked.ok) setPath(raw, spec.path, checked.value);
    else {
      errors.push({ key: spec.path, message: `${spec.path}${checked.at ?? ''}: ${checked.message}` });
      if (spec.type.kind === 'section') sectionBroken = spec.path;
    }
  }
  if (errors.length > 0) return { errors, warnings, notes, file };

  // 5. checks across keys, and warnings about what the config asks for but this release ignores
  checkAcrossKeys({ raw, origins, apps, cwd }, errors, warnings);
  if (errors.length > 0) return { errors, warnings, notes, file };

  const config = prune(raw, '') as unknown as ResolvedConfig;
  config.app_manager.array.apps = apps;
  // Settings a driver cannot do without (seed nodes, ...) are only known once the drivers are planned.
  const planned = planDrivers(config);
  if (planned.errors.length > 0) return { errors: planned.errors, warnings, notes, file };
  return { config, errors, warnings, notes, file };
}

/**
 * Loads the configuration: defaults, then the config file (`options.file`, else `config/config.json`
 * when it exists; `${VAR}` and `${VAR:-default}` are substituted), then environment variables (Rust
 * Sockudo's names), then CLI flags; then validates everything at once.
 *
 * @throws ConfigValidationError listing every problem, each naming its key
 */
export function loadConfig(options: LoadConfigOptions = {}): LoadedConfig {
  const result = checkConfig(options);
  if (!result.config) throw new ConfigValidationError(result.errors, result.warnings);
  return { config: result.config, warnings: result.warnings, notes: result.notes, file: result.file };
}
