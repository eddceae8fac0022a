// What every group file exports: named cases that run against a fresh TestCluster.

import type { TestCluster } from './test-cluster.js';

/** One test of the transport suite. */
export interface TransportTestCase {
  /** The name the runner shows, without the group. */
  name: string;
  /** Runs against a fresh, empty cluster; the suite starts nothing and closes everything. */
  run(cluster: TestCluster): Promise<void>;
}

/** The app under test. */
export const APP = 'app-1';
/** A second app on the same nodes: nothing done in {@link APP} may show up in it, and vice versa. */
export const OTHER_APP = 'app-2';

/** A Map's entries sorted by key, for order-free comparisons. */
export function sortedEntries<V>(map: ReadonlyMap<string, V>): Array<[string, V]> {
  return [...map].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** A Set's values sorted, for order-free comparisons. */
export function sorted(values: Iterable<string>): string[] {
  return [...values].sort();
}
