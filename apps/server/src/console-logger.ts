// The `sockudo` binary's logger: one line per entry, as text (`time LEVEL message key=value`) or JSON
// (LOG_OUTPUT_FORMAT=json). Fields that look like credentials are masked before they are written.

import type { Logger } from '@sockudo/core';
import { isSecretName, MASK, maskSecrets, maskUrlPassword } from './mask-secrets.js';

type Level = 'debug' | 'info' | 'warn' | 'error';

/** Options of {@link createConsoleLogger}. */
export interface ConsoleLoggerOptions {
  /** Write debug entries. @default false */
  debug?: boolean;
  /** @default 'text' */
  format?: 'text' | 'json';
  /** Colour the level (text format only). @default false */
  colors?: boolean;
  /** Where lines go. @default process.stdout */
  stream?: { write(chunk: string): unknown };
  /** @default () => new Date() */
  now?: () => Date;
}

const COLORS: Record<Level, string> = {
  debug: '\x1b[90m',
  info: '\x1b[32m',
  warn: '\x1b[33m',
  error: '\x1b[31m',
};

function plain(value: unknown): unknown {
  if (value instanceof Error) {
    return { name: value.name, message: value.message, stack: value.stack };
  }
  return value;
}

function fieldText(value: unknown): string {
  const shown = plain(value);
  if (shown instanceof Object && 'stack' in shown && typeof shown.stack === 'string')
    return `\n${shown.stack}`;
  if (typeof shown === 'string') return /[\s"=]/.test(shown) || shown === '' ? JSON.stringify(shown) : shown;
  return JSON.stringify(shown) ?? String(shown);
}

function safeFields(fields: Record<string, unknown> | undefined): Record<string, unknown> {
  if (!fields) return {};
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    out[key] = isSecretName(key) ? MASK : maskSecrets(plain(value));
  }
  return out;
}

/** A {@link Logger} that writes one line per entry. */
export function createConsoleLogger(options: ConsoleLoggerOptions = {}): Logger {
  const stream = options.stream ?? process.stdout;
  const now = options.now ?? (() => new Date());
  const format = options.format ?? 'text';
  const write = (level: Level, message: string, fields?: Record<string, unknown>): void => {
    if (level === 'debug' && !options.debug) return;
    const time = now().toISOString();
    const safe = safeFields(fields);
    const text = maskUrlPassword(message);
    if (format === 'json') {
      stream.write(`${JSON.stringify({ time, level, msg: text, ...safe })}\n`);
      return;
    }
    const label = level.toUpperCase().padEnd(5);
    const shownLabel = options.colors ? `${COLORS[level]}${label}\x1b[0m` : label;
    const extra = Object.entries(safe)
      .map(([key, value]) => ` ${key}=${fieldText(value)}`)
      .join('');
    stream.write(`${time} ${shownLabel} ${text}${extra}\n`);
  };
  return {
    debug: (message, fields) => write('debug', message, fields),
    info: (message, fields) => write('info', message, fields),
    warn: (message, fields) => write('warn', message, fields),
    error: (message, fields) => write('error', message, fields),
  };
}
