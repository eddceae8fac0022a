// The cluster test harness: real `sockudo` processes (the built binary), real brokers, the real
// pusher-js client and the real Pusher Node SDK. Every wait has a deadline and names what it waited for;
// nothing asserts on how long something took.

import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Pusher from 'pusher';
import PusherJs, {
  type ChannelAuthorizationHandler,
  type Options as PusherJsOptions,
  type UserAuthenticationHandler,
} from 'pusher-js';
import { type SockudoProcess, startSockudo } from '../sockudo-process.js';

/** Default deadline of one wait. It only bounds failures; it is never asserted on. */
export const WAIT_MS = 10_000;

/** Heartbeat and node timeout of every test cluster (short, so dead nodes are noticed quickly). */
export const HEARTBEAT_MS = 200;
export const NODE_TIMEOUT_MS = 1500;
/** How long a cluster-wide count waits for a node that does not answer. */
export const REQUEST_TIMEOUT_MS = 1000;

// ---------------------------------------------------------------------------------------------
// Waiting

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resolves or rejects with `promise`, or rejects after `ms` naming `what`. */
export function withTimeout<T>(promise: Promise<T>, what: string, ms = WAIT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Runs `probe` until it returns without throwing (its value is returned) or the deadline passes; then
 * fails with the probe's last error. `probe` may use `expect`.
 */
export async function eventually<T>(
  what: string,
  probe: () => T | Promise<T>,
  { timeoutMs = WAIT_MS, intervalMs = 100 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await probe();
    } catch (error) {
      if (Date.now() > deadline) {
        const last = error instanceof Error ? error.message : String(error);
        throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last attempt: ${last}`);
      }
    }
    await sleep(intervalMs);
  }
}

/** A short random id, to keep channel names, users and cluster prefixes of one run apart. */
export function uid(): string {
  return `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
}

// ---------------------------------------------------------------------------------------------
// Cleanup

/** Things to undo, run in reverse order by `close()`; failures of one do not stop the others. */
export class Scope {
  private readonly undo: Array<() => unknown> = [];

  defer(fn: () => unknown): void {
    this.undo.push(fn);
  }

  async close(): Promise<void> {
    const errors: unknown[] = [];
    for (const fn of this.undo.splice(0).reverse()) {
      try {
        await fn();
      } catch (error) {
        errors.push(error);
      }
    }
    if (errors.length > 0) throw errors[0];
  }
}

/** A temporary directory removed by `scope`. */
export function tempDir(scope: Scope, files: Record<string, string | object> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'sockudo-cluster-test-'));
  scope.defer(() => rmSync(dir, { recursive: true, force: true }));
  for (const [name, content] of Object.entries(files)) {
    writeFileSync(join(dir, name), typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  }
  return dir;
}

// ---------------------------------------------------------------------------------------------
// Ports and services

/** A port that was free a moment ago (bound to 127.0.0.1:0 and released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** True when something accepts TCP connections on 127.0.0.1:`port`. */
export function tcpOpen(port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Sends `command` (a Redis inline command) and resolves with the first reply line, or undefined. */
export function redisCommand(port: number, command: string, timeoutMs = 1000): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let reply = '';
    const done = (value: string | undefined) => {
      socket.destroy();
      resolve(value);
    };
    socket.setTimeout(timeoutMs, () => done(undefined));
    socket.once('connect', () => socket.write(`${command}\r\n`));
    socket.on('data', (chunk) => {
      reply += chunk.toString();
      const end = reply.indexOf('\r\n');
      if (end >= 0) done(reply.slice(0, end));
    });
    socket.once('error', () => done(undefined));
  });
}

/** Fails with a message that says what to run when a service the test needs is not there. */
export async function requireService(
  name: string,
  port: number,
  check?: () => Promise<boolean>,
): Promise<void> {
  const ok = check ? await check() : await tcpOpen(port);
  if (!ok) {
    throw new Error(
      `${name} is not reachable on 127.0.0.1:${port}. The cluster tests need it: run \`bash scripts/services.sh start\` first.`,
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Throwaway brokers

/** A broker (redis-server / nats-server) run by the test as a child process, on its own port. */
export class ChildBroker {
  private child: ChildProcess | undefined;
  private output = '';

  private constructor(
    readonly name: string,
    readonly port: number,
    private readonly command: string,
    private readonly args: string[],
    private readonly ready: () => Promise<boolean>,
  ) {}

  /** A `redis-server` without persistence on a free port. */
  static redis(port: number): ChildBroker {
    return new ChildBroker(
      'redis-server',
      port,
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      async () => (await redisCommand(port, 'PING')) === '+PONG',
    );
  }

  /** A `nats-server` on a free port. */
  static nats(port: number): ChildBroker {
    return new ChildBroker('nats-server', port, 'nats-server', ['-a', '127.0.0.1', '-p', String(port)], () =>
      tcpOpen(port),
    );
  }

  get url(): string {
    return this.name === 'redis-server'
      ? `redis://127.0.0.1:${this.port}/0`
      : `nats://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Starts it and waits until it answers. */
  async start(): Promise<void> {
    const child = spawn(this.command, this.args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    this.output = '';
    child.stdout?.on('data', (chunk) => (this.output += chunk));
    child.stderr?.on('data', (chunk) => (this.output += chunk));
    const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
    const killOnExit = () => child.kill('SIGKILL');
    process.once('exit', killOnExit);
    child.once('close', () => process.off('exit', killOnExit));
    const failed = await Promise.race([
      spawnError.then(
        (error) =>
          `${this.command} could not be started (${error.message}); the broker-restart tests need redis-server and nats-server on PATH (see scripts/services.sh)`,
      ),
      eventually(`${this.name} on port ${this.port} to answer`, async () => {
        if (!this.running) return `${this.command} exited early:\n${this.output}`;
        if (!(await this.ready())) throw new Error('not answering yet');
        return undefined;
      }),
    ]);
    if (failed) throw new Error(failed);
  }

  /** Kills it (default SIGKILL) and waits until it is gone. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    const closed = new Promise((resolve) => child.once('close', resolve));
    child.kill(signal);
    await withTimeout(closed, `${this.name} to exit after ${signal}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Brokers of the cluster adapters

/** How one adapter driver is configured and checked. */
export interface Broker {
  /** The adapter driver name, for test titles. */
  readonly name: string;
  /** The `adapter` section of config.json for a cluster whose nodes share `prefix`. */
  adapter(prefix: string): Record<string, unknown>;
  /** Fails with a clear message when the broker is not running. */
  require(): Promise<void>;
}

const clusterHealth = {
  heartbeat_interval_ms: HEARTBEAT_MS,
  node_timeout_ms: NODE_TIMEOUT_MS,
};

/** The `redis` adapter on a standalone Redis (default: the machine's 127.0.0.1:6379). */
export function redisBroker(url = 'redis://127.0.0.1:6379/0'): Broker {
  const port = Number(new URL(url).port || 6379);
  return {
    name: 'redis',
    adapter: (prefix) => ({
      driver: 'redis',
      fallback_to_local: false,
      redis_settings: { dsn: url },
      redis: { prefix, requests_timeout: REQUEST_TIMEOUT_MS },
      cluster_health: clusterHealth,
    }),
    require: () => requireService('Redis', port, async () => (await redisCommand(port, 'PING')) === '+PONG'),
  };
}

/** The Redis Cluster of `bash scripts/services.sh start`. */
export const REDIS_CLUSTER_PORTS = [7000, 7001, 7002, 7003, 7004, 7005];

/** The `redis_cluster` adapter on 127.0.0.1:7000–7005. */
export function redisClusterBroker(): Broker {
  return {
    name: 'redis_cluster',
    adapter: (prefix) => ({
      driver: 'redis_cluster',
      fallback_to_local: false,
      redis_cluster_settings: { dsns: REDIS_CLUSTER_PORTS.slice(0, 3).map((p) => `redis://127.0.0.1:${p}`) },
      cluster: { prefix, request_timeout_ms: REQUEST_TIMEOUT_MS },
      cluster_health: clusterHealth,
    }),
    async require() {
      for (const port of REDIS_CLUSTER_PORTS) {
        await requireService(`Redis Cluster node`, port, async () =>
          ((await redisCommand(port, 'CLUSTER INFO')) ?? '').startsWith('$'),
        );
      }
    },
  };
}

/** The `nats` adapter (default: the machine's 127.0.0.1:4222). */
export function natsBroker(url = 'nats://127.0.0.1:4222'): Broker {
  const port = Number(new URL(url).port || 4222);
  return {
    name: 'nats',
    adapter: (prefix) => ({
      driver: 'nats',
      fallback_to_local: false,
      nats_settings: { url },
      nats: { prefix, request_timeout_ms: REQUEST_TIMEOUT_MS },
      cluster_health: clusterHealth,
    }),
    require: () => requireService('NATS', port),
  };
}

// ---------------------------------------------------------------------------------------------
// Apps and nodes

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

// ---------------------------------------------------------------------------------------------
// pusher-js clients

/** One message as pusher-js decoded it (`data` is parsed JSON where it was JSON). */
export interface Message {
  event: string;
  channel?: string;
  data?: any;
  user_id?: string;
}

export type MessageTest = (message: Message) => boolean;

/** `event` (on `channel`, when given). */
export function is(event: string, channel?: string, test: (data: any) => boolean = () => true): MessageTest {
  return (m) => m.event === event && (channel === undefined || m.channel === channel) && test(m.data);
}

export interface TabOptions {
  /** The presence identity the channel authorizer signs. */
  member?: { user_id: string; user_info?: Record<string, unknown> };
  /** The user that `signin()` authenticates as. */
  user?: { id: string; user_info?: Record<string, unknown> };
  /** Another host/port to connect to (e.g. a load balancer) instead of the node's. */
  port?: number;
}

/**
 * A pusher-js client ("a browser tab") connected to one node, which records every message it receives.
 * Channel and user authentication are signed by the node's Pusher SDK client (`authorizeChannel`,
 * `authenticateUser`) in pusher-js's `customHandler`s.
 */
export class Tab {
  readonly pusher: PusherJs;
  readonly messages: Message[] = [];
  readonly states: string[] = [];
  /** Close codes and `pusher:error` codes pusher-js reported. */
  readonly errors: Array<{ code: number | null; message: string }> = [];
  private waiters: Array<{ test: MessageTest; resolve: (m: Message) => void }> = [];

  constructor(
    readonly name: string,
    readonly node: SockudoNode,
    options: TabOptions = {},
  ) {
    const backend = node.backend;
    this.pusher = new PusherJs(node.app.key, {
      wsHost: '127.0.0.1',
      wsPort: options.port ?? node.port,
      forceTLS: false,
      enabledTransports: ['ws'],
      disableStats: true,
      cluster: 'mt1',
      channelAuthorization: {
        customHandler: (({ socketId, channelName }, callback) => {
          try {
            const member = channelName.startsWith('presence-') ? options.member : undefined;
            if (channelName.startsWith('presence-') && !member)
              throw new Error(`${name} has no presence identity`);
            callback(null, backend.authorizeChannel(socketId, channelName, member));
          } catch (error) {
            callback(error as Error, null);
          }
        }) satisfies ChannelAuthorizationHandler,
      },
      userAuthentication: {
        customHandler: (({ socketId }, callback) => {
          try {
            if (!options.user) throw new Error(`${name} has no user to sign in as`);
            callback(null, backend.authenticateUser(socketId, options.user));
          } catch (error) {
            callback(error as Error, null);
          }
        }) satisfies UserAuthenticationHandler,
      },
      // pusher-js's types require endpoint/transport even when a customHandler replaces them.
    } as unknown as PusherJsOptions);
    this.pusher.connection.bind('message', (message: Message) => {
      this.messages.push(message);
      this.waiters = this.waiters.filter((waiter) => {
        if (!waiter.test(message)) return true;
        waiter.resolve(message);
        return false;
      });
    });
    this.pusher.connection.bind('state_change', ({ current }: { current: string }) =>
      this.states.push(current),
    );
    this.pusher.connection.bind(
      'error',
      (error: { type?: string; data?: { code: number | null; message: string } }) => {
        if (error?.type === 'PusherError' && error.data) this.errors.push(error.data);
      },
    );
  }

  /** Opens a tab and waits until pusher-js is connected. */
  static async open(name: string, node: SockudoNode, options: TabOptions = {}): Promise<Tab> {
    const tab = new Tab(name, node, options);
    await tab.connected();
    return tab;
  }

  get socketId(): string {
    return this.pusher.connection.socket_id;
  }

  get state(): string {
    return this.pusher.connection.state;
  }

  connected(): Promise<void> {
    if (this.state === 'connected') return Promise.resolve();
    return withTimeout(
      new Promise<void>((resolve) => {
        const onChange = ({ current }: { current: string }) => {
          if (current !== 'connected') return;
          this.pusher.connection.unbind('state_change', onChange);
          resolve();
        };
        this.pusher.connection.bind('state_change', onChange);
      }),
      `${this.name} (on ${this.node.name}) to connect`,
    );
  }

  /** Subscribes and waits for `pusher_internal:subscription_succeeded`; resolves with its data. */
  async subscribe(channel: string): Promise<any> {
    const from = this.messages.length;
    const errors: unknown[] = [];
    const subscription = this.pusher.subscribe(channel);
    subscription.bind('pusher:subscription_error', (error: unknown) => errors.push(error));
    const reply = await this.waitFor(
      (m) =>
        m.channel === channel &&
        (m.event === 'pusher_internal:subscription_succeeded' || m.event === 'pusher:subscription_error'),
      `${this.name}: subscription to ${channel}`,
      { from },
    ).catch((error: Error) => {
      throw new Error(`${error.message}${errors.length ? ` (errors: ${JSON.stringify(errors)})` : ''}`);
    });
    if (reply.event !== 'pusher_internal:subscription_succeeded') {
      throw new Error(`${this.name}: subscribing to ${channel} failed: ${JSON.stringify(reply)}`);
    }
    return reply.data;
  }

  /** Signs in (`pusher.signin()`) and waits for `pusher:signin_success`. */
  async signin(): Promise<void> {
    const from = this.messages.length;
    this.pusher.signin();
    await this.waitFor(is('pusher:signin_success'), `${this.name}: pusher:signin_success`, { from });
  }

  /** Sends a client event on a subscribed private or presence channel. */
  trigger(channel: string, event: string, data: unknown): void {
    const subscription = this.pusher.channel(channel);
    if (!subscription) throw new Error(`${this.name} is not subscribed to ${channel}`);
    if (!subscription.trigger(event, data)) throw new Error(`${this.name} could not send ${event}`);
  }

  /** The first message matching `test` (at index `from` or later), waiting for it if needed. */
  waitFor(
    test: MessageTest,
    what: string,
    { from = 0, timeoutMs = WAIT_MS }: { from?: number; timeoutMs?: number } = {},
  ): Promise<Message> {
    const seen = this.messages.slice(from).find(test);
    if (seen) return Promise.resolve(seen);
    const arrived = new Promise<Message>((resolve) => {
      this.waiters.push({ test: (m) => this.messages.indexOf(m) >= from && test(m), resolve });
    });
    return withTimeout(
      arrived,
      `${what} at ${this.name} on ${this.node.name} (got: ${this.messages.map((m) => m.event).join(', ')})`,
      timeoutMs,
    );
  }

  /** Every message so far that matches `test`. */
  all(test: MessageTest): Message[] {
    return this.messages.filter(test);
  }

  /** Resolves once pusher-js leaves the connected state, with the last error code it reported. */
  disconnection(timeoutMs = WAIT_MS): Promise<{ state: string; code?: number | null }> {
    const lastCode = () => this.errors.at(-1)?.code;
    if (this.state !== 'connected' && this.state !== 'connecting' && this.state !== 'initialized') {
      return Promise.resolve({ state: this.state, code: lastCode() });
    }
    return withTimeout(
      new Promise((resolve) => {
        const onChange = ({ current }: { current: string }) => {
          if (current === 'connected' || current === 'connecting') return;
          this.pusher.connection.unbind('state_change', onChange);
          resolve({ state: current, code: lastCode() });
        };
        this.pusher.connection.bind('state_change', onChange);
      }),
      `${this.name} (on ${this.node.name}) to be disconnected`,
      timeoutMs,
    );
  }

  close(): void {
    this.pusher.disconnect();
  }
}

/** Tabs opened by one test, closed together. */
export class Tabs {
  private readonly open: Tab[] = [];

  async add(name: string, node: SockudoNode, options: TabOptions = {}): Promise<Tab> {
    const tab = new Tab(name, node, options);
    this.open.push(tab);
    await tab.connected();
    return tab;
  }

  closeAll(): void {
    for (const tab of this.open.splice(0)) tab.close();
  }
}

/**
 * A barrier: triggers one marker event on `channel` through each of `through`, and waits until every tab
 * in `tabs` received all of them. Each node publishes to the broker in order, so once a marker from a
 * node has arrived everywhere, so has everything that node published before it.
 */
export async function flush(channel: string, through: SockudoNode[], tabs: Tab[]): Promise<void> {
  const id = uid();
  for (const node of through) await node.backend.trigger(channel, 'test-barrier', { id, node: node.name });
  await Promise.all(
    tabs.flatMap((tab) =>
      through.map((node) =>
        tab.waitFor(
          is('test-barrier', channel, (d) => d?.id === id && d?.node === node.name),
          `the barrier through ${node.name} on ${channel}`,
        ),
      ),
    ),
  );
}

/** Like {@link flush}, over `sendToUser` to `userId` (for tabs signed in as that user). */
export async function flushUser(userId: string, through: SockudoNode[], tabs: Tab[]): Promise<void> {
  const id = uid();
  for (const node of through) await node.backend.sendToUser(userId, 'test-barrier', { id, node: node.name });
  await Promise.all(
    tabs.flatMap((tab) =>
      through.map((node) =>
        tab.waitFor(
          is('test-barrier', `#server-to-user-${userId}`, (d) => d?.id === id && d?.node === node.name),
          `the user barrier through ${node.name}`,
        ),
      ),
    ),
  );
}
