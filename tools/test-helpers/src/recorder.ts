// Handlers that remember what a transport delivered, for assertions.

import type { TransportHandlersV2 } from '@sockudo/core';

export interface Recorder extends TransportHandlersV2 {
  readonly broadcasts: string[];
  readonly requests: string[];
  readonly responses: string[];
  /** Routed payloads (TransportV2), with their keys, in arrival order. */
  readonly routed: Array<{ key: string; payload: string }>;
  /** How many times the transport reported its subscriptions restored after a reconnect. */
  readonly restored: number;
  /** The routed payloads that arrived on `key`. */
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
    on: (key) => routed.filter((entry) => entry.key === key).map((entry) => entry.payload),
    onBroadcast: (payload) => broadcasts.push(text(payload)),
    onRequest: (payload) => requests.push(text(payload)),
    onResponse: (payload) => responses.push(text(payload)),
    onRouted: (key, payload) => routed.push({ key, payload: text(payload) }),
    onRestored: () => {
      restored += 1;
    },
  };
}
