// The nodes of the cluster tests: real `sockudo` processes (the built binary), each with the real Pusher
// Node SDK pointed at it.

import { join } from 'node:path';
import Pusher from 'pusher';
import { type SockudoProcess, startSockudo } from '../sockudo-process.js';
import { type Scope, tempDir } from './scope.js';
import { uid, WAIT_MS } from './waits.js';

export interface TestApp {
  id: string;
  key: string;
  secret: string;
  [setting: string]: unknown;
}

/** A fresh app with unique credentials and settings in config.json's snake_case form. */
export function testApp(settings: Record<string, unknown> = {}): TestApp {
  const id = uid();
  return { id: `app-${id}`, key: `key-${id}`, secret: `secret-${id}`, enabled: true, ...settings };
}

/** A config.json for one node of a test cluster; `extra` is merged in at the top level. */
export function nodeConfig(
  adapter: Record<string, unknown>,
  apps: TestApp[],
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    host: '127.0.0.1',
    port: 0,
    shutdown_grace_period: 1,
    metrics: { enabled: false },
    adapter,
    app_manager: { driver: 'memory', array: { apps } },
    ...extra,
  };
}

/** One running `sockudo start`, with a Pusher SDK client pointed at it. */
export interface SockudoNode {
  readonly name: string;
  readonly port: number;
  readonly process: SockudoProcess;
  readonly app: TestApp;
  /** The Pusher Node SDK talking to this node only. */
  readonly backend: Pusher;
  /** True while the process has not exited. */
  alive(): boolean;
}

/** A Pusher SDK client for `app` on 127.0.0.1:`port`. */
export function backendFor(app: TestApp, port: number): Pusher {
  return new Pusher({
    appId: app.id,
    key: app.key,
    secret: app.secret,
    host: '127.0.0.1',
    port: String(port),
    useTLS: false,
    timeout: WAIT_MS, // every HTTP API call has a deadline too
  });
}

/** Starts one node with `config` (written to a temp config.json); stopped by `scope`. */
export async function startNode(
  scope: Scope,
  name: string,
  config: Record<string, unknown>,
  app: TestApp,
): Promise<SockudoNode> {
  const dir = tempDir(scope, { 'config.json': config });
  const proc = await startSockudo(['-c', join(dir, 'config.json')], { cwd: dir, timeoutMs: 20_000 });
  scope.defer(() => proc.stop(3000));
  const killOnExit = () => proc.child.kill('SIGKILL');
  process.once('exit', killOnExit);
  void proc.exited.then(() => process.off('exit', killOnExit));
  return {
    name,
    port: proc.port,
    process: proc,
    app,
    backend: backendFor(app, proc.port),
    alive: () => proc.child.exitCode === null && proc.child.signalCode === null,
  };
}

/** Starts `count` nodes of one cluster (same adapter config, same apps) side by side. */
export async function startCluster(
  scope: Scope,
  count: number,
  adapter: Record<string, unknown>,
  app: TestApp,
  extra: Record<string, unknown> = {},
): Promise<SockudoNode[]> {
  const config = nodeConfig(adapter, [app], extra);
  const started = await Promise.allSettled(
    Array.from({ length: count }, (_, i) => startNode(scope, `node${i}`, config, app)),
  );
  const failed = started.find((result) => result.status === 'rejected');
  if (failed) throw failed.reason;
  return started.map((result) => (result as PromiseFulfilledResult<SockudoNode>).value);
}

/** GET `path` of the HTTP API of `node`, signed; resolves with the parsed JSON body. */
export async function apiGet(node: SockudoNode, path: string, params: Record<string, string> = {}) {
  const response = await node.backend.get({ path, params });
  return (await response.json()) as Record<string, any>;
}

/** The HTTP status of GET `path` (unsigned), or an Error when the node does not answer in time. */
export async function httpStatus(port: number, path: string, timeoutMs = 2000): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(timeoutMs) });
  await response.arrayBuffer();
  return response.status;
}

/** The body of a GET (health endpoints answer text). */
export async function httpText(port: number, path: string, timeoutMs = 5000): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(timeoutMs) });
  return response.text();
}

/** The status of a Pusher SDK call: 200 when it resolved, the HTTP status when it failed with one. */
export async function statusOf(call: Promise<{ status: number }>): Promise<number> {
  try {
    return (await call).status;
  } catch (error) {
    const status = (error as { status?: number }).status;
    if (typeof status === 'number') return status;
    throw error;
  }
}
