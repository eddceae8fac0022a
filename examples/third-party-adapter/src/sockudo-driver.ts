// What `sockudo start` loads when config.json says `"adapter": { "driver": "sockudo-adapter-pg-notify" }`:
// the driver module contract (SockudoDriverV1 of @sockudo/core), mapping `adapter.options` to the
// transport's options.

import type { SockudoDriverV1 } from '@sockudo/core';
import { createPgNotifyTransport } from './pg-notify-transport.js';

/** `adapter.options` in config.json, snake_case like the rest of the file. */
export interface PgNotifyDriverOptions {
  /** PostgreSQL connection string; without it the `PG*` environment variables apply. */
  url?: string;
  /** The notification channel; nodes with the same prefix form one cluster. @default 'sockudo' */
  prefix?: string;
  /** @default 5000 */
  connect_timeout_ms?: number;
}

function optionalString(options: Record<string, unknown>, key: string, where: string): string | undefined {
  const value = options[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') {
    throw new TypeError(`${where}.${key}: expected a non-empty string, got ${JSON.stringify(value)}`);
  }
  return value;
}

/**
 * The driver module `sockudo start` imports by package name: an adapter whose transport is PostgreSQL
 * LISTEN/NOTIFY. Options (`adapter.options`): `url`, `prefix`, `connect_timeout_ms`.
 */
export const sockudoDriver: SockudoDriverV1<'adapter'> = {
  specVersion: 1,
  kind: 'adapter',
  create(options, context) {
    const where = context.optionsKey;
    const url = optionalString(options, 'url', where);
    if (url !== undefined && !/^postgres(ql)?:\/\//.test(url)) {
      throw new TypeError(`${where}.url: expected a postgres:// connection string`);
    }
    const prefix = optionalString(options, 'prefix', where);
    const timeout = options.connect_timeout_ms;
    if (timeout !== undefined && !(Number.isInteger(timeout) && (timeout as number) > 0)) {
      throw new TypeError(
        `${where}.connect_timeout_ms: expected a positive integer, got ${JSON.stringify(timeout)}`,
      );
    }
    for (const key of Object.keys(options)) {
      if (!['url', 'prefix', 'connect_timeout_ms'].includes(key)) {
        context.logger.warn(`${where}.${key}: unknown option of sockudo-adapter-pg-notify, ignored`);
      }
    }
    return createPgNotifyTransport({
      ...(url !== undefined && { connectionString: url }),
      ...(prefix !== undefined && { prefix }),
      ...(timeout !== undefined && { connectTimeoutMs: timeout as number }),
      logger: context.logger,
    });
  },
};
