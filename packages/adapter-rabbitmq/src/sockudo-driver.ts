// What `sockudo start` loads when config.json says `"adapter": { "driver": "@sockudo/adapter-rabbitmq" }`:
// the driver module contract (SockudoDriverV1 of @sockudo/core), mapping `adapter.options` (snake_case,
// Rust Sockudo's names) to the transport's options.

import type { SockudoDriverV1, TransportV2 } from '@sockudo/core';
import { createRabbitMqTransport, type RabbitMqTransportOptions } from './rabbitmq-transport.js';

/** `adapter.options` in config.json, with Rust Sockudo's `adapter.rabbitmq` names. */
export interface RabbitMqDriverOptions {
  /** @default 'amqp://guest:guest@127.0.0.1:5672/%2f' */
  url?: string;
  /** @default 'sockudo_adapter' */
  prefix?: string;
  /** @default 5000 */
  request_timeout_ms?: number;
  /** @default 5000 */
  connection_timeout_ms?: number;
  /** @default 1000 */
  health_check_timeout_ms?: number;
  /** @default 1000 */
  max_in_flight_publishes?: number;
  /** @default 10000 */
  max_waiting_publishes?: number;
  /** @default 2000 */
  publish_timeout_ms?: number;
}

const NUMBERS = {
  request_timeout_ms: 'requestTimeoutMs',
  connection_timeout_ms: 'connectionTimeoutMs',
  health_check_timeout_ms: 'healthCheckTimeoutMs',
  max_in_flight_publishes: 'maxInFlightPublishes',
  max_waiting_publishes: 'maxWaitingPublishes',
  publish_timeout_ms: 'publishTimeoutMs',
} as const satisfies Record<string, keyof RabbitMqTransportOptions>;

const KNOWN = ['url', 'prefix', ...Object.keys(NUMBERS)];

/**
 * Maps `adapter.options` to {@link RabbitMqTransportOptions}, throwing an Error that names the option
 * (`adapter.options.prefix: …`); an unknown option is passed to `onUnknown` and ignored. Numbers may be
 * given as strings, which is what `${VAR}` substitution produces.
 */
export function rabbitMqDriverOptions(
  options: Record<string, unknown>,
  where = 'adapter.options',
  onUnknown?: (message: string) => void,
): RabbitMqTransportOptions {
  const result: RabbitMqTransportOptions = {};
  for (const key of ['url', 'prefix'] as const) {
    const value = options[key];
    if (value === undefined) continue;
    if (typeof value !== 'string' || value === '') {
      throw new TypeError(`${where}.${key}: expected a non-empty string, got ${JSON.stringify(value)}`);
    }
    result[key] = value;
  }
  for (const [key, option] of Object.entries(NUMBERS)) {
    const value = options[key];
    if (value === undefined) continue;
    const number = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
    if (typeof number !== 'number' || !Number.isInteger(number) || number < 0) {
      throw new TypeError(`${where}.${key}: expected a whole number, got ${JSON.stringify(value)}`);
    }
    result[option] = number;
  }
  for (const key of Object.keys(options)) {
    if (!KNOWN.includes(key))
      onUnknown?.(`${where}.${key}: not an option of @sockudo/adapter-rabbitmq, ignored`);
  }
  return result;
}

/**
 * The driver module `sockudo start` imports by package name. Options (`adapter.options`): `url`,
 * `prefix`, `request_timeout_ms`, `connection_timeout_ms`, `health_check_timeout_ms`,
 * `max_in_flight_publishes`, `max_waiting_publishes`, `publish_timeout_ms`.
 *
 * `create` returns the routed {@link createRabbitMqTransport} itself (a TransportV2).
 */
export const sockudoDriver: SockudoDriverV1<'adapter'> = {
  specVersion: 1,
  kind: 'adapter',
  create(options, context): TransportV2 {
    return createRabbitMqTransport({
      ...rabbitMqDriverOptions(options, context.optionsKey, (message) => context.logger.warn(message)),
      logger: context.logger,
    });
  },
};
