// Interest routing's promise to a client: once it saw `subscription_succeeded` (or `signin_success`),
// an event triggered through any other node reaches it. Two nodes over a routed memory transport whose
// broker takes 300 ms to acknowledge a subscription — a client told too early would miss the event.

import { createMemoryBus, createMemoryTransport, type TransportV2 } from '@sockudo/core';
import { afterEach, describe, expect, it } from 'vitest';
import { nextEvent, subscribed } from '../helpers/clients.js';
import { cleanupFeatures, featureApp, signedInPusher } from '../helpers/features.js';
import { startServer } from '../helpers/server.js';

afterEach(cleanupFeatures);

const ACK_DELAY_MS = 300;

/** A routed memory transport whose subscriptions take effect (and are acknowledged) late. */
function slowBroker(bus: ReturnType<typeof createMemoryBus>): TransportV2 {
  const inner = createMemoryTransport(bus, { routed: true });
  return {
    ...inner,
    start: (handlers) => inner.start(handlers),
    async subscribe(keys) {
      await new Promise((resolve) => setTimeout(resolve, ACK_DELAY_MS));
      await inner.subscribe(keys);
    },
  };
}

async function twoNodes() {
  const bus = createMemoryBus();
  const app = featureApp();
  const horizontal = { heartbeatIntervalMs: 60_000, nodeTimeoutMs: 120_000 };
  const home = await startServer({ apps: [app], transport: slowBroker(bus), horizontal });
  const other = await startServer({ apps: [app], transport: slowBroker(bus), horizontal });
  return { app, home, other };
}

describe('the first subscriber on a node, with a broker slow to acknowledge', () => {
  it('gets a trigger sent through another node right after subscription_succeeded', async () => {
    const { app, home, other } = await twoNodes();
    const pusher = await signedInPusher(home.port, app, home.backend(), { id: 'alice' });
    const started = Date.now();
    const { channel } = await subscribed(pusher, 'private-first');
    expect(Date.now() - started).toBeGreaterThanOrEqual(ACK_DELAY_MS - 20);
    const arrived = nextEvent(channel, 'right-after', 'the trigger sent right after subscribing');
    await other.backend().trigger('private-first', 'right-after', { n: 1 });
    expect((await arrived).data).toEqual({ n: 1 });
  });

  it('gets a sendToUser sent through another node right after signin_success', async () => {
    const { app, home, other } = await twoNodes();
    const started = Date.now();
    const pusher = await signedInPusher(home.port, app, home.backend(), { id: 'bob' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(ACK_DELAY_MS - 20);
    const arrived = nextEvent(pusher.user, 'notice', 'the sendToUser sent right after signing in');
    await other.backend().sendToUser('bob', 'notice', { n: 2 });
    expect((await arrived).data).toEqual({ n: 2 });
  });
});
