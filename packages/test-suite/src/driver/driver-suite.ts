// What the cache, queue and rate-limiter suites share: a fresh namespace per test, every driver a test
// created closed at its end (pass or fail), and registration with the caller's `it` / `describe`.

import { randomUUID } from 'node:crypto';
import type { DescribeFunction, TestFunction } from '../transport/transport-suite-options.js';

/** What the suite tells the driver factory. */
export interface DriverTestContext {
  /**
   * A fresh string per test (letters, digits, `:`). Use it as the driver's key prefix so that tests never
   * see each other's data. A test that creates two drivers with the same `namespace` expects them to
   * share a store (only asked of durable queues); different namespaces must never share entries.
   */
  namespace: string;
}

/** Builds a new driver of the contract under test; the suite closes it at the end of the test. */
export type CreateDriver<T> = (context: DriverTestContext) => T | Promise<T>;

/** Options every driver suite takes. */
export interface DriverSuiteOptions {
  /** When given, the tests are grouped as `<Contract> conformance > <group> > <test>`. */
  describe?: DescribeFunction;
  /** Timeout handed to the runner for each test. @default 20000 */
  timeoutMs?: number;
}

/** One test of a driver suite. */
export interface DriverTestCase<C> {
  name: string;
  run(context: C): Promise<void>;
  /** This test's timeout when it needs more than the suite's. */
  timeoutMs?: number;
}

/** The case every driver suite has: `checkHealth`, when the driver has one, resolves while its store answers. */
export function checkHealthCase<C>(
  driverOf: (context: C) => { checkHealth?(): Promise<void> },
): DriverTestCase<C> {
  return {
    name: 'checkHealth, if implemented, resolves while the store answers',
    async run(context) {
      const driver = driverOf(context);
      if (driver.checkHealth) await driver.checkHealth();
    },
  };
}

/** Creates drivers for one test and closes every one of them afterwards. */
export class DriverScope<T extends { close?(): Promise<void> }> {
  private readonly opened: T[] = [];
  /** This test's namespace (drivers of {@link another} namespaces get a suffix). */
  readonly namespace = `sockudo-suite:${randomUUID().slice(0, 12)}:`;

  constructor(private readonly factory: CreateDriver<T>) {}

  /** A new driver over this test's namespace, or over `namespace` when given. */
  async create(namespace: string = this.namespace): Promise<T> {
    const driver = await this.factory({ namespace });
    this.opened.push(driver);
    return driver;
  }

  /** A namespace of this test that is not the main one, for "namespaces are kept apart" tests. */
  another(): string {
    return `${this.namespace}other-${randomUUID().slice(0, 8)}:`;
  }

  /** Closes `driver` now (once); the end of the test does not close it again. */
  async close(driver: T): Promise<void> {
    const index = this.opened.indexOf(driver);
    if (index >= 0) this.opened.splice(index, 1);
    await driver.close?.();
  }

  async closeAll(): Promise<void> {
    const results = await Promise.allSettled(this.opened.splice(0).map((driver) => driver.close?.()));
    const failed = results.find((result) => result.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
  }
}

/** Runs `body` with a fresh scope, then closes every driver it created; a test failure wins over a close failure. */
export async function withDriverScope<T extends { close?(): Promise<void> }>(
  create: CreateDriver<T>,
  body: (scope: DriverScope<T>) => Promise<void>,
): Promise<void> {
  const scope = new DriverScope(create);
  try {
    await body(scope);
  } catch (error) {
    await scope.closeAll().catch(() => {});
    throw error;
  }
  await scope.closeAll();
}

/** Registers `groups` with `it` (inside `describe` blocks when given), each test in a fresh scope. */
export function registerDriverSuite<C>(
  title: string,
  it: TestFunction,
  groups: Array<[string, DriverTestCase<C>[]]>,
  options: DriverSuiteOptions,
  runCase: (testCase: DriverTestCase<C>) => Promise<void>,
): void {
  const timeoutMs = options.timeoutMs ?? 20_000;
  const register = (group: string, cases: DriverTestCase<C>[], prefix: boolean) => {
    for (const testCase of cases) {
      it(
        prefix ? `${group}: ${testCase.name}` : testCase.name,
        () => runCase(testCase),
        Math.max(timeoutMs, testCase.timeoutMs ?? 0),
      );
    }
  };
  const registerGroups = () => {
    for (const [name, cases] of groups) {
      if (cases.length === 0) continue;
      if (options.describe) options.describe(name, () => register(name, cases, false));
      else register(name, cases, true);
    }
  };
  if (options.describe) options.describe(title, registerGroups);
  else registerGroups();
}
