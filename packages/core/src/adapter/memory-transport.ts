// An in-process "broker" for tests and for several nodes in one process: every transport attached to
// a bus receives every all-nodes message (its own included, as a real broker would), and the routed
// messages of the keys it subscribed to, asynchronously and in publish order.

import type { TransportHandlers, TransportV1 } from '../spec/v1/index.js';
import type { TransportHandlersV2, TransportV2 } from '../spec/v2/index.js';

type Channel = 'broadcast' | 'request' | 'response';

/** One attached transport: its handlers and the routing keys it subscribed to. */
interface BusMember {
  readonly handlers: TransportHandlers | TransportHandlersV2;
  readonly keys: Set<string>;
}

/** The shared medium several memory transports talk over. */
export interface MemoryBus {
  /** @internal */
  readonly members: Set<BusMember>;
  /** While false, publishing and subscribing fail as if the broker were unreachable (for fault tests). */
  available: boolean;
}

/** Options of {@link createMemoryTransport}. */
export interface MemoryTransportOptions {
  /**
   * Make a {@link TransportV2} that routes: `publishTo(key)` reaches only the transports that subscribed
   * to `key`. Without it the transport is a {@link TransportV1} and every node gets every event.
   * @default false
   */
  routed?: boolean;
}

/** Creates a bus for {@link createMemoryTransport}. */
export function createMemoryBus(): MemoryBus {
  return { members: new Set(), available: true };
}

const unavailable = () => new Error('memory bus is unavailable');

/** A {@link TransportV1} over an in-process {@link MemoryBus}. */
export function createMemoryTransport(bus: MemoryBus, options?: { routed?: false }): TransportV1;
/** A routed {@link TransportV2} over an in-process {@link MemoryBus}. */
export function createMemoryTransport(bus: MemoryBus, options: { routed: true }): TransportV2;
export function createMemoryTransport(
  bus: MemoryBus,
  options: MemoryTransportOptions = {},
): TransportV1 | TransportV2 {
  let self: BusMember | undefined;
  const publish = async (channel: Channel, payload: string) => {
    if (!bus.available) throw unavailable();
    for (const member of bus.members) {
      setImmediate(() => {
        if (!bus.members.has(member)) return;
        const { handlers } = member;
        if (channel === 'broadcast') handlers.onBroadcast(payload);
        else if (channel === 'request') handlers.onRequest(payload);
        else handlers.onResponse(payload);
      });
    }
  };
  const common = {
    async start(handlers: TransportHandlers | TransportHandlersV2) {
      self = { handlers, keys: new Set() };
      bus.members.add(self);
    },
    publishBroadcast: (payload: string) => publish('broadcast', payload),
    publishRequest: (payload: string) => publish('request', payload),
    publishResponse: (payload: string) => publish('response', payload),
    async nodeCount() {
      return bus.members.size;
    },
    async checkHealth() {
      if (!bus.available) throw unavailable();
    },
    async close() {
      if (self) bus.members.delete(self);
    },
  };
  if (!options.routed) return { specVersion: 1, ...common };
  return {
    specVersion: 2,
    ...common,
    async publishTo(key, payload) {
      if (!bus.available) throw unavailable();
      for (const member of bus.members) {
        if (!member.keys.has(key)) continue;
        setImmediate(() => {
          if (bus.members.has(member) && member.keys.has(key)) {
            (member.handlers as TransportHandlersV2).onRouted(key, payload);
          }
        });
      }
    },
    async subscribe(keys) {
      if (!self) throw new Error('memory transport: start() first');
      for (const key of keys) self.keys.add(key);
      if (!bus.available) throw unavailable(); // the keys stay: they count once the bus is back
    },
    async unsubscribe(keys) {
      for (const key of keys) self?.keys.delete(key);
    },
  };
}
