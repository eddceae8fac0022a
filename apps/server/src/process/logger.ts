// The `sockudo` binary's logger: pino, writing JSON lines (LOG_OUTPUT_FORMAT=json) or readable text lines,
// synchronously, so the last lines before an exit are never lost. Credentials are masked before pino
// sees an entry; pino's `redact` hides the known secret paths once more for anything that reaches it directly.

import type { Logger } from '@sockudo/core';
import pino from 'pino';
import { LOG_LEVELS, type LogLevel } from '../config/config-schema.js';
import { isSecretName, MASK } from '../config/mask-secrets.js';

export { LOG_LEVELS, type LogLevel };

/** Options of {@link createServerLogger}. */
export interface ServerLoggerOptions {
  /** Entries below this level are dropped. @default 'info' */
  level?: LogLevel;
  /** `text` lines for people, `json` lines (one object per line with `level`, `time`, `msg`) for machines. @default 'text' */
  format?: 'text' | 'json';
  /** Colour the level (text format only). @default false */
  colors?: boolean;
  /** Where lines go. Without one (or with `process.stdout`), file descriptor 1, written synchronously. */
  stream?: { write(chunk: string): unknown };
  /** Fields on every entry, e.g. `{ worker: 2 }`. */
  bindings?: Record<string, unknown>;
  /** The clock. @default () => new Date() */
  now?: () => Date;
}

/** A {@link Logger} backed by pino, with child loggers. */
export interface ServerLogger extends Logger {
  /** A logger adding `bindings` (an app id, socket id, worker number, ...) to every entry. */
  child(bindings: Record<string, unknown>): ServerLogger;
  /** Writes out anything buffered (nothing is, with the default synchronous destination). */
  flush(): void;
}

/**
 * The secret paths pino's `redact` hides. The logger masks every field whose name looks like a credential
 * before pino sees it; these paths cover objects handed to pino another way.
 */
export const REDACT_PATHS: readonly string[] = Object.freeze([
  'secret',
  'password',
  'token',
  '*.secret',
  '*.password',
  '*.token',
  'app.secret',
  'apps[*].secret',
  'config.app_manager.array.apps[*].secret',
  'config.database.*.password',
  'database.*.password',
  'database.*.url',
  'redis.password',
  'redisUrl',
]);

// `scheme://user:password@host` anywhere in a text (a message, an error's stack): keep user and host.
const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^/:@\s]*:)([^@/\s]+)@/gi;

/** Hides every password of a URL inside `text` (`failed to connect to redis://:pw@h:6379` → `redis://:********@h:6379`). */
export function maskTextSecrets(text: string): string {
  return text.replace(URL_PASSWORD, `$1${MASK}@`);
}

function safeValue(value: unknown, name: string | undefined, depth: number): unknown {
  if (name !== undefined && isSecretName(name)) {
    // Booleans are switches (`cors.credentials`); empty stays visible as "not set".
    if (typeof value === 'boolean' || value === '' || value === null || value === undefined) return value;
    return MASK;
  }
  if (typeof value === 'string') return maskTextSecrets(value);
  if (typeof value !== 'object' || value === null) return value;
  if (depth > 8) return '[nested too deep]';
  if (value instanceof Error) {
    const error: Record<string, unknown> = {
      type: value.name,
      message: maskTextSecrets(value.message),
      stack: value.stack === undefined ? undefined : maskTextSecrets(value.stack),
    };
    const code = (value as { code?: unknown }).code;
    if (code !== undefined) error.code = code;
    if (value.cause !== undefined) error.cause = safeValue(value.cause, undefined, depth + 1);
    return error;
  }
  if (Array.isArray(value)) return value.map((item) => safeValue(item, undefined, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[key] = safeValue(item, key, depth + 1);
  return out;
}

/** A copy of log fields with credentials masked, URL passwords hidden and errors as plain objects. */
export function safeLogFields(fields: Record<string, unknown> | undefined): Record<string, unknown> {
  if (!fields) return {};
  return safeValue(fields, undefined, 0) as Record<string, unknown>;
}

/**
 * The level of the `sockudo` process: `logging.level` (`LOG_LEVEL`, validated by the schema);
 * `debug` (`--debug`, `DEBUG`, `"debug": true`) makes it at least `debug`.
 */
export function resolveLogLevel(debug: boolean, configured: LogLevel): LogLevel {
  if (debug && LOG_LEVELS.indexOf(configured) > LOG_LEVELS.indexOf('debug')) return 'debug';
  return configured;
}

const COLORS: Record<string, string> = {
  trace: '\x1b[90m',
  debug: '\x1b[90m',
  info: '\x1b[32m',
  warn: '\x1b[33m',
  error: '\x1b[31m',
  fatal: '\x1b[35m',
};

function fieldText(value: unknown): string {
  if (typeof value === 'object' && value !== null && 'stack' in value && typeof value.stack === 'string') {
    return `\n${value.stack}`;
  }
  if (typeof value === 'string') return /[\s"=]/.test(value) || value === '' ? JSON.stringify(value) : value;
  return JSON.stringify(value) ?? String(value);
}

/** Turns pino's JSON lines into `time LEVEL message key=value` lines. */
function textStream(
  target: { write(chunk: string): unknown },
  colors: boolean,
): { write(line: string): void } {
  return {
    write(line: string) {
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(line) as Record<string, unknown>;
      } catch {
        target.write(line);
        return;
      }
      const { level, time, msg, ...fields } = entry;
      const name = String(level);
      const label = name.toUpperCase().padEnd(5);
      const shown = colors ? `${COLORS[name] ?? ''}${label}\x1b[0m` : label;
      const extra = Object.entries(fields)
        .map(([key, value]) => ` ${key}=${fieldText(value)}`)
        .join('');
      target.write(`${String(time)} ${shown} ${String(msg ?? '')}${extra}\n`);
    },
  };
}

function wrap(logger: pino.Logger): ServerLogger {
  const write =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (message: string, fields?: Record<string, unknown>): void => {
      if (!logger.isLevelEnabled(level)) return;
      logger[level](safeLogFields(fields), maskTextSecrets(message));
    };
  return {
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    child: (bindings) => wrap(logger.child(safeLogFields(bindings))),
    flush: () => logger.flush(),
  };
}

/** The `sockudo` process's {@link Logger}: pino, as text or JSON lines, with secrets masked. */
export function createServerLogger(options: ServerLoggerOptions = {}): ServerLogger {
  const now = options.now;
  const target =
    options.stream === undefined || options.stream === process.stdout
      ? pino.destination({ dest: 1, sync: true })
      : options.stream;
  const destination = options.format === 'json' ? target : textStream(target, options.colors === true);
  const logger = pino(
    {
      level: options.level ?? 'info',
      base: options.bindings ? safeLogFields(options.bindings) : null,
      timestamp: now ? () => `,"time":"${now().toISOString()}"` : pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: [...REDACT_PATHS], censor: MASK },
    },
    destination as pino.DestinationStream,
  );
  return wrap(logger);
}
