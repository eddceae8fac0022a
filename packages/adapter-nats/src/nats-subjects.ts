// The three subjects one cluster of Sockudo nodes shares. Nodes with the same prefix form one
// cluster; different prefixes on one NATS system never see each other's messages.

import { ConfigError } from '@sockudo/core';

/** The subjects a NATS transport publishes to and subscribes to. */
export interface NatsSubjects {
  /** Broadcasts to every node: `${prefix}.broadcast`. */
  readonly broadcast: string;
  /** Requests to every node (and node heartbeats): `${prefix}.requests`. */
  readonly requests: string;
  /** Answers to requests: `${prefix}.responses`. */
  readonly responses: string;
  /** What a routing key's subject starts with: `${prefix}.r.` (the key follows as it is). */
  readonly routed: string;
}

/** The default subject prefix. */
export const DEFAULT_NATS_PREFIX = 'sockudo_events';

/**
 * `sockudo_events.broadcast`, `sockudo_events.requests`, `sockudo_events.responses` (the same layout as
 * Rust Sockudo's NATS transport). The prefix may have several dot-separated tokens but no wildcards
 * (`*`, `>`), whitespace or empty tokens.
 */
export function natsSubjects(prefix: string): NatsSubjects {
  const tokens = prefix.split('.');
  if (tokens.some((token) => token === '' || token === '*' || token === '>' || /\s/.test(token))) {
    throw new ConfigError(
      `nats transport: prefix ${JSON.stringify(prefix)} is not a valid subject prefix (dot-separated tokens, no wildcards, no whitespace, not empty)`,
      { key: 'prefix' },
    );
  }
  return {
    broadcast: `${prefix}.broadcast`,
    requests: `${prefix}.requests`,
    responses: `${prefix}.responses`,
    routed: `${prefix}.r.`,
  };
}
