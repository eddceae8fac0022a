// The published transport conformance suite (TransportV2: the V1 groups over routed delivery plus the
// routing groups, then once more with every node routing by broadcast), run exactly as a third-party
// adapter would run it.

import { NATS_URL, requireService } from '@sockudo/test-helpers/services';
import { transportTestSuite } from '@sockudo/test-suite';
import { beforeAll, describe, it } from 'vitest';
import { createNatsTransport } from '../../src/index.js';

const createNode = ({ cluster }: { cluster: string }) =>
  createNatsTransport({ servers: NATS_URL, prefix: cluster });

describe('nats', () => {
  beforeAll(() => requireService('NATS', NATS_URL, 4222));
  transportTestSuite(it, createNode, { describe, specVersion: 2 });
});

describe('nats, routing: broadcast', () => {
  beforeAll(() => requireService('NATS', NATS_URL, 4222));
  transportTestSuite(it, createNode, { describe, specVersion: 2, horizontal: { routing: 'broadcast' } });
});
