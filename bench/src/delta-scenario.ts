// D1: delta compression. `--clients` protocol V2 sockets on one channel receive ~`--payload`-byte JSON
// state updates (about 5 % of the values changing each time) triggered as in F1, first without delta
// compression, then on fresh sockets that sent `sockudo:enable_delta_compression`. Figures: bytes on
// the wire per delivery in each phase and their ratio, deliveries/s and server CPU per delivery. One
// socket per phase rebuilds every message (fossil, checksum-verified), so a broken stream fails the run.
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { applyDelta } from 'fossil-delta';
import { BenchError } from './bench-error.js';
import type { Figures } from './bench-result.js';
import { poolDeadlineMs } from './client-pool.js';
import { urlHost } from './endpoints.js';
import { EventTrigger } from './event-trigger.js';
import type { FrameSocket } from './frame-socket.js';
import { openFrameSocket } from './open-frame-socket.js';
import type { BenchOptions } from './options.js';
import { indexWithin, parseFrame } from './pusher-frame.js';
import { readCpuSeconds } from './server-process.js';
import { createStateUpdates } from './state-updates.js';
import { createTriggerTally, triggerSaturated } from './trigger-loops.js';

const CHANNEL = 'bench-d1';
const CHANNEL_MARK = Buffer.from(`"channel":"${CHANNEL}"`);
const PING = Buffer.from('"sockudo:ping"');
const PONG = JSON.stringify({ event: 'sockudo:pong', data: {} });
const DRAIN_MAX_MS = 30_000;

interface PhaseCounts {
  deliveries: number;
  /** WebSocket bytes of the channel's frames: payload plus the 2-10 byte frame header. */
  wireBytes: number;
  decodeFailures: number;
  /** The checked socket's consecutive messages: how many updates apart they are, summed, and how many. */
  updateDistance: number;
  updatePairs: number;
  lastAt: number;
}

/** An update's counter inside the frame's double-encoded `data`: `{\"n\":12,`. */
const UPDATE_COUNTER = /\{\\"n\\":(\d+),/;

/** WebSocket header bytes of a server frame (unmasked) of `length` payload bytes. */
function headerBytes(length: number): number {
  return length < 126 ? 2 : length < 65_536 ? 4 : 10;
}

/** Rebuilds one socket's stream, as a delta client must, and counts what does not decode. */
class StreamCheck {
  private base: Uint8Array | undefined;
  private baseSeq = -1;
  private lastUpdate = -1;

  constructor(private readonly counts: PhaseCounts) {}

  /**
   * Counts how far apart (in updates) this message is from the one before. Updates triggered
   * concurrently arrive out of order, so a message differs from the one before by the values of
   * several updates: with 16 in flight about two, ~10 % of the values instead of ~5 %.
   */
  private distance(text: string): void {
    const match = UPDATE_COUNTER.exec(text);
    if (match === null) return;
    const update = Number(match[1]);
    if (this.lastUpdate >= 0) {
      this.counts.updateDistance += Math.abs(update - this.lastUpdate);
      this.counts.updatePairs++;
    }
    this.lastUpdate = update;
  }

  read(data: Buffer, start: number, end: number): void {
    const frame = parseFrame(data, start, end) as { event?: string; data?: unknown } | undefined;
    if (frame?.event === 'sockudo:delta') {
      const delta = frame.data as { delta: string; seq: number; base_index: number };
      try {
        if (this.base === undefined || delta.base_index !== this.baseSeq) throw new Error('no base');
        this.base = applyDelta(this.base, Buffer.from(delta.delta, 'base64'));
        const rebuilt = Buffer.from(this.base).toString('utf8');
        JSON.parse(rebuilt);
        this.distance(rebuilt);
        this.baseSeq = delta.seq;
      } catch {
        this.counts.decodeFailures++;
        this.base = undefined;
      }
      return;
    }
    const text = data.toString('utf8', start, end);
    this.distance(text);
    const seq = /,"__delta_seq":(\d+)/.exec(text);
    if (seq) {
      this.base = Buffer.from(text.replace(seq[0], ''));
      this.baseSeq = Number(seq[1]);
    }
  }
}

function connect(
  options: BenchOptions,
  delta: boolean,
  counts: PhaseCounts,
  check: StreamCheck | undefined,
  onFailure: (error: BenchError) => void,
): Promise<FrameSocket> {
  const url = `ws://${urlHost(options.host)}:${options.wsPort}/app/${encodeURIComponent(options.key)}?protocol=2&client=js&version=2.2.0&format=json`;
  return new Promise((resolve, reject) => {
    let subscribed = false;
    const fail = (message: string) => {
      const error = new BenchError(`D1 socket: ${message}`);
      if (subscribed) onFailure(error);
      else reject(error);
      socket.terminate();
    };
    const timer = setTimeout(() => fail('not subscribed in time'), options.connectTimeout * 1000);
    const socket = openFrameSocket(options.client, url, options.connectTimeout * 1000, {
      onOpen() {},
      onMessage(data, start, end) {
        if (subscribed) {
          if (indexWithin(data, CHANNEL_MARK, start, end)) {
            counts.deliveries++;
            counts.wireBytes += end - start + headerBytes(end - start);
            counts.lastAt = performance.now();
            check?.read(data, start, end);
          } else if (indexWithin(data, PING, start, end)) socket.send(PONG);
          return;
        }
        const frame = parseFrame(data, start, end);
        if (frame?.event === 'sockudo:connection_established') {
          if (delta)
            socket.send('{"event":"sockudo:enable_delta_compression","data":{"algorithms":["fossil"]}}');
          socket.send(JSON.stringify({ event: 'sockudo:subscribe', data: { channel: CHANNEL } }));
        } else if (frame?.event === 'sockudo:delta_compression_enabled') {
          if ((frame.data as { enabled?: boolean }).enabled !== true)
            fail('the server did not enable deltas');
        } else if (frame?.event === 'sockudo_internal:subscription_succeeded' && frame.channel === CHANNEL) {
          subscribed = true;
          clearTimeout(timer);
          resolve(socket);
        } else if (frame?.event === 'sockudo:error' || frame?.event === 'pusher:error') {
          fail(`error ${JSON.stringify(frame.data)}`);
        }
      },
      onClose: (code) => fail(`closed by the server (code ${code})`),
      onError: (error) => fail(error.message),
    });
  });
}

async function runPhase(options: BenchOptions, delta: boolean): Promise<Figures> {
  const counts: PhaseCounts = {
    deliveries: 0,
    wireBytes: 0,
    decodeFailures: 0,
    updateDistance: 0,
    updatePairs: 0,
    lastAt: 0,
  };
  const controller = new AbortController();
  const sockets: FrameSocket[] = [];
  const trigger = new EventTrigger({ ...options, maxSockets: options.inflight });
  const deadline = performance.now() + poolDeadlineMs(options.clients, options.connectTimeout * 1000);
  try {
    const onFailure = (error: BenchError) => controller.abort(error);
    for (let next = 0; next < options.clients; ) {
      if (performance.now() > deadline) throw new BenchError('D1: clients did not subscribe in time');
      const batch = Array.from({ length: Math.min(200, options.clients - next) }, (_, i) =>
        connect(options, delta, counts, next + i === 0 ? new StreamCheck(counts) : undefined, onFailure),
      );
      sockets.push(...(await Promise.all(batch)));
      next += batch.length;
    }
    const update = createStateUpdates(options.payload);
    const cpuBefore = options.serverPid === undefined ? undefined : readCpuSeconds(options.serverPid);
    const tally = createTriggerTally();
    await triggerSaturated(
      () => trigger.trigger(CHANNEL, update()),
      options.inflight,
      options.duration * 1000,
      controller,
      tally,
    );
    const expected = tally.accepted * sockets.length;
    const drainUntil = performance.now() + DRAIN_MAX_MS;
    while (counts.deliveries < expected && performance.now() < drainUntil && !controller.signal.aborted) {
      await sleep(20);
    }
    if (controller.signal.aborted) throw controller.signal.reason;
    const cpu = cpuBefore === undefined ? undefined : readCpuSeconds(options.serverPid!) - cpuBefore;
    const seconds = (Math.max(counts.lastAt, tally.endedAt) - tally.startedAt) / 1000;
    const figures: Figures = {
      deliveriesExpected: expected,
      deliveriesReceived: counts.deliveries,
      deliveriesPerSecond: Math.round(counts.deliveries / seconds),
      wireBytesPerDelivery: Math.round((counts.wireBytes / Math.max(1, counts.deliveries)) * 10) / 10,
      checkedStreamFailures: counts.decodeFailures,
      updatesBetweenMessages:
        Math.round((counts.updateDistance / Math.max(1, counts.updatePairs)) * 100) / 100,
    };
    if (cpu !== undefined) {
      figures.serverCpuMicrosecondsPerDelivery =
        Math.round((cpu / Math.max(1, counts.deliveries)) * 1e7) / 10;
    }
    return figures;
  } finally {
    for (const socket of sockets) socket.terminate();
    trigger.close();
  }
}

/** Runs D1: the same load without, then with, delta compression, and returns both phases' figures. */
export async function runDeltaCompression(options: BenchOptions): Promise<Figures> {
  const off = await runPhase(options, false);
  await sleep(1000); // let the server close the first phase's sockets
  const on = await runPhase(options, true);
  const num = (f: Figures, key: string) => f[key] as number;
  const figures: Figures = {
    subscribers: options.clients,
    payloadBytes: options.payload,
    off: off as Record<string, number>,
    on: on as Record<string, number>,
    wireBytesRatio:
      Math.round((num(on, 'wireBytesPerDelivery') / num(off, 'wireBytesPerDelivery')) * 1000) / 1000,
    deliveriesPerSecondRatio:
      Math.round((num(on, 'deliveriesPerSecond') / num(off, 'deliveriesPerSecond')) * 1000) / 1000,
    // The CLI's loss check reads these two: both phases together.
    deliveriesExpected: num(off, 'deliveriesExpected') + num(on, 'deliveriesExpected'),
    deliveriesReceived: num(off, 'deliveriesReceived') + num(on, 'deliveriesReceived'),
  };
  const failures = num(off, 'checkedStreamFailures') + num(on, 'checkedStreamFailures');
  if (failures > 0) {
    throw new BenchError(`D1: ${failures} frames did not rebuild their message: ${JSON.stringify(figures)}`);
  }
  return figures;
}
