// Loads the configuration: defaults → config file → environment variables → CLI flags, then one
// validation pass over the result that collects every error, each naming its key (or variable, or flag).

import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { defaultAppFromEnv, validateApps } from './app-records.js';
import { readConfigFile } from './config-file.js';
import { type ConfigIssue, ConfigValidationError } from './config-issue.js';
import {
  CONFIG_KEYS,
  CONFIG_SCHEMA,
  type ConfigKeySpec,
  DEFAULT_APP,
  RUST_SOCKUDO_ONLY_KEYS,
} from './config-schema.js';
import { checkValue, isUrlWithScheme, parseBoolean } from './config-value.js';
import { planDrivers } from './plan/driver-plan.js';
import type { ResolvedConfig } from './resolved-config.js';

/** Values given on the command line; they override everything else. */
export interface ConfigFlags {
  host?: string;
  /** A string as typed (`--port 6001`), or a number. */
  port?: string | number;
  /** Only `true` has an effect. */
  debug?: boolean;
  /** `--workers N` as typed (`auto` or a count), or a number. */
  workers?: string | number;
}

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

type RawRecord = Record<string, unknown>;
type Origin = 'file' | 'env' | 'flag';

function isRecord(value: unknown): value is RawRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function getPath(root: RawRecord, path: string): { found: boolean; value?: unknown } {
  let node: unknown = root;
  for (const part of path.split('.')) {
    if (!isRecord(node) || !(part in node)) return { found: false };
    node = node[part];
  }
  return { found: true, value: node };
}

function setPath(root: RawRecord, path: string, value: unknown): void {
  const parts = path.split('.');
  const last = parts.pop()!;
  let node = root;
  for (const part of parts) {
    if (!isRecord(node[part])) node[part] = {};
    node = node[part] as RawRecord;
  }
  node[last] = value;
}

function deletePath(root: RawRecord, path: string): void {
  const parts = path.split('.');
  const last = parts.pop()!;
  const parent = parts.length === 0 ? { found: true, value: root } : getPath(root, parts.join('.'));
  if (isRecord(parent.value)) delete parent.value[last];
}

function defaults(): RawRecord {
  const root: RawRecord = {};
  for (const spec of CONFIG_SCHEMA) {
    if (spec.type.kind === 'section') setPath(root, spec.path, {});
    else if (spec.default !== undefined) setPath(root, spec.path, structuredClone(spec.default));
  }
  return root;
}

/** Deep-merges the file over the defaults; leaves (including arrays and free-form objects) replace. */
function mergeFile(target: RawRecord, source: RawRecord, prefix: string, origins: Map<string, Origin>): void {
  for (const [key, value] of Object.entries(source)) {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    const spec = CONFIG_KEYS.get(path);
    const current = target[key];
    if ((spec === undefined || spec.type.kind === 'section') && isRecord(value) && isRecord(current)) {
      mergeFile(current, value, path, origins);
    } else {
      target[key] = value;
      if (spec) origins.set(path, 'file');
    }
  }
}

/** Keys of the file the schema does not list, sorted into three kinds of warning. */
function unknownKeys(
  data: RawRecord,
  prefix: string,
  found: { rustOnly: string[]; passedThrough: string[]; unknown: string[] },
): void {
  const parent = prefix === '' ? undefined : CONFIG_KEYS.get(prefix);
  for (const [key, value] of Object.entries(data)) {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    const spec = CONFIG_KEYS.get(path);
    if (spec === undefined) {
      if (prefix === '' && RUST_SOCKUDO_ONLY_KEYS.includes(key)) found.rustOnly.push(path);
      else if (parent?.type.kind === 'section' && parent.type.open) found.passedThrough.push(path);
      else found.unknown.push(path);
    } else if (spec.type.kind === 'section' && isRecord(value)) {
      unknownKeys(value, path, found);
    }
  }
}

/** Drops keys the schema does not know, except inside open sections (passed through to drivers). */
function prune(node: RawRecord, prefix: string): RawRecord {
  const parent = prefix === '' ? undefined : CONFIG_KEYS.get(prefix);
  const open = parent?.type.kind === 'section' && parent.type.open;
  const out: RawRecord = {};
  for (const [key, value] of Object.entries(node)) {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    const spec = CONFIG_KEYS.get(path);
    if (spec?.type.kind === 'section' && isRecord(value)) out[key] = prune(value, path);
    else if (spec !== undefined || open) out[key] = value;
  }
  return out;
}

/**
 * The type to check a key against: a driver whose feature is switched off (`enabledBy` is false) accepts
 * every built-in name, not only the available ones.
 */
function effectiveType(spec: ConfigKeySpec, raw: RawRecord): ConfigKeySpec['type'] {
  if (spec.type.kind !== 'driver' || spec.enabledBy === undefined) return spec.type;
  const enabled = getPath(raw, spec.enabledBy).value;
  const off = enabled === false || (typeof enabled === 'string' && parseBoolean(enabled) === false);
  return off ? { ...spec.type, available: spec.type.values } : spec.type;
}

function applyEnvironment(
  raw: RawRecord,
  env: Record<string, string | undefined>,
  origins: Map<string, Origin>,
  errors: ConfigIssue[],
  warnings: string[],
): void {
  for (const spec of CONFIG_SCHEMA) {
    for (const name of spec.env ?? []) {
      const text = env[name];
      // Unset and empty are the same: compose files often pass `PORT=${PORT}` through unset.
      if (text === undefined || text === '') continue;
      const checked = checkValue(effectiveType(spec, raw), text, true);
      if (!checked.ok) {
        if (spec.lenientEnv?.includes(name)) {
          warnings.push(
            `${name} (env): ignoring ${JSON.stringify(text)} for ${spec.path}; expected true or false`,
          );
          continue;
        }
        errors.push({ key: name, message: `${name} (env)${checked.at ?? ''}: ${checked.message}` });
      } else {
        setPath(raw, spec.path, checked.value);
      }
      origins.set(spec.path, 'env');
      break;
    }
  }
  const redisUrl = env.REDIS_URL?.trim();
  if (redisUrl !== undefined && redisUrl !== '') {
    if (!isUrlWithScheme(redisUrl, ['redis', 'rediss'])) {
      errors.push({
        key: 'REDIS_URL',
        message: `REDIS_URL (env): expected a redis:// URL (or rediss://), got ${JSON.stringify(redisUrl)}`,
      });
      return;
    }
    for (const path of ['adapter.redis.redis_pub_options', 'adapter.redis.redis_sub_options']) {
      const options = getPath(raw, path).value;
      if (isRecord(options)) options.url = redisUrl;
    }
    setPath(raw, 'database.redis.url', redisUrl);
    origins.set('database.redis.url', 'env');
  }
}

function applyFlags(
  raw: RawRecord,
  flags: ConfigFlags,
  origins: Map<string, Origin>,
  errors: ConfigIssue[],
): void {
  const given: Array<[string, string, unknown]> = [];
  if (flags.host !== undefined) given.push(['--host', 'host', flags.host]);
  if (flags.port !== undefined) given.push(['--port', 'port', String(flags.port)]);
  if (flags.debug === true) given.push(['--debug', 'debug', true]);
  if (flags.workers !== undefined) given.push(['--workers', 'workers', String(flags.workers)]);
  for (const [flag, path, value] of given) {
    const spec = CONFIG_KEYS.get(path)!;
    const checked = checkValue(spec.type, value, true);
    if (checked.ok) setPath(raw, path, checked.value);
    else errors.push({ key: flag, message: `${flag}: ${checked.message}` });
    origins.set(path, 'flag');
  }
}

function checkTls(config: RawRecord, cwd: string, errors: ConfigIssue[]): void {
  const ssl = config.ssl as ResolvedConfig['ssl'];
  if (ssl.enabled !== true) return;
  for (const key of ['cert_path', 'key_path', 'ca_path'] as const) {
    const path = ssl[key];
    if (path === '' || typeof path !== 'string') {
      if (key !== 'ca_path')
        errors.push({ key: `ssl.${key}`, message: `ssl.${key}: required when ssl.enabled is true` });
    } else if (!existsSync(resolve(cwd, path))) {
      errors.push({ key: `ssl.${key}`, message: `ssl.${key}: file not found: ${path}` });
    }
  }
}

/**
 * Rust Sockudo's rules: a node is declared dead only after it missed at least three heartbeats, and
 * the cleanup runs at least once per node timeout. The cleanup interval has no effect here, so its
 * default does not make a shorter node_timeout_ms fail; a value that is set is still checked.
 */
function checkClusterHealth(config: RawRecord, origins: Map<string, Origin>, errors: ConfigIssue[]): void {
  const health = getPath(config, 'adapter.cluster_health')
    .value as ResolvedConfig['adapter']['cluster_health'];
  const base = 'adapter.cluster_health';
  if (health.heartbeat_interval_ms * 3 > health.node_timeout_ms) {
    errors.push({
      key: `${base}.heartbeat_interval_ms`,
      message: `${base}.heartbeat_interval_ms: must be at most a third of ${base}.node_timeout_ms (${health.node_timeout_ms}), got ${health.heartbeat_interval_ms}`,
    });
  }
  if (origins.has(`${base}.cleanup_interval_ms`) && health.cleanup_interval_ms > health.node_timeout_ms) {
    errors.push({
      key: `${base}.cleanup_interval_ms`,
      message: `${base}.cleanup_interval_ms: must be at most ${base}.node_timeout_ms (${health.node_timeout_ms}), got ${health.cleanup_interval_ms}`,
    });
  }
}

/** True for the drivers that serve `app_manager.array.apps`. */
function isMemoryAppManager(driver: unknown): boolean {
  return driver === 'memory' || driver === 'array';
}

function isDefaultCredential(app: { id: string; key: string; secret: string }): boolean {
  return app.key === DEFAULT_APP.key || app.secret === DEFAULT_APP.secret;
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
  checkTls(raw, cwd, errors);
  checkClusterHealth(raw, origins, errors);
  if (raw.path_prefix !== '/') {
    warnings.push(`path_prefix: ${JSON.stringify(raw.path_prefix)} is ignored; only "/" is supported`);
  }
  const ignored = CONFIG_SCHEMA.filter(
    (spec: ConfigKeySpec) => spec.applied === false && origins.has(spec.path),
  ).map((spec) => spec.path);
  if (ignored.length > 0)
    warnings.push(`accepted, but without effect in this release: ${ignored.join(', ')}`);
  const appManagerDriver = getPath(raw, 'app_manager.driver').value;
  if (!isMemoryAppManager(appManagerDriver)) {
    if (origins.has('app_manager.array.apps')) {
      warnings.push(
        `app_manager.array.apps: not used with app_manager.driver ${appManagerDriver}; apps come from the database (insert them there)`,
      );
    }
  } else if (apps.length === 0) {
    warnings.push('app_manager.array.apps: no apps configured; every connection will be refused');
  } else if (apps.some(isDefaultCredential)) {
    warnings.push(
      'default credentials in use (app id "app-id", key "app-key"): set SOCKUDO_DEFAULT_APP_ID, SOCKUDO_DEFAULT_APP_KEY and SOCKUDO_DEFAULT_APP_SECRET, or app_manager.array.apps, before exposing this server',
    );
  }
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
