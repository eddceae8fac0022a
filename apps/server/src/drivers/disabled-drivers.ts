// The `none` drivers: a cache that keeps nothing and a queue that drops every job, as Rust Sockudo's
// `cache.driver: none` and `queue.driver: none` (webhooks are then not sent).

import type { CacheV1, QueueV1 } from '@sockudo/core';

/** A cache that stores nothing: cache channels have no last event to replay. */
export function createDisabledCache(): CacheV1 {
  return {
    specVersion: 1,
    async get() {
      return undefined;
    },
    async set() {},
    async delete() {},
    async ttl() {
      return undefined;
    },
  };
}

/** A queue that drops every job: with it webhooks are never sent. */
export function createDisabledQueue(): QueueV1 {
  return {
    specVersion: 1,
    async push() {},
    process() {},
  };
}
