// The published TransportV2 conformance suite, run exactly as a third-party adapter would run it: once
// routing by interest (the V1 groups over routed delivery, plus the routed-transport and interest-routing
// groups), once with every event broadcast.

import { silentLogger } from '@sockudo/core';
import { RABBITMQ_URL, requireRabbitMq } from '@sockudo/test-helpers/services';
import { transportTestSuite } from '@sockudo/test-suite';
import { beforeAll, describe, it } from 'vitest';
import { createRabbitMqTransport, sockudoDriver } from '../../src/index.js';

describe('rabbitmq', () => {
  beforeAll(requireRabbitMq);
  const createNode = ({ cluster }: { cluster: string }) =>
    createRabbitMqTransport({ url: RABBITMQ_URL, prefix: cluster });

  describe('routing by interest', () => {
    transportTestSuite(it, createNode, { describe, specVersion: 2 });
  });
  // What `sockudo start` gets from `"driver": "@sockudo/adapter-rabbitmq"`: the routed transport.
  describe('the sockudoDriver', () => {
    const context = {
      logger: silentLogger,
      configKey: 'adapter.driver',
      optionsKey: 'adapter.options',
      baseDirectory: '.',
      serverVersion: '0.0.0',
    };
    transportTestSuite(
      it,
      ({ cluster }) => sockudoDriver.create({ url: RABBITMQ_URL, prefix: cluster }, context),
      {
        describe,
        specVersion: 2,
        groups: { presence: false, users: false, deadNodes: false, lateJoin: false, routedTransport: false },
      },
    );
  });
  describe('routing by broadcast', () => {
    transportTestSuite(it, createNode, { describe, specVersion: 2, horizontal: { routing: 'broadcast' } });
  });
});
