// The published TransportV1 conformance suite against the real PostgreSQL, run as any adapter author
// would run it. Each test gets a fresh `cluster` string, used as the channel, so runs never mix.

import { transportTestSuite } from '@sockudo/test-suite';
import { beforeAll, describe, it } from 'vitest';
import { createPgNotifyTransport } from '../../src/index.js';
import { PG_URL, requirePostgres } from '../postgres.js';

describe('pg-notify', () => {
  beforeAll(requirePostgres);
  transportTestSuite(
    it,
    ({ cluster }) => createPgNotifyTransport({ connectionString: PG_URL, prefix: cluster }),
    { describe },
  );
});
