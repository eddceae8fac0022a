// Loading a configuration from a throwaway directory, for the config and driver plan tests.

import { expect } from 'vitest';
import { planDrivers } from '../src/config/plan/driver-plan.js';
import type { DriverPlan } from '../src/config/plan/plans.js';
import { type ConfigCheck, checkConfig, type ResolvedConfig } from '../src/index.js';
import { tempDir } from './helpers.js';

/** Messages of every error, for readable assertions. */
export function messages(result: ConfigCheck): string[] {
  return result.errors.map((error) => error.message);
}

/** Loads with `config` as config/config.json of a fresh directory and no other environment. */
export function withFile(config: unknown, env: Record<string, string> = {}, flags = {}): ConfigCheck {
  const cwd = tempDir({ 'config/config.json': typeof config === 'string' ? config : JSON.stringify(config) });
  return checkConfig({ cwd, env, flags });
}

/** Loads `file` as config/config.json with `env`, expects no error, and plans its drivers. */
export function loadAndPlan(file: Record<string, unknown>, env: Record<string, string> = {}) {
  const result = withFile(file, env);
  expect(messages(result)).toEqual([]);
  const config = result.config as ResolvedConfig;
  const { plan, errors } = planDrivers(config);
  expect(errors).toEqual([]);
  return { config, plan, warnings: result.warnings };
}

/** The driver plan of `file` with `env`. */
export function planOf(file: Record<string, unknown>, env: Record<string, string> = {}): DriverPlan {
  return loadAndPlan(file, env).plan;
}
