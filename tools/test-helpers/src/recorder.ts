// Handlers that remember what a transport delivered, for assertions.

import type { TransportHandlers } from '@sockudo/core';

export interface Recorder extends TransportHandlers {
  readonly broadcasts: string[];
  readonly requests: string[];
  readonly responses: string[];
}

const text = (payload: Uint8Array | string) =>
  typeof payload === 'string' ? payload : Buffer.from(payload).toString('utf8');

export function recorder(): Recorder {
  const broadcasts: string[] = [];
  const requests: string[] = [];
  const responses: string[] = [];
  return {
    broadcasts,
    requests,
    responses,
    onBroadcast: (payload) => broadcasts.push(text(payload)),
    onRequest: (payload) => requests.push(text(payload)),
    onResponse: (payload) => responses.push(text(payload)),
  };
}
