// Sockudo's delivery extensions (Rust Sockudo's `crates/sockudo-core/src/options/v2_features.rs`, with
// its defaults and environment variables). docs/extensions.md shows each one on the wire.

import { section } from './key-spec.js';
import { BOOLEAN, POSITIVE } from './shapes.js';

export const IDEMPOTENCY = section(
  'idempotency',
  'Idempotent publish: a repeated idempotency_key (body) or X-Idempotency-Key (header) on POST /events or /batch_events is answered with the first response and publishes nothing. Cluster-wide with a shared (redis) cache; per node with the memory cache.',
  [
    {
      key: 'enabled',
      type: BOOLEAN,
      default: true,
      env: ['IDEMPOTENCY_ENABLED'],
      description: 'Honour idempotency keys (an app may override it in policy.idempotency.enabled).',
    },
    {
      key: 'ttl_seconds',
      type: POSITIVE,
      default: 120,
      env: ['IDEMPOTENCY_TTL_SECONDS'],
      description: 'Seconds a key and its response are remembered (per app: policy.idempotency.ttl_seconds).',
    },
    {
      key: 'max_key_length',
      type: POSITIVE,
      default: 128,
      env: ['IDEMPOTENCY_MAX_KEY_LENGTH'],
      description: 'Longest key in bytes; a longer one is answered with 400.',
    },
  ],
);
