// deploy/ checked against the server it deploys. No container engine runs here, so what can be checked
// is checked for real: every YAML file parses; the config.json of the compose file and of the Kubernetes
// ConfigMap pass the server's own validation (the loader and `sockudo config check`); real `sockudo start`
// processes run from those configs and answer the probe and health-check paths the manifests name, on the
// ports they name; the image's health check command runs; the Dockerfile's `pnpm deploy` step produces a
// tree that starts; and the Kubernetes grace period outlasts the server's own shutdown.
//
// The tests are in this folder, one file per deploy/ example; this file has what they share.

import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { checkConfig } from '../../src/config/config-loader.js';
import type { ResolvedConfig } from '../../src/config/resolved-config.js';
import { tempDir } from '../helpers.js';

export const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
export const DEPLOY = join(ROOT, 'deploy');
export const read = (path: string): string => readFileSync(join(DEPLOY, path), 'utf8');

/** `handleShutdownSignals` forces the exit this long after the grace period (its `forceAfterMs` default). */
export const FORCED_EXIT_AFTER_GRACE_S = 5;
/** The machine's Redis, standing in for the `redis` service/host the manifests name. */
export const LOCAL_REDIS = { DATABASE_REDIS_HOST: '127.0.0.1', DATABASE_REDIS_PORT: '6379' };

// biome-ignore lint/suspicious/noExplicitAny: parsed manifests; the assertions are the type checks
export type Json = Record<string, any>;

export function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return yamlFiles(path);
    return /\.ya?ml$/.test(entry.name) ? [path] : [];
  });
}

/** Every Kubernetes object in deploy/kubernetes, by kind. */
export function kubernetes(): Record<string, Json> {
  const objects: Record<string, Json> = {};
  for (const file of yamlFiles(join(DEPLOY, 'kubernetes'))) {
    for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) {
      const object = doc.toJS() as Json;
      if (object?.kind) objects[object.kind] = object;
    }
  }
  return objects;
}

export function sockudoContainer(deployment: Json): Json {
  const containers: Json[] = deployment.spec.template.spec.containers;
  const container = containers.find((c) => c.name === 'sockudo');
  if (!container) throw new Error('deployment.yaml has no container named sockudo');
  return container;
}

/** The container's environment, with made-up values for what Kubernetes fills in (pod name, Secrets). */
export function containerEnv(container: Json): Record<string, string> {
  const env: Record<string, string> = {};
  for (const entry of container.env ?? []) {
    if (entry.value !== undefined) env[entry.name] = String(entry.value);
    else if (entry.valueFrom?.fieldRef) env[entry.name] = 'sockudo-pod-0';
    else if (entry.valueFrom?.secretKeyRef) env[entry.name] = `test-${entry.valueFrom.secretKeyRef.key}`;
  }
  return env;
}

/** The value after `--config` (or `-c`) in the container's args. */
export function configArg(args: string[]): string {
  const at = args.findIndex((arg) => arg === '--config' || arg === '-c');
  if (at < 0 || args[at + 1] === undefined) throw new Error(`no --config in args ${JSON.stringify(args)}`);
  return args[at + 1]!;
}

/** The container port a probe or Service targets, by name or number. */
export function containerPort(container: Json, port: string | number): number {
  if (typeof port === 'number') return port;
  const found = (container.ports as Json[]).find((p) => p.name === port);
  if (!found) throw new Error(`container has no port named ${port}`);
  return found.containerPort;
}

/** Compose's `${VAR:-default}` interpolation, with nothing set: every variable takes its default. */
export function composeDefaults(env: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).map(([name, value]) => [
      name,
      String(value).replace(
        /\$\{[A-Z0-9_]+(?::?-([^}]*))?\}/g,
        (_, fallback: string | undefined) => fallback ?? '',
      ),
    ]),
  );
}

export function resolved(file: string, env: Record<string, string>): ResolvedConfig {
  const result = checkConfig({ file, env, cwd: tempDir() });
  expect(result.errors, JSON.stringify(result.errors)).toEqual([]);
  return result.config!;
}

/** Runs a container health check command (exec form) on this machine; resolves with its exit code. */
export function runCheck(command: string[], env: Record<string, string> = {}): Promise<number | null> {
  const [program, ...args] = command;
  expect(program, 'health checks run node (the slim image has no curl)').toBe('node');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env: { PATH: process.env.PATH, ...env }, stdio: 'ignore' });
    child.on('error', reject);
    child.on('close', resolve);
  });
}

export function metricsPort(output: string): number {
  const match = /Metrics on http:\/\/[^:]+:(\d+)\/metrics/.exec(output);
  if (!match) throw new Error(`the server did not log its metrics port:\n${output}`);
  return Number(match[1]);
}
