export { type AppFixture, disabledFixture, flatFixture, policyFixture, writtenApp } from './app-fixtures.js';
export type {
  AppManagerTestSuiteOptions,
  CreateAppManager,
  SeedAppRecords,
} from './app-manager-suite-options.js';
export { appManagerTestSuite } from './app-manager-test-suite.js';
