// The suite proven against core's in-process transport: one bus per test cluster, so tests are isolated
// exactly as a broker prefix isolates them.

import { createMemoryBus, createMemoryTransport, type MemoryBus } from '@sockudo/core';
import { describe, it } from 'vitest';
import { transportTestSuite } from '../src/index.js';

const buses = new Map<string, MemoryBus>();

function busFor(cluster: string): MemoryBus {
  let bus = buses.get(cluster);
  if (!bus) {
    bus = createMemoryBus();
    buses.set(cluster, bus);
  }
  return bus;
}

transportTestSuite(it, ({ cluster }) => createMemoryTransport(busFor(cluster)), { describe });

describe('routed (TransportV2)', () => {
  transportTestSuite(it, ({ cluster }) => createMemoryTransport(busFor(cluster), { routed: true }), {
    describe,
    specVersion: 2,
  });
});

describe('routed (TransportV2) with routing: broadcast', () => {
  transportTestSuite(it, ({ cluster }) => createMemoryTransport(busFor(cluster), { routed: true }), {
    describe,
    specVersion: 2,
    horizontal: { routing: 'broadcast' },
  });
});
