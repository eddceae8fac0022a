// S1 (scale): N sockudo nodes over one cluster adapter, one subscriber on each of many channels, paced
// backend events each to one random channel through a random node. Measures what the cluster spends per
// delivery (every node's CPU), what the broker carries, and checks every delivery against a ledger.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { hmacSha256Hex } from '@sockudo/protocol';
import type { BenchError } from './bench-error.js';
import type { Figures } from './bench-result.js';
import { type BrokerProbe, openBrokerProbe } from './broker-stats.js';
import { ClientPool, poolDeadlineMs } from './client-pool.js';
import { DeliveryLedger, type LedgerSummary } from './delivery-ledger.js';
import { webSocketUrl } from './endpoints.js';
import { createIdentifiedEventDataFactory, readEventId } from './event-payload.js';
import { EventTrigger } from './event-trigger.js';
import { LatencyRecorder } from './latency-recorder.js';
import { type PrivateBroker, startPrivateBroker } from './private-broker.js';
import { createRateMeter, ProgressReporter } from './progress-reporter.js';
import { ledgerProblem, s1Figures } from './s1-figures.js';
import { S1_APP, s1NodeConfig, s1NodeEnv } from './s1-node-config.js';
import type { S1Options } from './s1-options.js';
import { readCpuSeconds } from './server-process.js';
import { type SockudoNodes, startSockudoNodes } from './sockudo-nodes.js';
import { createTriggerTally, type TriggerTally, triggerPaced } from './trigger-loops.js';

// After the last trigger is answered, wait for stragglers until none arrive for this long…
const DRAIN_IDLE_MS = 2000;
// …but never longer than this.
const DRAIN_MAX_MS = 30_000;
const DUPLICATE_GRACE_MS = 300;
/** Keep-alive sockets per node for the triggers (requests beyond queue in the agent). */
const TRIGGER_SOCKETS_PER_NODE = 32;

/** Channel `index`'s name: `private-user-<i>` (or `public-user-<i>`). */
export function s1ChannelName(options: Pick<S1Options, 'channelType'>, index: number): string {
  return `${options.channelType}-user-${index}`;
}

/** Seconds the whole of S1 may take at most (the CLI's watchdog). */
export function s1TimeLimitMs(options: S1Options): number {
  const startNodes = 60_000;
  const connect = poolDeadlineMs(options.channels, options.connectTimeout * 1000);
  return startNodes + connect + (options.warmup + options.duration) * 1000 + DRAIN_MAX_MS + 60_000;
}

/** What S1 returns: its figures and what the ledger found wrong, if anything. */
export interface S1Run {
  figures: Figures;
  /** Lost, duplicated or misrouted deliveries, described; undefined when every event arrived once. */
  problem: string | undefined;
}

/** Runs S1 as `options` say and returns its figures; throws on any failure of the run itself. */
export async function runS1(requested: S1Options): Promise<S1Run> {
  const dir = requested.logDir ?? mkdtempSync(join(tmpdir(), 's1-'));
  mkdirSync(dir, { recursive: true });
  let clean = false;
  let broker: PrivateBroker | undefined;
  let probe: BrokerProbe | undefined;
  let cluster: SockudoNodes | undefined;
  try {
    broker = requested.broker === 'private' ? await startPrivateBroker(requested, dir) : undefined;
    const options = broker?.options ?? requested;
    probe = await openBrokerProbe(options);
    cluster = await startSockudoNodes({
      count: options.nodes,
      serverBin: options.serverBin,
      nodeArgs: options.nodeArgs,
      config: s1NodeConfig(options),
      env: s1NodeEnv(),
      dir,
    });
    const { figures, ledger } = await measure(options, cluster, probe);
    figures.broker = broker?.description ?? `the machine's (${brokerAddress(options)})`;
    const problem = ledgerProblem(ledger);
    clean = problem === undefined;
    if (!clean) process.stderr.write(`S1: node config and logs kept in ${dir}\n`);
    return { figures, problem };
  } catch (error) {
    process.stderr.write(`S1: node config and logs kept in ${dir}\n`);
    throw error;
  } finally {
    probe?.close();
    await cluster?.stop();
    await broker?.stop();
    if (clean && requested.logDir === undefined) rmSync(dir, { recursive: true, force: true });
  }
}

function brokerAddress(options: S1Options): string {
  switch (options.driver) {
    case 'redis':
      return options.redisUrl;
    case 'redis_cluster':
      return options.clusterNodes.join(', ');
    case 'nats':
      return options.natsUrl;
    case 'rabbitmq':
      return options.rabbitmqUrl.replace(/\/\/[^@/]*@/, '//');
  }
}

async function measure(
  options: S1Options,
  cluster: SockudoNodes,
  probe: BrokerProbe,
): Promise<{ figures: Figures; ledger: LedgerSummary }> {
  const { nodes } = cluster;
  const controller = new AbortController();
  const random = createRandom(options.seed);
  const ledger = new DeliveryLedger(
    Math.ceil(options.rate * (options.warmup + options.duration) * 1.01) + 16,
  );
  const latency = new LatencyRecorder();
  const triggers = nodes.map(
    (node) =>
      new EventTrigger({
        host: '127.0.0.1',
        httpPort: node.port,
        appId: S1_APP.id,
        key: S1_APP.key,
        secret: S1_APP.secret,
        maxSockets: TRIGGER_SOCKETS_PER_NODE,
      }),
  );
  const urls = nodes.map((node) => webSocketUrl({ host: '127.0.0.1', wsPort: node.port, key: S1_APP.key }));
  let measuredFromId = Number.POSITIVE_INFINITY;
  let measuredDeliveries = 0;
  let lastDeliveryAt = 0;
  const pool = new ClientPool({
    url: options.placement === 'local' ? urls[0]! : urls,
    client: options.client,
    count: options.channels,
    concurrency: 200,
    channelFor: (index) => s1ChannelName(options, index),
    timeoutMs: options.connectTimeout * 1000,
    deadlineMs: poolDeadlineMs(options.channels, options.connectTimeout * 1000),
    ...(options.channelType === 'private' && {
      auth: (socketId: string, channel: string) =>
        `${S1_APP.key}:${hmacSha256Hex(S1_APP.secret, `${socketId}:${channel}`)}`,
    }),
    handlers: (channel) => ({
      onDelivery(sentAt, data, start, end) {
        const id = readEventId(data, start, end) ?? -1;
        ledger.receive(id, channel);
        if (id >= measuredFromId) {
          const now = performance.now();
          latency.record(now - sentAt);
          measuredDeliveries++;
          lastDeliveryAt = now;
        }
      },
      onFailure(error: BenchError) {
        if (!controller.signal.aborted) controller.abort(error);
      },
    }),
  });

  let phase = 'starting';
  let nextId = 0;
  const rate = createRateMeter();
  const progress = new ProgressReporter('S1', () => {
    const { subscribed } = pool.progress;
    const behind = ledger.expectedCount - ledger.receivedCount;
    return `${phase} nodes ${nodes.length} subscribed ${subscribed}/${options.channels} events ${nextId} deliveries ${rate(ledger.receivedCount)}/s behind ${behind}`;
  });

  const makeData = createIdentifiedEventDataFactory(options.payload);
  const pickNode = () => (options.triggerTo === 'node0' ? 0 : random(nodes.length));
  const nextEvent = (sentAt: number) => {
    const id = nextId++;
    const channel = random(options.channels);
    // Registered before sending: a delivery may arrive before the HTTP answer does.
    ledger.expect(id, channel);
    return { channel: s1ChannelName(options, channel), data: makeData(sentAt, id) };
  };
  const send = () => {
    const trigger = triggers[pickNode()]!;
    const sentAt = performance.now();
    if (options.batch === 1) {
      const event = nextEvent(sentAt);
      return trigger.trigger(event.channel, event.data);
    }
    return trigger.triggerBatch(Array.from({ length: options.batch }, () => nextEvent(sentAt)));
  };
  const requestRate = options.rate / options.batch;

  try {
    // One trigger per node to a channel nobody is on: a node that refuses requests fails here.
    await Promise.all(triggers.map((trigger) => trigger.trigger('s1-preflight', 'preflight')));
    phase = 'connecting';
    await pool.open();
    if (options.warmup > 0) {
      phase = 'warm-up';
      await triggerPaced(send, requestRate, options.warmup * 1000, controller, createTriggerTally());
      // The window starts with nothing in flight, so its CPU is spent on its own events only.
      await drain(ledger, controller);
    }
    phase = 'measuring';
    cluster.assertRunning();
    const brokerBefore = await probe.sample();
    const cpuBefore = nodes.map((node) => readCpuSeconds(node.pid));
    const generatorBefore = process.cpuUsage();
    measuredFromId = nextId;
    const tally: TriggerTally = createTriggerTally();
    await triggerPaced(send, requestRate, options.duration * 1000, controller, tally);
    phase = 'draining';
    await drain(ledger, controller);
    const cpuAfter = nodes.map((node) => readCpuSeconds(node.pid));
    const generatorUsed = process.cpuUsage(generatorBefore);
    const deliveries = measuredDeliveries;
    const brokerAfter = await probe.sample();
    cluster.assertRunning();
    // Duplicates that trail the last expected delivery get a moment to show up (outside the window).
    await sleep(DUPLICATE_GRACE_MS);
    const windowEnd = Math.max(lastDeliveryAt, tally.endedAt);
    const summary = ledger.summary();
    const figures = s1Figures({
      subscribers: options.channels,
      windowSeconds: (windowEnd - tally.startedAt) / 1000,
      eventsSent: nextId - measuredFromId,
      deliveries,
      nodeCpuSeconds: cpuAfter.map((after, index) => after - cpuBefore[index]!),
      generatorCpuSeconds: (generatorUsed.user + generatorUsed.system) / 1e6,
      broker: { before: brokerBefore, after: brokerAfter, note: probe.note },
      ledger: summary,
      latency: latency.summary(),
    });
    warnIfBehind(options, figures);
    return { figures, ledger: summary };
  } finally {
    progress.stop();
    pool.close();
    for (const trigger of triggers) trigger.close();
  }
}

// On a busy 2-core machine the generator may not get the CPU to keep the pace; the figures per delivery
// still hold, but the run did not load the cluster as asked.
function warnIfBehind(options: S1Options, figures: Figures): void {
  const achieved = figures.eventsPerSecond;
  if (typeof achieved === 'number' && achieved < options.rate * 0.9) {
    process.stderr.write(
      `warning: ${achieved} events/s of the ${options.rate} asked for; the generator (or the machine) fell behind\n`,
    );
  }
}

// Waits until every sent event arrived, or none arrived for DRAIN_IDLE_MS, or DRAIN_MAX_MS passed.
async function drain(ledger: DeliveryLedger, controller: AbortController): Promise<void> {
  const startedAt = performance.now();
  let lastCount = ledger.receivedCount;
  let lastChangeAt = startedAt;
  while (!ledger.caughtUp() && !controller.signal.aborted) {
    const now = performance.now();
    if (ledger.receivedCount !== lastCount) {
      lastCount = ledger.receivedCount;
      lastChangeAt = now;
    }
    if (now - lastChangeAt > DRAIN_IDLE_MS || now - startedAt > DRAIN_MAX_MS) break;
    await sleep(20);
  }
  if (controller.signal.aborted) throw controller.signal.reason;
}

/** A seeded generator of integers in [0, bound) (mulberry32), so a run's choices can be repeated. */
export function createRandom(seed: number): (bound: number) => number {
  let state = seed >>> 0;
  return (bound) => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * bound);
  };
}
