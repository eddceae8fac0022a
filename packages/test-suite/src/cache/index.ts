export { type CacheTestSuiteOptions, cacheTestSuite } from './cache-test-suite.js';
