// Checks that need more than one key (TLS files, heartbeat against node timeout), and the warnings
// about what a valid configuration asks for that this release ignores or that looks unsafe.

import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { App } from '@sockudo/core';
import type { ConfigIssue } from './config-issue.js';
import { CONFIG_SCHEMA, type ConfigKeySpec, DEFAULT_APP } from './config-schema.js';
import { getPath, type Origin, type RawRecord } from './raw-config.js';
import type { ResolvedConfig } from './resolved-config.js';

function checkTls(config: RawRecord, cwd: string, errors: ConfigIssue[]): void {
  const ssl = config.ssl as ResolvedConfig['ssl'];
  if (ssl.enabled !== true) return;
  for (const key of ['cert_path', 'key_path', 'ca_path'] as const) {
    const path = ssl[key];
    if (path === '' || typeof path !== 'string') {
      if (key !== 'ca_path')
        errors.push({ key: `ssl.${key}`, message: `ssl.${key}: required when ssl.enabled is true` });
    } else if (!existsSync(resolve(cwd, path))) {
      errors.push({ key: `ssl.${key}`, message: `ssl.${key}: file not found: ${path}` });
    }
  }
}

/**
 * Rust Sockudo's rules: a node is declared dead only after it missed at least three heartbeats, and
 * the cleanup runs at least once per node timeout. The cleanup interval has no effect here, so its
 * default does not make a shorter node_timeout_ms fail; a value that is set is still checked.
 */
function checkClusterHealth(config: RawRecord, origins: Map<string, Origin>, errors: ConfigIssue[]): void {
  const health = getPath(config, 'adapter.cluster_health')
    .value as ResolvedConfig['adapter']['cluster_health'];
  const base = 'adapter.cluster_health';
  if (health.heartbeat_interval_ms * 3 > health.node_timeout_ms) {
    errors.push({
      key: `${base}.heartbeat_interval_ms`,
      message: `${base}.heartbeat_interval_ms: must be at most a third of ${base}.node_timeout_ms (${health.node_timeout_ms}), got ${health.heartbeat_interval_ms}`,
    });
  }
  if (origins.has(`${base}.cleanup_interval_ms`) && health.cleanup_interval_ms > health.node_timeout_ms) {
    errors.push({
      key: `${base}.cleanup_interval_ms`,
      message: `${base}.cleanup_interval_ms: must be at most ${base}.node_timeout_ms (${health.node_timeout_ms}), got ${health.cleanup_interval_ms}`,
    });
  }
}

/** True for the drivers that serve `app_manager.array.apps`. */
function isMemoryAppManager(driver: unknown): boolean {
  return driver === 'memory' || driver === 'array';
}

function isDefaultCredential(app: { id: string; key: string; secret: string }): boolean {
  return app.key === DEFAULT_APP.key || app.secret === DEFAULT_APP.secret;
}

/**
 * The checks across keys of a configuration whose keys are each valid: errors (TLS files, cluster
 * health timings) and warnings (ignored keys, apps that are not used or not set, default credentials).
 */
export function checkAcrossKeys(
  loaded: { raw: RawRecord; origins: Map<string, Origin>; apps: readonly App[]; cwd: string },
  errors: ConfigIssue[],
  warnings: string[],
): void {
  const { raw, origins, apps, cwd } = loaded;
  checkTls(raw, cwd, errors);
  checkClusterHealth(raw, origins, errors);
  if (raw.path_prefix !== '/') {
    warnings.push(`path_prefix: ${JSON.stringify(raw.path_prefix)} is ignored; only "/" is supported`);
  }
  const ignored = CONFIG_SCHEMA.filter(
    (spec: ConfigKeySpec) => spec.applied === false && origins.has(spec.path),
  ).map((spec) => spec.path);
  if (ignored.length > 0)
    warnings.push(`accepted, but without effect in this release: ${ignored.join(', ')}`);
  const appManagerDriver = getPath(raw, 'app_manager.driver').value;
  if (!isMemoryAppManager(appManagerDriver)) {
    if (origins.has('app_manager.array.apps')) {
      warnings.push(
        `app_manager.array.apps: not used with app_manager.driver ${appManagerDriver}; apps come from the database (insert them there)`,
      );
    }
  } else if (apps.length === 0) {
    warnings.push('app_manager.array.apps: no apps configured; every connection will be refused');
  } else if (apps.some(isDefaultCredential)) {
    warnings.push(
      'default credentials in use (app id "app-id", key "app-key": the built-in ones, known to anyone): give the app an id, key and secret of your own (SOCKUDO_DEFAULT_APP_ID, SOCKUDO_DEFAULT_APP_KEY and SOCKUDO_DEFAULT_APP_SECRET, or app_manager.array.apps) before exposing this server',
    );
  }
}
