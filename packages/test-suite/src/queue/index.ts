export { type QueueTestSuiteOptions, queueTestSuite } from './queue-test-suite.js';
