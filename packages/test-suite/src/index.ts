/**
 * Conformance suites for the Sockudo driver contracts, runner-agnostic: pass your runner's `it`.
 * @packageDocumentation
 */

export * from './app-manager/index.js';
export * from './cache/index.js';
export type { CreateDriver, DriverSuiteOptions, DriverTestContext } from './driver/driver-suite.js';
export * from './history/index.js';
export * from './queue/index.js';
export * from './rate-limiter/index.js';
/** The suites' building blocks (fake sockets, a controllable transport, waits, a test cluster) for your own tests. */
export * as testing from './testing.js';
export type {
  CreateTransportNode,
  DescribeFunction,
  ResolvedTransportSuiteOptions,
  TestFunction,
  TransportNodeContext,
  TransportTestGroups,
  TransportTestSuiteOptions,
} from './transport/transport-suite-options.js';
export { SUITE_HORIZONTAL_DEFAULTS } from './transport/transport-suite-options.js';
export { transportTestSuite } from './transport/transport-test-suite.js';
