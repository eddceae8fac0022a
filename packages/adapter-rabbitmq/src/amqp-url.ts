// The broker URL as amqplib gets it (with a heartbeat unless the URL chose one) and as people see it in
// errors and logs (without the password).

import { ConfigError } from '@sockudo/core';

/** The default broker URL (Rust Sockudo's `adapter.rabbitmq.url`). */
export const DEFAULT_RABBITMQ_URL = 'amqp://guest:guest@127.0.0.1:5672/%2f';

/**
 * The heartbeat the transport asks for, in seconds, unless the URL sets `?heartbeat=`. The broker's own
 * suggestion (60 s) would let a broker that stopped answering go unnoticed for two minutes.
 */
export const DEFAULT_HEARTBEAT_SECONDS = 10;

/** A parsed broker URL. */
export interface AmqpUrl {
  /** What amqplib connects to. */
  readonly href: string;
  /** The URL with the password replaced by `***`, for messages. */
  readonly display: string;
  /** The password, to scrub from error messages; `undefined` when the URL has none. */
  readonly password: string | undefined;
}

/** Checks and completes a broker URL; throws a {@link ConfigError} naming `key` when it is unusable. */
export function parseAmqpUrl(url: string, key = 'url'): AmqpUrl {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (error) {
    throw new ConfigError(`rabbitmq transport: ${key} is not a URL`, { key, cause: error });
  }
  if (parsed.protocol !== 'amqp:' && parsed.protocol !== 'amqps:') {
    throw new ConfigError(
      `rabbitmq transport: ${key} must start with amqp:// or amqps://, got ${parsed.protocol}//`,
      { key },
    );
  }
  const password = parsed.password === '' ? undefined : decodeURIComponent(parsed.password);
  if (!parsed.searchParams.has('heartbeat')) {
    parsed.searchParams.set('heartbeat', String(DEFAULT_HEARTBEAT_SECONDS));
  }
  const href = parsed.href;
  const shown = new URL(url);
  if (shown.password !== '') shown.password = '***';
  return { href, display: shown.href, password };
}
