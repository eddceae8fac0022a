import type { App } from '../../apps/app.js';

/**
 * Where apps come from. Implemented by the memory app manager (config) and by the database packages.
 * Return `undefined` for an unknown id or key; throw only when the store itself fails.
 */
export interface AppManagerV1 {
  readonly specVersion: 1;
  findById(id: string): Promise<App | undefined>;
  findByKey(key: string): Promise<App | undefined>;
  /** Every app, where the store can list them. */
  getApps?(): Promise<App[]>;
  createApp?(app: App): Promise<void>;
  updateApp?(app: App): Promise<void>;
  deleteApp?(id: string): Promise<void>;
  /** Resolves when the store answers; rejects with the reason otherwise. */
  checkHealth?(): Promise<void>;
  close?(): Promise<void>;
}
