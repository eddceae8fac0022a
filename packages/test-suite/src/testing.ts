export { ControllableTransport } from './testing/controllable-transport.js';
export { FakeSocket, type ReceivedMessage, type RecordedClose, testFrame } from './testing/fake-socket.js';
export { type RecordedEvent, RecordingEvents } from './testing/recording-events.js';
export { DEFAULT_WAIT_MS, sleep, type WaitForOptions, waitFor, withDeadline } from './testing/wait.js';
export { PROBE_APP, TestCluster, TestNode, withTestCluster } from './transport/test-cluster.js';
export { resolveSuiteOptions } from './transport/transport-suite-options.js';
