// The Redis servers these tests need, and a clear failure (never a skip) when one is not there.

import { createServer, Socket } from 'node:net';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
export const REDIS_CLUSTER_NODES = (
  process.env.REDIS_CLUSTER_NODES ?? '127.0.0.1:7000,127.0.0.1:7001,127.0.0.1:7002'
)
  .split(',')
  .map((node) => node.trim());

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

/** Throws (failing the tests) unless something listens at `address` (`host:port` or a URL). */
export async function requireService(what: string, address: string): Promise<void> {
  const url = new URL(address.includes('://') ? address : `tcp://${address}`);
  const host = url.hostname;
  const port = Number(url.port || 6379);
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

/** A TCP port on 127.0.0.1 that nothing listens on (just released by the OS). */
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

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Retries `check` until it stops throwing, or rethrows its last error after `timeoutMs`. */
export async function eventually(check: () => unknown | Promise<unknown>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(25);
    }
  }
}
