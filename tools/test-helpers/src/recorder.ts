// Handlers that remember what a transport delivered, for assertions.

import type { TransportHandlersV2 } from '@sockudo/core';

/**
 * What a transport handed to its node. A TransportV1 calls only the all-nodes handlers; the routed ones
 * (`onRouted`, `onRestored`) are there for a TransportV2.
 */
export interface Recorder extends TransportHandlersV2 {
  readonly broadcasts: string[];
  readonly requests: string[];
  readonly responses: string[];
  /** `publishTo` payloads, with the key they arrived on. */
  readonly routed: Array<{ key: string; payload: string }>;
  /** How many times the transport called `onRestored`. */
  readonly restored: number;
  /** The routed payloads that arrived on `key` (as {@link routedOn}). */
  on(key: string): string[];
}

const text = (payload: Uint8Array | string) =>
  typeof payload === 'string' ? payload : Buffer.from(payload).toString('utf8');

export function recorder(): Recorder {
  const broadcasts: string[] = [];
  const requests: string[] = [];
  const responses: string[] = [];
  const routed: Array<{ key: string; payload: string }> = [];
  let restored = 0;
  return {
    broadcasts,
    requests,
    responses,
    routed,
    get restored() {
      return restored;
    },
    on: (key) => routed.filter((message) => message.key === key).map((message) => message.payload),
    onBroadcast: (payload) => broadcasts.push(text(payload)),
    onRequest: (payload) => requests.push(text(payload)),
    onResponse: (payload) => responses.push(text(payload)),
    onRouted: (key, payload) => routed.push({ key, payload: text(payload) }),
    onRestored: () => {
      restored++;
    },
  };
}

/** The payloads `seen` received on `key`, in arrival order. */
export function routedOn(seen: Recorder, key: string): string[] {
  return seen.routed.filter((message) => message.key === key).map((message) => message.payload);
}
