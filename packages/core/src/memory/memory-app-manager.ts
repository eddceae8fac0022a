import { type App, appFromRecord } from '../apps/app.js';
import type { AppManagerV1 } from '../spec/v1/index.js';
import { ConfigError } from '../util/errors.js';

/**
 * Apps held in process, from config (`app_manager.array.apps`). Records are normalised with
 * {@link appFromRecord}; a duplicate id or key is a {@link ConfigError}.
 */
export function createMemoryAppManager(apps: Array<App | Record<string, unknown>> = []): AppManagerV1 {
  const byId = new Map<string, App>();
  const byKey = new Map<string, App>();
  apps.forEach((raw, i) => {
    const where = `app_manager.array.apps[${i}]`;
    const app = appFromRecord(raw, where);
    if (byId.has(app.id))
      throw new ConfigError(`${where}.id: duplicate app id "${app.id}"`, { key: `${where}.id` });
    if (byKey.has(app.key)) {
      throw new ConfigError(`${where}.key: duplicate app key "${app.key}"`, { key: `${where}.key` });
    }
    byId.set(app.id, app);
    byKey.set(app.key, app);
  });
  return {
    specVersion: 1,
    async findById(id) {
      return byId.get(id);
    },
    async findByKey(key) {
      return byKey.get(key);
    },
    async getApps() {
      return [...byId.values()];
    },
    async createApp(app) {
      byId.set(app.id, app);
      byKey.set(app.key, app);
    },
    async updateApp(app) {
      const old = byId.get(app.id);
      if (old) byKey.delete(old.key);
      byId.set(app.id, app);
      byKey.set(app.key, app);
    },
    async deleteApp(id) {
      const old = byId.get(id);
      if (!old) return;
      byId.delete(id);
      byKey.delete(old.key);
    },
    async checkHealth() {},
  };
}
