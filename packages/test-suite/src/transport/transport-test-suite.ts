// The published entry point: registers the transport conformance tests with the caller's runner.

import { basicTests } from './basic-tests.js';
import { broadcastTests } from './broadcast-tests.js';
import { deadNodeTests } from './dead-node-tests.js';
import { lateJoinTests } from './late-join-tests.js';
import { presenceTests } from './presence-tests.js';
import { requestTests } from './request-tests.js';
import { routedTransportTests } from './routed-transport-tests.js';
import { routingTests } from './routing-tests.js';
import { withTestCluster } from './test-cluster.js';
import {
  type CreateTransportNode,
  resolveSuiteOptions,
  type TestFunction,
  type TransportTestGroups,
  type TransportTestSuiteOptions,
} from './transport-suite-options.js';
import type { TransportTestCase } from './transport-test-case.js';
import { userTests } from './user-tests.js';

/** The groups in the order they are registered, each with its tests. */
const GROUPS: Array<[keyof TransportTestGroups, string, TransportTestCase[]]> = [
  ['basics', 'basics', basicTests],
  ['broadcast', 'broadcast', broadcastTests],
  ['requests', 'requests', requestTests],
  ['presence', 'presence', presenceTests],
  ['users', 'users', userTests],
  ['deadNodes', 'dead nodes', deadNodeTests],
  ['lateJoin', 'late join', lateJoinTests],
];

/** The groups only a TransportV2 is tested with. */
const V2_GROUPS: Array<[keyof TransportTestGroups, string, TransportTestCase[]]> = [
  ['routedTransport', 'routed transport', routedTransportTests],
  ['routing', 'interest routing', routingTests],
];

/**
 * Registers the {@link TransportV1} (or, with `specVersion: 2`, {@link TransportV2}) conformance tests
 * with your test runner. Each test starts
 * `options.nodes` nodes, each `new HorizontalAdapter(new LocalAdapter(), transport)` over a transport
 * from `createNode`, drives them with fake sockets, and closes every node at the end, pass or fail.
 *
 * The suite imports no test runner: pass your runner's `it` (vitest, jest, `node:test`) and, to group
 * the tests, its `describe`. Assertions use `node:assert/strict`.
 *
 * What a transport must do to pass: deliver every published message to every started node of the same
 * `cluster` (its own included or not), in the order one node published them, byte for byte; resolve
 * `start()` only once it can receive; and stop delivering after `close()`.
 *
 * @example
 * ```ts
 * import { transportTestSuite } from '@sockudo/test-suite';
 * import { describe, it } from 'vitest';
 * import { createKafkaTransport } from '../../src/index.js';
 *
 * transportTestSuite(it, ({ cluster }) => createKafkaTransport({ brokers, topicPrefix: cluster }), { describe });
 * ```
 *
 * @param it the runner's test function, called as `it(name, fn, timeoutMs)`.
 * @param createNode builds one node's transport; use `context.cluster` as its channel/subject prefix.
 * @param options node count, groups, timings.
 * @throws RangeError when `options.nodes` is below 3.
 */
export function transportTestSuite(
  it: TestFunction,
  createNode: CreateTransportNode,
  options: TransportTestSuiteOptions = {},
): void {
  const resolved = resolveSuiteOptions(options);
  const register = (group: string, cases: TransportTestCase[], prefix: boolean) => {
    for (const testCase of cases) {
      it(
        prefix ? `${group}: ${testCase.name}` : testCase.name,
        () => withTestCluster(createNode, resolved, (cluster) => testCase.run(cluster)),
        resolved.timeoutMs,
      );
    }
  };
  const registerGroups = () => {
    for (const [key, name, cases] of resolved.specVersion === 2 ? [...GROUPS, ...V2_GROUPS] : GROUPS) {
      if (options.groups?.[key] === false) continue;
      // The interest-routing group is about routing: it has nothing to test when every node broadcasts.
      if (key === 'routing' && resolved.horizontal.routing === 'broadcast') continue;
      if (options.describe) options.describe(name, () => register(name, cases, false));
      else register(name, cases, true);
    }
  };
  if (options.describe) options.describe(`TransportV${resolved.specVersion} conformance`, registerGroups);
  else registerGroups();
}
