// A three-master Redis Cluster (with or without a replica per master) on random ports, owned by one
// test: it can be SIGKILLed and restarted from its own nodes.conf, or lose one master to a failover,
// which the shared cluster on 7000-7005 must never be.

import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { spawnServer, type ThrowawayServer } from '@sockudo/test-helpers/services';
import type { BrokerControl } from '@sockudo/test-helpers/throwaway-broker';
import { sleep } from '@sockudo/test-helpers/wait';

const run = promisify(execFile);

/** `kill()` SIGKILLs every node; `restart()` starts them from their nodes.conf and waits for cluster_state:ok. */
export interface ThrowawayCluster extends BrokerControl {
  readonly nodes: string[];
  /** The ports of the current masters. */
  masters(): Promise<number[]>;
  /**
   * SIGKILLs the master on `port` and waits until its replica has taken over (every survivor reports
   * cluster_state:ok and the killed port is no master). Needs `replicas: 1`.
   */
  failOver(port: number): Promise<void>;
}

// A cluster node also listens on port + 10000 (the cluster bus), so both must be free and ≤ 65535.
async function clusterPorts(count: number): Promise<number[]> {
  const ports: number[] = [];
  while (ports.length < count) {
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    if (ports.includes(port) || ports.includes(port + 10_000) || ports.includes(port - 10_000)) continue;
    if ((await isFree(port)) && (await isFree(port + 10_000))) ports.push(port);
  }
  return ports;
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

async function clusterOk(port: number): Promise<boolean> {
  try {
    const { stdout } = await run('redis-cli', ['-p', String(port), 'cluster', 'info']);
    return stdout.includes('cluster_state:ok');
  } catch {
    return false;
  }
}

async function waitClusterOk(ports: number[]): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const ok = await Promise.all(ports.map(clusterOk));
    if (ok.every(Boolean)) return;
    if (Date.now() > deadline)
      throw new Error(`throwaway cluster ${ports.join(',')} did not reach cluster_state:ok`);
    await sleep(100);
  }
}

async function masterPorts(port: number): Promise<number[]> {
  const { stdout } = await run('redis-cli', ['-p', String(port), 'cluster', 'nodes']);
  return stdout
    .split('\n')
    .filter((line) => line.includes('master') && !line.includes('fail'))
    .map((line) => Number(line.split(' ')[1]!.split('@')[0]!.split(':')[1]));
}

export async function startThrowawayCluster(options: { replicas?: 0 | 1 } = {}): Promise<ThrowawayCluster> {
  const replicas = options.replicas ?? 0;
  const ports = await clusterPorts(replicas === 1 ? 6 : 3);
  const dir = await mkdtemp(join(tmpdir(), 'sockudo-redis-cluster-'));
  let servers: ThrowawayServer[] = [];
  const startAll = async () => {
    servers = await Promise.all(
      ports.map((port) =>
        spawnServer(
          'redis-server',
          [
            '--port',
            String(port),
            '--bind',
            '127.0.0.1',
            '--save',
            '',
            '--appendonly',
            'no',
            '--cluster-enabled',
            'yes',
            '--cluster-node-timeout',
            '1000',
            // A replica may take over however long it has been out of sync: the tests fail a master
            // over seconds after creating the cluster.
            '--cluster-replica-validity-factor',
            '0',
            '--cluster-config-file',
            join(dir, `nodes-${port}.conf`),
            '--dir',
            dir,
          ],
          port,
        ),
      ),
    );
  };
  await startAll();
  await run('redis-cli', [
    '--cluster',
    'create',
    ...ports.map((port) => `127.0.0.1:${port}`),
    '--cluster-replicas',
    String(replicas),
    '--cluster-yes',
  ]);
  await waitClusterOk(ports);
  const alive = new Set(ports);
  return {
    nodes: ports.map((port) => `127.0.0.1:${port}`),
    masters: () => masterPorts([...alive][0]!),
    async failOver(port) {
      const index = ports.indexOf(port);
      await servers[index]!.kill();
      alive.delete(port);
      const deadline = Date.now() + 30_000;
      for (;;) {
        const survivors = [...alive];
        const ok = (await Promise.all(survivors.map(clusterOk))).every(Boolean);
        const masters = ok ? await masterPorts(survivors[0]!).catch(() => []) : [];
        if (ok && masters.length === 3 && !masters.includes(port)) return;
        if (Date.now() > deadline) throw new Error(`no replica took over from ${port} within 30 s`);
        await sleep(200);
      }
    },
    async kill() {
      await Promise.all(servers.map((server) => server.kill()));
    },
    async restart() {
      await startAll();
      await waitClusterOk(ports);
    },
    async destroy() {
      await Promise.all(servers.map((server) => server.kill()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
