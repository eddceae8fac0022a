// C1: how fast the server takes connect + subscribe with `--inflight` handshakes outstanding.
import type { BenchError } from './bench-error.js';
import type { Figures } from './bench-result.js';
import { ClientPool, poolDeadlineMs } from './client-pool.js';
import { webSocketUrl } from './endpoints.js';
import type { BenchOptions } from './options.js';
import { createRateMeter, ProgressReporter } from './progress-reporter.js';
import { readCpuSeconds, readRssBytes } from './server-process.js';

/** Runs C1: opens `--clients` sockets, each subscribing to its own channel, and times it. */
export async function runConnectRate(options: BenchOptions): Promise<Figures> {
  let failure: BenchError | undefined;
  const pool = new ClientPool({
    url: webSocketUrl(options),
    client: options.client,
    count: options.clients,
    concurrency: options.inflight,
    // Own channel per socket, as in M1: each subscribe then also creates a channel on the server.
    channelFor: (index) => `bench-c1-${index}`,
    timeoutMs: options.connectTimeout * 1000,
    deadlineMs: poolDeadlineMs(options.clients, options.connectTimeout * 1000),
    handlers: {
      onDelivery() {},
      // A server that drops sockets it already subscribed (e.g. at a connection limit) would look fast.
      onFailure(error) {
        failure ??= error;
      },
    },
  });
  const rate = createRateMeter();
  const progress = new ProgressReporter(options.scenario, () => {
    const { established, subscribed } = pool.progress;
    return `connected ${established}/${options.clients} subscribed ${subscribed}/${options.clients} (${rate(subscribed)}/s)`;
  });
  try {
    const serverCpuBefore = options.serverPid === undefined ? undefined : readCpuSeconds(options.serverPid);
    const generatorCpuBefore = process.cpuUsage();
    const opened = await pool.open();
    if (failure !== undefined) throw failure;
    const generatorCpu = process.cpuUsage(generatorCpuBefore);
    const seconds = opened.elapsedMs / 1000;
    const figures: Figures = {
      subscribed: opened.sockets.length,
      seconds: Math.round(seconds * 1000) / 1000,
      connectionsPerSecond: Math.round(opened.sockets.length / seconds),
      handshake: { ...opened.handshakes.summary() },
    };
    // CPU per connection holds still on a busy machine where connections/s does not: use it for A/B.
    figures.generatorCpuMicrosecondsPerConnection = Math.round(
      (generatorCpu.user + generatorCpu.system) / opened.sockets.length,
    );
    if (options.serverPid !== undefined && serverCpuBefore !== undefined) {
      const serverCpu = readCpuSeconds(options.serverPid) - serverCpuBefore;
      figures.serverCpuMicrosecondsPerConnection = Math.round((serverCpu * 1e6) / opened.sockets.length);
      figures.serverRssBytesAfter = readRssBytes(options.serverPid);
    }
    return figures;
  } finally {
    progress.stop();
    pool.close();
  }
}
