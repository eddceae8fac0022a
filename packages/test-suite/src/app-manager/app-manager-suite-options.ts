// The knobs of appManagerTestSuite.

import type { AppManagerV1 } from '@sockudo/core';
import type { DescribeFunction, TestFunction } from '../transport/transport-suite-options.js';

export type { DescribeFunction, TestFunction };

/**
 * Builds the app manager under test over an empty store. Called once at the start of every test; the
 * suite closes what it returns. Clear the store here (truncate the table, delete the items) or point
 * each manager at a fresh one.
 */
export type CreateAppManager = () => AppManagerV1 | Promise<AppManagerV1>;

/**
 * Writes raw records straight into the store the last `create()` opened, bypassing the manager, so the
 * suite checks how stored data is mapped.
 *
 * Each record is in Rust Sockudo's stored shape: its keys are the column / attribute names
 * (`id`, `key`, `secret`, `enabled`, `max_connections`, `enable_client_messages`, ...,
 * `webhooks`, `allowed_origins`, `policy`), booleans are booleans, numbers are numbers, and `webhooks`,
 * `allowed_origins` and `policy` are plain arrays/objects. Store them the way your store keeps them:
 * a SQL driver writes the objects as JSON text into its JSON columns; a DynamoDB driver writes `policy`
 * and `webhooks` as JSON strings, as Rust Sockudo does.
 */
export type SeedAppRecords = (records: Array<Record<string, unknown>>) => Promise<void>;

/** Options of {@link appManagerTestSuite}. */
export interface AppManagerTestSuiteOptions {
  /** Puts raw records in the store; see {@link SeedAppRecords}. */
  seed: SeedAppRecords;
  /**
   * Whether the manager implements `createApp`, `updateApp` and `deleteApp`; `true` registers the write
   * tests and makes those methods required. @default false
   */
  write?: boolean;
  /** When given, the suite wraps its tests in `describe(...)` blocks. */
  describe?: DescribeFunction;
  /** Timeout handed to the runner for each test. @default 15000 */
  timeoutMs?: number;
  /**
   * How long a read after a write may take to show it, for stores whose indexes are eventually
   * consistent (a DynamoDB global secondary index). @default 3000
   */
  consistencyWaitMs?: number;
}
