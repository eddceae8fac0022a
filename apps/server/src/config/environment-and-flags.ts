// The two sources after the file: environment variables (Rust Sockudo's names, checked as they are
// read, so an error names the variable) and the command-line flags.

import type { ConfigIssue } from './config-issue.js';
import { CONFIG_KEYS, CONFIG_SCHEMA } from './config-schema.js';
import { checkValue, isUrlWithScheme } from './config-value.js';
import { effectiveType, getPath, isRecord, type Origin, type RawRecord, setPath } from './raw-config.js';

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

/**
 * Applies the schema's environment variables (the first one set wins for a key; empty counts as unset)
 * and REDIS_URL, checking each value as it is read so an error names the variable.
 */
export function applyEnvironment(
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

/** Applies `--host`, `--port`, `--debug` and `--workers`, checked like the environment. */
export function applyFlags(
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
