export { type RateLimiterTestSuiteOptions, rateLimiterTestSuite } from './rate-limiter-test-suite.js';
