// What the driver registry will build, worked out from the configuration without any I/O: for each
// role the driver (aliases resolved), the factory options and where it connects. Pure, so every config
// form can be unit-tested, and run by `sockudo config check` to report missing settings before start.

import type { ConfigIssue } from '../config-issue.js';
import type { ResolvedConfig } from '../resolved-config.js';
import { planAdapter } from './adapter-plan.js';
import { planAppManager } from './app-manager-plan.js';
import { planHistory } from './history-plan.js';
import type { DriverPlan, DriverPlanResult } from './plans.js';
import { planCache, planQueue, planRateLimiter } from './service-plans.js';

/**
 * Maps the resolved configuration to the drivers to build. Settings a driver cannot do without (e.g.
 * seed nodes for redis-cluster) come back as `errors`, each naming the keys that would provide them.
 */
export function planDrivers(config: ResolvedConfig): DriverPlanResult {
  const errors: ConfigIssue[] = [];
  const plan: DriverPlan = {
    adapter: planAdapter(config, errors),
    appManager: planAppManager(config),
    cache: planCache(config, errors),
    queue: planQueue(config, errors),
    rateLimiter: planRateLimiter(config, errors),
    history: planHistory(config, errors),
  };
  return { plan, errors };
}
