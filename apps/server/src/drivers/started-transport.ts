// Starts a transport before the server exists, so the registry can tell at start whether the broker is
// reachable (and fall back to the local adapter) instead of the server's listen() failing later.

import type { TransportHandlers, TransportV1 } from '@sockudo/core';

/**
 * Starts `transport` and resolves with a transport the server can "start" again: its `start()` only
 * installs the server's handlers. Messages that arrive before that are dropped; this node has not
 * announced itself yet, so none are addressed to it.
 *
 * @throws whatever `transport.start()` throws
 */
export async function startTransportEarly(transport: TransportV1): Promise<TransportV1> {
  let handlers: TransportHandlers | undefined;
  await transport.start({
    onBroadcast: (payload) => handlers?.onBroadcast(payload),
    onRequest: (payload) => handlers?.onRequest(payload),
    onResponse: (payload) => handlers?.onResponse(payload),
  });
  const nodeCount = transport.nodeCount?.bind(transport);
  return {
    specVersion: 1,
    async start(serverHandlers) {
      handlers = serverHandlers;
    },
    publishBroadcast: (payload) => transport.publishBroadcast(payload),
    publishRequest: (payload) => transport.publishRequest(payload),
    publishResponse: (payload) => transport.publishResponse(payload),
    ...(nodeCount && { nodeCount }),
    checkHealth: () => transport.checkHealth(),
    close: () => transport.close(),
  };
}
