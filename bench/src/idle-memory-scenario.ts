// M1: the server's resident memory per idle connection subscribed to its own channel.
import { setTimeout as sleep } from 'node:timers/promises';
import { BenchError } from './bench-error.js';
import type { Figures } from './bench-result.js';
import { ClientPool, poolDeadlineMs } from './client-pool.js';
import { webSocketUrl } from './endpoints.js';
import type { BenchOptions } from './options.js';
import { ProgressReporter } from './progress-reporter.js';
import { readRssBytes } from './server-process.js';

/** Time after the last subscription before reading RSS, so buffers freed by the handshakes are returned. */
const SETTLE_MS = 2000;

/** Runs M1 and returns the server's RSS growth per connection. */
export async function runIdleMemory(options: BenchOptions): Promise<Figures> {
  const pid = options.serverPid;
  if (pid === undefined) throw new BenchError('--scenario M1 needs --server-pid');
  let failure: BenchError | undefined;
  const pool = new ClientPool({
    url: webSocketUrl(options),
    client: options.client,
    count: options.clients,
    concurrency: 200,
    channelFor: (index) => `bench-m1-${index}`,
    timeoutMs: options.connectTimeout * 1000,
    deadlineMs: poolDeadlineMs(options.clients, options.connectTimeout * 1000),
    handlers: {
      onDelivery() {},
      // A connection dropped before the second reading would make the per-connection figure wrong.
      onFailure(error) {
        failure ??= error;
      },
    },
  });
  const progress = new ProgressReporter(options.scenario, () => {
    const { established, subscribed } = pool.progress;
    return `connected ${established}/${options.clients} subscribed ${subscribed}/${options.clients} server RSS ${megabytes(readRssBytes(pid))} MB`;
  });
  try {
    const rssBefore = readRssBytes(pid);
    const opened = await pool.open();
    await sleep(SETTLE_MS);
    if (failure !== undefined) throw failure;
    const rssAfter = readRssBytes(pid);
    const connections = opened.sockets.length;
    return {
      connections,
      serverRssBytesBefore: rssBefore,
      serverRssBytesAfter: rssAfter,
      serverRssMegabytesGrowth: megabytes(rssAfter - rssBefore),
      serverRssBytesPerConnection: Math.round((rssAfter - rssBefore) / connections),
    };
  } finally {
    progress.stop();
    pool.close();
  }
}

function megabytes(bytes: number): number {
  return Math.round((bytes / 1024 / 1024) * 10) / 10;
}
