// The services the driver tests need (Redis, the Redis Cluster, NATS), a clear failure (never a skip)
// when one is not there, and throwaway broker processes for fault tests.

import { type ChildProcess, spawn } from 'node:child_process';
import { createServer, Socket } from 'node:net';
import { sleep } from './wait.js';

export { eventually, sleep } from './wait.js';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
export const REDIS_CLUSTER_NODES = (
  process.env.REDIS_CLUSTER_NODES ?? '127.0.0.1:7000,127.0.0.1:7001,127.0.0.1:7002'
)
  .split(',')
  .map((node) => node.trim());
export const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';

function tcpOpen(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.connect(port, host, () => done(true));
  });
}

function hostPort(address: string, defaultPort: number): [string, number] {
  const url = new URL(address.includes('://') ? address : `tcp://${address}`);
  return [url.hostname, Number(url.port || defaultPort)];
}

/** Throws (failing the test) unless something listens at `address`. */
export async function requireService(what: string, address: string, defaultPort = 6379): Promise<void> {
  const [host, port] = hostPort(address, defaultPort);
  if (!(await tcpOpen(host, port))) {
    throw new Error(
      `${what} is not reachable at ${host}:${port}. These integration tests need it: run \`bash scripts/services.sh start\` in the repo root.`,
    );
  }
}

export async function requireRedis(): Promise<void> {
  await requireService('Redis', REDIS_URL);
}

export async function requireRedisCluster(): Promise<void> {
  for (const node of REDIS_CLUSTER_NODES) await requireService('The Redis Cluster', node);
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** A broker process this test owns (never the machine's shared one), killed on stop(). */
export interface ThrowawayServer {
  readonly port: number;
  readonly process: ChildProcess;
  /** SIGKILL, and wait until the port is closed. */
  kill(): Promise<void>;
}

/** Spawns `command args` and waits until `port` accepts connections. */
export async function spawnServer(command: string, args: string[], port: number): Promise<ThrowawayServer> {
  const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    stderr += String(chunk);
  });
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  const spawnError = new Promise<never>((_, reject) =>
    child.once('error', (error) => reject(new Error(`could not run ${command}: ${error.message}`))),
  );
  spawnError.catch(() => {});
  const deadline = Date.now() + 10_000;
  while (!(await Promise.race([tcpOpen('127.0.0.1', port, 200), spawnError]))) {
    if (exited || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${command} ${args.join(' ')} did not start on port ${port}: ${stderr.trim()}`);
    }
    await sleep(50);
  }
  return {
    port,
    process: child,
    async kill() {
      if (!exited) {
        const gone = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGKILL');
        await gone;
      }
      while (await tcpOpen('127.0.0.1', port, 200)) await sleep(20);
    },
  };
}

export function startRedisServer(port: number): Promise<ThrowawayServer> {
  return spawnServer(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'],
    port,
  );
}

export function startNatsServer(port: number): Promise<ThrowawayServer> {
  return spawnServer('nats-server', ['-a', '127.0.0.1', '-p', String(port)], port);
}
