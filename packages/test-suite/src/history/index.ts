export { type HistoryStoreTestSuiteOptions, historyStoreTestSuite } from './history-store-test-suite.js';
