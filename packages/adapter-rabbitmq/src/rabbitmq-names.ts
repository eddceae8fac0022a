// The exchanges one cluster of Sockudo nodes shares, the name of a node's own queue, and the AMQP
// routing key of a core routing key. Every node computes these the same way, so they agree without
// talking to each other.

import { createHash, randomUUID } from 'node:crypto';
import { ConfigError } from '@sockudo/core';

/** The default prefix (Rust Sockudo's `adapter.rabbitmq.prefix`). */
export const DEFAULT_RABBITMQ_PREFIX = 'sockudo_adapter';

/** AMQP short strings (exchange and queue names, routing keys) hold at most 255 bytes. */
const SHORT_STRING_BYTES = 255;

/** The exchanges a RabbitMQ transport declares. */
export interface RabbitMqExchanges {
  /**
   * `${prefix}.broadcast`, a fanout exchange every node's queue is bound to: broadcasts, requests
   * (and heartbeats) and responses, told apart by the message's `type` property.
   */
  readonly broadcast: string;
  /** `${prefix}.routed`, a direct exchange: one binding per routing key a node holds. */
  readonly routed: string;
}

/**
 * `sockudo_adapter.broadcast` and `sockudo_adapter.routed` for the default prefix. A prefix must be
 * non-empty, must not start with `amq.` (reserved by the broker) and must leave room for the names
 * built from it.
 */
export function rabbitMqExchanges(prefix: string): RabbitMqExchanges {
  // The longest name built from the prefix is the node queue: `${prefix}.node.` and a UUID (42 bytes).
  if (prefix === '' || prefix.startsWith('amq.') || Buffer.byteLength(prefix) > SHORT_STRING_BYTES - 42) {
    throw new ConfigError(
      `rabbitmq transport: prefix ${JSON.stringify(prefix)} cannot name exchanges (non-empty, not starting with "amq.", at most ${SHORT_STRING_BYTES - 42} bytes)`,
      { key: 'prefix' },
    );
  }
  return { broadcast: `${prefix}.broadcast`, routed: `${prefix}.routed` };
}

/**
 * A new name for a node's queue: `${prefix}.node.<uuid>`. Each connection gets a fresh one, because the
 * broker may still hold the previous connection's exclusive queue for a while after the node saw it die.
 */
export function nodeQueueName(prefix: string): string {
  return `${prefix}.node.${randomUUID()}`;
}

/**
 * The AMQP routing key of a core routing key: the key itself when it fits in 255 bytes, else
 * `%sha256.<hex of the key>`. Core escapes `%` only as `%HH` with upper-case hex digits (or a lone `%`),
 * so no key core builds looks like a hashed one.
 */
export function amqpRoutingKey(key: string): string {
  if (Buffer.byteLength(key) <= SHORT_STRING_BYTES) return key;
  return `%sha256.${createHash('sha256').update(key).digest('hex')}`;
}
