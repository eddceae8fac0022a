// F1, F2 and H1: many clients on one public channel, events triggered through the HTTP API, deliveries and
// trigger→client latency measured at the clients. H1 is F1 with the clients split across two nodes joined
// by an adapter, the triggers all going to the first node.
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BenchError } from './bench-error.js';
import type { Figures } from './bench-result.js';
import { ClientPool, poolDeadlineMs } from './client-pool.js';
import { webSocketUrl } from './endpoints.js';
import { createEventDataFactory } from './event-payload.js';
import { EventTrigger } from './event-trigger.js';
import { LatencyRecorder } from './latency-recorder.js';
import type { BenchOptions } from './options.js';
import { createRateMeter, ProgressReporter } from './progress-reporter.js';
import { readCpuSeconds } from './server-process.js';
import { createTriggerTally, type TriggerTally, triggerPaced, triggerSaturated } from './trigger-loops.js';

/** The channel all fan-out clients share. */
export const FAN_OUT_CHANNEL = 'bench-1';

// After the last trigger is answered, wait for stragglers until none arrive for this long…
const DRAIN_IDLE_MS = 2000;
// …but never longer than this: a server that lost events must not hang the run.
const DRAIN_MAX_MS = 30_000;

/** Live counts shared by the clients' callback, the loops and the progress line. */
interface DeliveryCounts {
  received: number;
  lastAt: number;
}

/**
 * Runs F1 or H1 (saturated, `--inflight` triggers outstanding) or F2 (paced at `--rate`) and returns
 * its figures.
 */
export async function runFanOut(options: BenchOptions): Promise<Figures> {
  const controller = new AbortController();
  const latency = new LatencyRecorder();
  const deliveries: DeliveryCounts = { received: 0, lastAt: 0 };
  const trigger = new EventTrigger({ ...options, maxSockets: options.inflight });
  const pool = new ClientPool({
    url: fanOutUrls(options),
    client: options.client,
    count: options.clients,
    concurrency: 200,
    channelFor: () => FAN_OUT_CHANNEL,
    timeoutMs: options.connectTimeout * 1000,
    deadlineMs: poolDeadlineMs(options.clients, options.connectTimeout * 1000),
    handlers: {
      onDelivery(sentAt) {
        const now = performance.now();
        deliveries.received++;
        deliveries.lastAt = now;
        latency.record(now - sentAt);
      },
      onFailure(error: BenchError) {
        if (!controller.signal.aborted) controller.abort(error);
      },
    },
  });
  let tally: TriggerTally | undefined;
  const rate = createRateMeter();
  const progress = new ProgressReporter(options.scenario, () => {
    const { established, subscribed } = pool.progress;
    const triggers = tally === undefined ? '' : ` triggers ${tally.accepted}`;
    return `connected ${established}/${options.clients} subscribed ${subscribed}/${options.clients} deliveries ${rate(deliveries.received)}/s${triggers}`;
  });

  try {
    // One trigger to a channel nobody is on: wrong port, app id or secret fails here, before connecting.
    await trigger.trigger('bench-preflight', 'preflight');
    const opened = await pool.open();
    const subscribers = opened.sockets.length;
    const serverCpuBefore = readServerCpu(options);
    const generatorCpuBefore = process.cpuUsage();

    const makeData = createEventDataFactory(options.payload);
    const send = () => trigger.trigger(FAN_OUT_CHANNEL, makeData(performance.now()));
    const durationMs = options.duration * 1000;
    tally = createTriggerTally();
    if (options.scenario !== 'F2') {
      await triggerSaturated(send, options.inflight, durationMs, controller, tally);
    } else {
      await triggerPaced(send, options.rate, durationMs, controller, tally);
    }
    const expected = tally.accepted * subscribers;
    await drain(deliveries, expected, controller);

    const serverCpuAfter = readServerCpu(options);
    const serverCpu =
      serverCpuBefore === undefined || serverCpuAfter === undefined
        ? undefined
        : serverCpuAfter - serverCpuBefore;
    const generatorCpu = cpuSecondsSince(generatorCpuBefore);
    const figures = fanOutFigures({
      tally,
      subscribers,
      expected,
      deliveries,
      latency,
      serverCpu,
      generatorCpu,
    });
    warnIfGeneratorBound(figures);
    return figures;
  } finally {
    progress.stop();
    pool.close();
    trigger.close();
  }
}

// H1 alternates its clients between the two nodes; the others all use the one server.
function fanOutUrls(options: BenchOptions): string[] {
  const urls = [webSocketUrl(options)];
  if (options.scenario === 'H1' && options.wsPortB !== undefined) {
    urls.push(webSocketUrl({ ...options, wsPort: options.wsPortB }));
  }
  return urls;
}

// CPU seconds of the server, both nodes' for H1 when both pids are given.
function readServerCpu(options: BenchOptions): number | undefined {
  if (options.serverPid === undefined) return undefined;
  const first = readCpuSeconds(options.serverPid);
  return options.serverPidB === undefined ? first : first + readCpuSeconds(options.serverPidB);
}

// Waits until every expected delivery arrived, or none arrived for DRAIN_IDLE_MS, or DRAIN_MAX_MS passed.
async function drain(
  deliveries: DeliveryCounts,
  expected: number,
  controller: AbortController,
): Promise<void> {
  const startedAt = performance.now();
  let lastCount = deliveries.received;
  let lastChangeAt = startedAt;
  while (deliveries.received < expected && !controller.signal.aborted) {
    const now = performance.now();
    if (deliveries.received !== lastCount) {
      lastCount = deliveries.received;
      lastChangeAt = now;
    }
    if (now - lastChangeAt > DRAIN_IDLE_MS || now - startedAt > DRAIN_MAX_MS) return;
    await sleep(20);
  }
  if (controller.signal.aborted) throw controller.signal.reason;
}

// The generator is one thread: at a full core it, not the server, may have set the pace.
function warnIfGeneratorBound(figures: Figures): void {
  const share = figures.generatorCpuShare;
  if (typeof share === 'number' && share > 0.9) {
    process.stderr.write(
      `warning: the load generator used ${Math.round(share * 100)}% of a core; deliveries/s may be generator-bound\n`,
    );
  }
}

function cpuSecondsSince(before: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1e6;
}

interface FanOutMeasurements {
  tally: TriggerTally;
  subscribers: number;
  expected: number;
  deliveries: DeliveryCounts;
  latency: LatencyRecorder;
  serverCpu: number | undefined;
  generatorCpu: number;
}

function fanOutFigures(m: FanOutMeasurements): Figures {
  const triggerSeconds = (m.tally.endedAt - m.tally.startedAt) / 1000;
  // Deliveries still arriving after the last trigger count: a server that queues is not faster for it.
  const deliverySeconds = (Math.max(m.deliveries.lastAt, m.tally.endedAt) - m.tally.startedAt) / 1000;
  const received = m.deliveries.received;
  const figures: Figures = {
    subscribers: m.subscribers,
    triggersAccepted: m.tally.accepted,
    triggersPerSecond: round(m.tally.accepted / triggerSeconds),
    deliveriesExpected: m.expected,
    deliveriesReceived: received,
    deliveriesLost: m.expected - received,
    lossRatio: m.expected === 0 ? 0 : round((m.expected - received) / m.expected, 6),
    deliveriesPerSecond: round(received / deliverySeconds),
    triggerSeconds: round(triggerSeconds),
    deliverySeconds: round(deliverySeconds),
    latency: { ...m.latency.summary() },
    generatorCpuSeconds: round(m.generatorCpu),
    // Near 1.0 the single-threaded generator, not the server, may be what limits the figure.
    generatorCpuShare: round(m.generatorCpu / deliverySeconds),
    generatorCpuMicrosecondsPerDelivery: received === 0 ? 0 : round((m.generatorCpu / received) * 1e6),
  };
  if (m.serverCpu !== undefined) {
    figures.serverCpuSeconds = round(m.serverCpu);
    figures.serverCpuSecondsPerMillionDeliveries = received === 0 ? 0 : round((m.serverCpu / received) * 1e6);
  }
  return figures;
}

function round(value: number, digits = 3): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
