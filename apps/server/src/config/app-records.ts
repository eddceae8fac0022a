// Apps in the config: validates `app_manager.array.apps` with core's `appFromRecord` (reporting every
// bad key, not just the first), builds the `SOCKUDO_DEFAULT_APP_*` app from the environment, and turns
// apps back into records for `sockudo config check`.

import { APP_RECORD_KEYS, type App, appFromRecord, ConfigError } from '@sockudo/core';
import type { ConfigIssue } from './config-issue.js';
import { DEFAULT_APP_ENV, type DefaultAppEnvSpec } from './config-schema.js';
import { checkValue, parseBoolean } from './config-value.js';
import { isRecord, type RawRecord } from './raw-config.js';

function camel(snake: string): string {
  return snake.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

const KNOWN_APP_KEYS = new Set(APP_RECORD_KEYS.flatMap((key) => [key, camel(key)]));

/**
 * Removes (or, for credentials, fills in) the field an error names, so the next `appFromRecord` run can
 * find the next problem. Returns false when the field cannot be located.
 */
function removeOffendingField(record: RawRecord, relative: string): boolean {
  const parts = relative.split('[')[0]!.split('.');
  const last = parts.pop()!;
  let node: RawRecord = record;
  for (const part of parts) {
    const next = node[part];
    if (!isRecord(next)) return false;
    node = next;
  }
  if (parts.length === 0 && (last === 'id' || last === 'key' || last === 'secret')) {
    if (record[last] === '\u0000checked') return false;
    record[last] = '\u0000checked';
    return true;
  }
  if (!(last in node)) return false;
  delete node[last];
  return true;
}

/** Validates one app record, collecting every problem `appFromRecord` reports. */
function validateApp(record: unknown, where: string): { app?: App; errors: ConfigIssue[] } {
  if (!isRecord(record)) {
    return { errors: [{ key: where, message: `${where}: expected an app object with id, key and secret` }] };
  }
  const errors: ConfigIssue[] = [];
  const working = structuredClone(record);
  for (let attempt = 0; attempt < 64; attempt += 1) {
    try {
      const app = appFromRecord(working, where);
      return errors.length === 0 ? { app, errors } : { errors };
    } catch (error) {
      if (ConfigError.isInstance(error) && error.key?.startsWith(where)) {
        errors.push({ key: error.key, message: error.message });
        if (removeOffendingField(working, error.key.slice(where.length + 1))) continue;
      } else {
        // appFromRecord parses `policy`/`webhooks` given as JSON strings; a SyntaxError lands here.
        errors.push({ key: where, message: `${where}: ${(error as Error).message}` });
      }
      return { errors };
    }
  }
  return { errors };
}

/** The result of {@link validateApps}. */
export interface AppsCheck {
  apps: App[];
  errors: ConfigIssue[];
  warnings: string[];
}

/** Validates a list of app records at config path `where`, including duplicate ids and keys. */
export function validateApps(value: unknown, where: string): AppsCheck {
  const result: AppsCheck = { apps: [], errors: [], warnings: [] };
  if (!Array.isArray(value)) {
    result.errors.push({ key: where, message: `${where}: expected an array of apps` });
    return result;
  }
  const ids = new Map<string, string>();
  const keys = new Map<string, string>();
  value.forEach((record, index) => {
    const at = `${where}[${index}]`;
    const { app, errors } = validateApp(record, at);
    result.errors.push(...errors);
    if (isRecord(record)) {
      const unknown = Object.keys(record).filter((key) => !KNOWN_APP_KEYS.has(key));
      if (unknown.length > 0)
        result.warnings.push(`${at}: ignoring keys this release does not use: ${unknown.join(', ')}`);
    }
    if (!app) return;
    const sameId = ids.get(app.id);
    if (sameId)
      result.errors.push({
        key: `${at}.id`,
        message: `${at}.id: duplicate app id "${app.id}" (also ${sameId})`,
      });
    else ids.set(app.id, at);
    const sameKey = keys.get(app.key);
    if (sameKey)
      result.errors.push({
        key: `${at}.key`,
        message: `${at}.key: duplicate app key "${app.key}" (also ${sameKey})`,
      });
    else keys.set(app.key, at);
    result.apps.push(app);
  });
  return result;
}

function firstSet(
  env: Record<string, string | undefined>,
  names: readonly string[],
): [string, string] | undefined {
  for (const name of names) {
    const value = env[name];
    if (value !== undefined && value !== '') return [name, value];
  }
  return undefined;
}

const COUNT_TYPE = { kind: 'number', integer: true, min: 0 } as const;

function envValue(
  spec: DefaultAppEnvSpec,
  name: string,
  text: string,
): { value?: unknown; error?: ConfigIssue } {
  const type = spec.type.kind === 'number' ? COUNT_TYPE : spec.type;
  const checked = checkValue(type, text, true);
  if (checked.ok) return { value: checked.value };
  return { error: { key: name, message: `${name} (env): ${checked.message}` } };
}

/** The result of {@link defaultAppFromEnv}. */
export interface DefaultAppEnv {
  /** The app records that replace the inline apps, or undefined to keep them. */
  apps?: RawRecord[];
  errors: ConfigIssue[];
  /** Things worth logging, e.g. "replacing 2 inline apps". */
  notes: string[];
}

/**
 * Applies `SOCKUDO_DEFAULT_APP_*`, `SOCKUDO_SKIP_INLINE_APPS` and `APP_MANAGER_REGISTER_INLINE_APPS`
 * as Rust Sockudo does: credentials in the environment replace the inline apps with one app. Unlike Rust
 * Sockudo, unset limits take Pusher's defaults (core `APP_DEFAULTS`) rather than 100, and setting only
 * some of id/key/secret is an error rather than a warning.
 */
export function defaultAppFromEnv(env: Record<string, string | undefined>): DefaultAppEnv {
  const result: DefaultAppEnv = { errors: [], notes: [] };
  const flag = (name: string): boolean | undefined => {
    const text = env[name];
    if (text === undefined || text === '') return undefined;
    const value = parseBoolean(text);
    if (value === undefined) {
      result.errors.push({
        key: name,
        message: `${name} (env): expected true or false, got ${JSON.stringify(text)}`,
      });
    }
    return value;
  };
  const skipInline =
    flag('SOCKUDO_SKIP_INLINE_APPS') === true || flag('APP_MANAGER_REGISTER_INLINE_APPS') === false;

  const record: RawRecord = {};
  const credentials = DEFAULT_APP_ENV.filter((spec) => ['id', 'key', 'secret'].includes(spec.field));
  const present = credentials.filter((spec) => firstSet(env, spec.env));
  let enabled: boolean | undefined;
  for (const spec of DEFAULT_APP_ENV) {
    const found = firstSet(env, spec.env);
    if (!found) continue;
    const { value, error } = envValue(spec, found[0], found[1]);
    if (error) result.errors.push(error);
    else if (spec.field === 'enabled') enabled = value as boolean;
    else record[spec.field] = value;
  }

  if (present.length > 0 && present.length < credentials.length) {
    const all = credentials.map((spec) => spec.env[0]).join(', ');
    for (const spec of credentials) {
      if (present.includes(spec)) continue;
      const name = spec.env[0]!;
      result.errors.push({ key: name, message: `${name} (env): not set; ${all} must be set together` });
    }
    return result;
  }
  const replaceInline = skipInline || present.length > 0 || enabled === false;
  if (!replaceInline) return result;
  result.apps = [];
  if (skipInline)
    result.notes.push('inline apps dropped by SOCKUDO_SKIP_INLINE_APPS/APP_MANAGER_REGISTER_INLINE_APPS');
  if (present.length === credentials.length && enabled !== false) {
    result.apps.push({ ...record, enabled: true });
    result.notes.push(
      `serving the app from SOCKUDO_DEFAULT_APP_* (id "${String(record.id)}") instead of inline apps`,
    );
  } else if (enabled === false) {
    result.notes.push('SOCKUDO_DEFAULT_APP_ENABLED=false: no default app registered');
  }
  return result;
}

/** An app as a flat snake_case record, the shape config.json uses (for printing). */
export function appToRecord(app: App): RawRecord {
  const record: RawRecord = {};
  for (const key of APP_RECORD_KEYS) {
    if (key === 'policy') continue;
    const value = (app as unknown as RawRecord)[camel(key)];
    if (value === undefined) continue;
    if (key === 'idempotency' && app.idempotency) {
      const { enabled, ttlSeconds } = app.idempotency;
      record[key] = {
        ...(enabled !== undefined && { enabled }),
        ...(ttlSeconds !== undefined && { ttl_seconds: ttlSeconds }),
      };
      continue;
    }
    record[key] =
      key === 'webhooks'
        ? app.webhooks.map((hook) => {
            const out: RawRecord = { url: hook.url, event_types: hook.eventTypes };
            if (hook.filter) {
              out.filter = Object.fromEntries(
                Object.entries(hook.filter).map(([k, v]) => [
                  k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`),
                  v,
                ]),
              );
            }
            if (hook.headers) out.headers = hook.headers;
            return out;
          })
        : value;
  }
  return record;
}
