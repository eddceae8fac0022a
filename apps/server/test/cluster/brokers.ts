// The brokers of the cluster tests: how each adapter driver is configured and checked against the
// machine's services, and throwaway redis-server / nats-server processes a test may kill.

import { type ChildProcess, spawn } from 'node:child_process';
import { connect } from 'node:net';
import { eventually, withTimeout } from './waits.js';

/** Heartbeat and node timeout of every test cluster (short, so dead nodes are noticed quickly). */
export const HEARTBEAT_MS = 200;
export const NODE_TIMEOUT_MS = 1500;
/** How long a cluster-wide count waits for a node that does not answer. */
export const REQUEST_TIMEOUT_MS = 1000;

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

/** The `rabbitmq` adapter (default: the machine's RabbitMQ, guest/guest on 127.0.0.1:5672). */
export function rabbitmqBroker(url = 'amqp://guest:guest@127.0.0.1:5672/%2f'): Broker {
  const port = Number(new URL(url).port || 5672);
  return {
    name: 'rabbitmq',
    adapter: (prefix) => ({
      driver: 'rabbitmq',
      fallback_to_local: false,
      rabbitmq: { url, prefix, request_timeout_ms: REQUEST_TIMEOUT_MS },
      cluster_health: clusterHealth,
    }),
    require: () => requireService('RabbitMQ', port),
  };
}
