// `--broker private`: S1 starts a broker of its own (redis-server, a six-node Redis Cluster, or
// nats-server with monitoring) on ports the OS picks, so the broker's counters hold this run's traffic
// only, whoever else uses the machine's brokers meanwhile. Stopped again after the run.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { BenchError, describeError } from './bench-error.js';
import { RedisCommandConnection } from './redis-command.js';
import type { S1Options } from './s1-options.js';

const READY_TIMEOUT_MS = 20_000;
const run = promisify(execFile);

/** A running private broker: the options that point the nodes and the probe at it, and its stop. */
export interface PrivateBroker {
  /** `options` with the broker addresses of this broker. */
  options: S1Options;
  /** What was started, for the result. */
  description: string;
  stop(): Promise<void>;
}

/** Starts the broker `options.driver` needs under `dir`; RabbitMQ has no private broker. */
export async function startPrivateBroker(options: S1Options, dir: string): Promise<PrivateBroker> {
  const processes: ChildProcess[] = [];
  const stop = () => Promise.all(processes.map(stopProcess)).then(() => undefined);
  try {
    switch (options.driver) {
      case 'redis': {
        const port = await freePort();
        processes.push(startRedis(port, dir));
        await waitForRedis(port);
        return {
          options: { ...options, redisUrl: `redis://127.0.0.1:${port}` },
          description: `redis-server on 127.0.0.1:${port}`,
          stop,
        };
      }
      case 'redis_cluster': {
        // Each node's cluster bus gets a port of its own too (by default it would be port + 10000).
        const all = await freePorts(12);
        const ports = all.slice(0, 6);
        for (const [index, port] of ports.entries()) processes.push(startRedis(port, dir, all[6 + index]));
        await Promise.all(ports.map(waitForRedis));
        await createCluster(ports);
        const nodes = ports.map((port) => `127.0.0.1:${port}`);
        return {
          options: { ...options, clusterNodes: nodes },
          description: `a Redis Cluster of 3 masters and 3 replicas on ${nodes.join(', ')}`,
          stop,
        };
      }
      case 'nats': {
        const [port, monitorPort] = await freePorts(2);
        const log = createWriteStream(join(dir, 'nats-server.log'));
        const args = ['-a', '127.0.0.1', '-p', `${port}`, '-m', `${monitorPort}`];
        processes.push(spawnBroker('nats-server', args, log));
        const monitorUrl = `http://127.0.0.1:${monitorPort}`;
        await waitUntil(`nats-server on ${port}`, async () => (await fetch(`${monitorUrl}/varz`)).ok);
        return {
          options: { ...options, natsUrl: `nats://127.0.0.1:${port}`, natsMonitorUrl: monitorUrl },
          description: `nats-server on 127.0.0.1:${port}, monitoring on ${monitorPort}`,
          stop,
        };
      }
      case 'rabbitmq':
        throw new BenchError('--broker private is not available for rabbitmq: use the machine RabbitMQ');
    }
  } catch (error) {
    await stop();
    throw error;
  }
}

function startRedis(port: number, dir: string, clusterBusPort?: number): ChildProcess {
  const nodeDir = join(dir, `redis-${port}`);
  mkdirSync(nodeDir, { recursive: true });
  const args = [
    '--bind',
    '127.0.0.1',
    '--port',
    `${port}`,
    '--save',
    '',
    '--appendonly',
    'no',
    '--dir',
    nodeDir,
  ];
  if (clusterBusPort !== undefined) {
    args.push('--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf');
    args.push('--cluster-port', `${clusterBusPort}`);
  }
  return spawnBroker('redis-server', args, createWriteStream(join(nodeDir, 'redis.log')));
}

function spawnBroker(command: string, args: string[], log: NodeJS.WritableStream): ChildProcess {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.pipe(log);
  child.stderr!.pipe(log);
  child.on('error', (error) => log.write(`cannot start ${command}: ${error.message}\n`));
  return child;
}

async function createCluster(ports: number[]): Promise<void> {
  const nodes = ports.map((port) => `127.0.0.1:${port}`);
  try {
    await run('redis-cli', ['--cluster', 'create', ...nodes, '--cluster-replicas', '1', '--cluster-yes'], {
      timeout: READY_TIMEOUT_MS,
    });
  } catch (error) {
    throw new BenchError(`redis-cli --cluster create failed: ${describeError(error)}`, { cause: error });
  }
  await waitUntil('the private Redis Cluster', async () => {
    for (const port of ports) {
      const connection = await RedisCommandConnection.open(`redis://127.0.0.1:${port}`);
      try {
        const info = String(await connection.command('CLUSTER', 'INFO'));
        if (!info.includes('cluster_state:ok') || !info.includes(`cluster_known_nodes:${ports.length}`)) {
          return false;
        }
        // Every node must see the replicas as replicas, or the probe would take one for a master.
        const nodes = String(await connection.command('CLUSTER', 'NODES'));
        if ((nodes.match(/\bslave\b/g) ?? []).length !== ports.length / 2) return false;
      } finally {
        connection.close();
      }
    }
    return true;
  });
}

function waitForRedis(port: number): Promise<void> {
  return waitUntil(`redis-server on ${port}`, async () => {
    const connection = await RedisCommandConnection.open(`redis://127.0.0.1:${port}`, 1000);
    try {
      return (await connection.command('PING')) === 'PONG';
    } finally {
      connection.close();
    }
  });
}

async function waitUntil(what: string, ready: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      if (await ready()) return;
    } catch (error) {
      lastError = error;
    }
    await sleep(100);
  }
  const why = lastError === undefined ? '' : `: ${describeError(lastError)}`;
  throw new BenchError(`${what} was not ready within ${READY_TIMEOUT_MS} ms${why}`);
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

// Ports the OS hands out now; a broker binds each a moment later (held together, so they differ).
async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
          const server = createServer();
          server.once('error', reject);
          server.listen(0, '127.0.0.1', () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((server) => {
    const address = server.address();
    return typeof address === 'object' && address !== null ? address.port : 0;
  });
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}

async function freePort(): Promise<number> {
  return (await freePorts(1))[0]!;
}
