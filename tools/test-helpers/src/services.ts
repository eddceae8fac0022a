// The services the driver tests need (Redis, the Redis Cluster, NATS, RabbitMQ), a clear failure (never a
// skip) when one is not there, and throwaway broker processes for fault tests.

import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { promisify } from 'node:util';
import { sleep } from './wait.js';

export { eventually, sleep } from './wait.js';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
export const REDIS_CLUSTER_NODES = (
  process.env.REDIS_CLUSTER_NODES ?? '127.0.0.1:7000,127.0.0.1:7001,127.0.0.1:7002'
)
  .split(',')
  .map((node) => node.trim());
export const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
/** The machine's RabbitMQ (vhost `/`); tests use fresh prefixes on it and never delete what others made. */
export const RABBITMQ_URL = process.env.RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672/%2f';

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

/**
 * Throws (failing the test) unless something listens at `address`. `remedy` says what to do about it;
 * by default, run `bash scripts/services.sh start`.
 */
export async function requireService(
  what: string,
  address: string,
  defaultPort = 6379,
  remedy = 'run `bash scripts/services.sh start` in the repo root',
): Promise<void> {
  const [host, port] = hostPort(address, defaultPort);
  if (!(await tcpOpen(host, port))) {
    throw new Error(
      `${what} is not reachable at ${host}:${port}. These integration tests need it: ${remedy}.`,
    );
  }
}

export async function requireRedis(): Promise<void> {
  await requireService('Redis', REDIS_URL);
}

export async function requireRedisCluster(): Promise<void> {
  for (const node of REDIS_CLUSTER_NODES) await requireService('The Redis Cluster', node);
}

export async function requireRabbitMq(): Promise<void> {
  await requireService(
    'RabbitMQ',
    RABBITMQ_URL,
    5672,
    'start rabbitmq-server (guest/guest, vhost /), or point RABBITMQ_URL at one',
  );
}

const run = promisify(execFile);

/**
 * Runs `rabbitmqctl` ($RABBITMQCTL, else /usr/sbin/rabbitmqctl where it is installed, else from PATH)
 * against the machine's broker and resolves with its output. Each call takes about half a second.
 */
export async function rabbitmqctl(args: string[]): Promise<string> {
  const command =
    process.env.RABBITMQCTL ??
    (existsSync('/usr/sbin/rabbitmqctl') ? '/usr/sbin/rabbitmqctl' : 'rabbitmqctl');
  const { stdout } = await run(command, args, { timeout: 30_000 });
  return stdout;
}

/**
 * `rabbitmqctl list_<what> <columns…>` on vhost `/`, as rows of columns, keeping the rows whose first
 * column starts with `prefix` (a test's own exchanges, queues or bindings).
 */
export async function listRabbitMq(
  what: 'exchanges' | 'queues' | 'bindings',
  columns: string[],
  prefix: string,
): Promise<string[][]> {
  const stdout = await rabbitmqctl([`list_${what}`, '--quiet', '--no-table-headers', ...columns]);
  return stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => line.split('\t'))
    .filter((row) => row[0]!.startsWith(prefix));
}

/**
 * Has the broker close (`connection.close`, 320 CONNECTION_FORCED, as `rabbitmqctl close_all_connections`
 * does) every connection whose client properties mention `match` — a test's own prefix, so that tests
 * running at the same time on the shared broker keep theirs. Resolves with how many it closed.
 */
export async function closeRabbitMqConnections(match: string, reason = 'test'): Promise<number> {
  const stdout = await rabbitmqctl([
    'list_connections',
    '--quiet',
    '--no-table-headers',
    'pid',
    'client_properties',
  ]);
  const pids = stdout
    .split('\n')
    .filter((line) => line.includes(match))
    .map((line) => line.split('\t')[0]!);
  for (const pid of pids) await rabbitmqctl(['close_connection', pid, reason]);
  return pids.length;
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
