// The published TransportV1 conformance suite, run exactly as a third-party adapter would run it.

import { NATS_URL, requireService } from '@sockudo/test-helpers/services';
import { transportTestSuite } from '@sockudo/test-suite';
import { beforeAll, describe, it } from 'vitest';
import { createNatsTransport } from '../../src/index.js';

describe('nats', () => {
  beforeAll(() => requireService('NATS', NATS_URL, 4222));
  transportTestSuite(it, ({ cluster }) => createNatsTransport({ servers: NATS_URL, prefix: cluster }), {
    describe,
  });
});
