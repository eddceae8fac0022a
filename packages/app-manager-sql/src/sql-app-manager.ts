// The shape the SQL app managers share: an AppManagerV1 with every optional method, plus its pool.

import type { App, AppManagerV1 } from '@sockudo/core';

/** An {@link AppManagerV1} over a SQL applications table, with every optional method. */
export interface SqlAppManager<Pool> extends AppManagerV1 {
  /** The driver's pool, to run your own queries against the same database. */
  readonly pool: Pool;
  /** The applications table name. */
  readonly table: string;
  getApps(): Promise<App[]>;
  /** Inserts `app`; rejects when its id or key already exists. */
  createApp(app: App): Promise<void>;
  /** Rewrites the app with `app.id`, keeping stored policy settings this port does not model; rejects when there is none. */
  updateApp(app: App): Promise<void>;
  /** Deletes the app with exactly this id; resolves when there is none. */
  deleteApp(id: string): Promise<void>;
  checkHealth(): Promise<void>;
  /** Creates the table and its indexes when missing, and adds columns an older Rust Sockudo schema lacks. */
  migrate(): Promise<void>;
  close(): Promise<void>;
}
