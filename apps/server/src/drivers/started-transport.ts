// Starts a transport before the server exists, so the registry can tell at start whether the broker is
// reachable (and fall back to the local adapter) instead of the server's listen() failing later.

import type { TransportHandlersV2, TransportV1, TransportV2 } from '@sockudo/core';

/**
 * Starts `transport` and resolves with a transport the server can "start" again: its `start()` only
 * installs the server's handlers. Messages that arrive before that are dropped; this node has not
 * announced itself yet, so none are addressed to it. A {@link TransportV2} stays one (routed).
 *
 * @throws whatever `transport.start()` throws
 */
export async function startTransportEarly(
  transport: TransportV1 | TransportV2,
): Promise<TransportV1 | TransportV2> {
  let handlers: TransportHandlersV2 | undefined;
  await (transport as TransportV2).start({
    onBroadcast: (payload) => handlers?.onBroadcast(payload),
    onRequest: (payload) => handlers?.onRequest(payload),
    onResponse: (payload) => handlers?.onResponse(payload),
    onRouted: (key, payload) => handlers?.onRouted(key, payload),
    onRestored: () => handlers?.onRestored?.(),
  });
  const nodeCount = transport.nodeCount?.bind(transport);
  const common = {
    async start(serverHandlers: TransportHandlersV2) {
      handlers = serverHandlers;
    },
    publishBroadcast: (payload: string) => transport.publishBroadcast(payload),
    publishRequest: (payload: string) => transport.publishRequest(payload),
    publishResponse: (payload: string) => transport.publishResponse(payload),
    ...(nodeCount && { nodeCount }),
    checkHealth: () => transport.checkHealth(),
    close: () => transport.close(),
  };
  if (transport.specVersion !== 2) return { specVersion: 1, ...common };
  return {
    specVersion: 2,
    ...common,
    publishTo: (key, payload) => transport.publishTo(key, payload),
    subscribe: (keys) => transport.subscribe(keys),
    unsubscribe: (keys) => transport.unsubscribe(keys),
  };
}
