// An in-process "broker" for tests and for several nodes in one process: every transport attached to
// a bus receives every message (its own included, as a real broker would), asynchronously.

import type { TransportHandlers, TransportV1 } from '../spec/v1/index.js';

type Channel = 'broadcast' | 'request' | 'response';

/** The shared medium several memory transports talk over. */
export interface MemoryBus {
  /** @internal */
  readonly members: Set<TransportHandlers>;
  /** While false, publishing fails as if the broker were unreachable (for fault tests). */
  available: boolean;
}

/** Creates a bus for {@link createMemoryTransport}. */
export function createMemoryBus(): MemoryBus {
  return { members: new Set(), available: true };
}

/** A {@link TransportV1} over an in-process {@link MemoryBus}. */
export function createMemoryTransport(bus: MemoryBus): TransportV1 {
  let handlers: TransportHandlers | undefined;
  const publish = async (channel: Channel, payload: string) => {
    if (!bus.available) throw new Error('memory bus is unavailable');
    for (const member of bus.members) {
      setImmediate(() => {
        if (!bus.members.has(member)) return;
        if (channel === 'broadcast') member.onBroadcast(payload);
        else if (channel === 'request') member.onRequest(payload);
        else member.onResponse(payload);
      });
    }
  };
  return {
    specVersion: 1,
    async start(h) {
      handlers = h;
      bus.members.add(h);
    },
    publishBroadcast: (payload) => publish('broadcast', payload),
    publishRequest: (payload) => publish('request', payload),
    publishResponse: (payload) => publish('response', payload),
    async nodeCount() {
      return bus.members.size;
    },
    async checkHealth() {
      if (!bus.available) throw new Error('memory bus is unavailable');
    },
    async close() {
      if (handlers) bus.members.delete(handlers);
    },
  };
}
