#!/usr/bin/env node
// T1, tag-filter fan-out: `--clients` protocol V2 sockets on one channel, each subscribed with a tag
// filter of its own, and events triggered with tags through POST /events with `--inflight` requests
// outstanding for `--duration` s. Figures: deliveries/s and server CPU per 1M deliveries and per 1,000
// events, for `--mode none` (no filters: every socket gets every event), `match-all` (every filter is
// evaluated and matches: the cost of evaluating) and `selective` (each event matches ~10% of them).
// The server needs tag filtering on (`TAG_FILTERING_ENABLED=true`); any Sockudo V2 server will do.
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { signHttpRequest } from '@sockudo/protocol';
import type { FrameSocket } from './frame-socket.js';
import { openFrameSocket } from './open-frame-socket.js';
import { readCpuSeconds } from './server-process.js';

export const FILTER_MODES = ['none', 'match-all', 'selective'] as const;
export type FilterMode = (typeof FILTER_MODES)[number];

export interface TagFilterBenchOptions {
  host: string;
  port: number;
  appId: string;
  key: string;
  secret: string;
  clients: number;
  /** Seconds of triggering. */
  duration: number;
  /** HTTP requests in flight. */
  inflight: number;
  /** Bytes of each event's data string. */
  payload: number;
  mode: FilterMode;
  serverPid: number | undefined;
  connectTimeoutMs: number;
}

export const T1_CHANNEL = 'bench-t1';
/** Each subscriber's score window is this wide, out of 100 scores: ~10% of them match an event. */
const WINDOW = 10;
const SCORES = 100;
const BENCH_LEAD = Buffer.from('{"event":"bench"', 'latin1');
const PING_LEAD = Buffer.from('{"event":"sockudo:ping"', 'latin1');
const PONG = JSON.stringify({ event: 'sockudo:pong', data: {} });

/**
 * Subscriber `i`'s filter, distinct from every other's: its own score window, or any event tagged `all`
 * (`match-all` events are). Four comparisons, three logical nodes.
 */
export function subscriberFilter(i: number): unknown {
  const low = i % SCORES;
  return {
    op: 'or',
    nodes: [
      {
        op: 'and',
        nodes: [
          { key: 'score', cmp: 'gte', val: low },
          { key: 'score', cmp: 'lt', val: low + WINDOW },
          { key: 'shard', cmp: 'neq', val: `s${i}` },
        ],
      },
      { key: 'all', cmp: 'ex' },
    ],
  };
}

/** The tags of event `n`. */
export function eventTags(n: number, mode: FilterMode): Record<string, string> {
  const tags: Record<string, string> = { score: String(n % SCORES), shard: 'publisher' };
  if (mode === 'match-all') tags.all = '1';
  return tags;
}

/** How many of `clients` subscribers event `n` reaches in `mode`. */
export function expectedRecipients(n: number, clients: number, mode: FilterMode): number {
  if (mode !== 'selective') return clients;
  const score = n % SCORES;
  let count = 0;
  for (let i = 0; i < clients; i++) {
    const low = i % SCORES;
    if (score >= low && score < low + WINDOW) count++;
  }
  return count;
}

function startsWith(data: Buffer, lead: Buffer, start: number, end: number): boolean {
  return end - start >= lead.length && data.compare(lead, 0, lead.length, start, start + lead.length) === 0;
}

/** Opens one V2 socket subscribed to the bench channel (with subscriber `i`'s filter unless `none`). */
function openSubscriber(
  options: TagFilterBenchOptions,
  i: number,
  counts: { received: number; lastAt: number },
): Promise<FrameSocket> {
  const url = `ws://${options.host}:${options.port}/app/${encodeURIComponent(options.key)}?protocol=2&format=json`;
  return new Promise((resolve, reject) => {
    let subscribed = false;
    const fail = (message: string) => {
      clearTimeout(timer);
      socket.terminate();
      if (subscribed) process.stderr.write(`T1: subscriber ${i}: ${message}\n`);
      else reject(new Error(`T1: subscriber ${i}: ${message}`));
    };
    const timer = setTimeout(() => fail('not subscribed in time'), options.connectTimeoutMs);
    const socket = openFrameSocket('raw', url, options.connectTimeoutMs, {
      onOpen() {},
      onMessage(data, start, end) {
        if (startsWith(data, BENCH_LEAD, start, end)) {
          counts.received++;
          counts.lastAt = performance.now();
          return;
        }
        if (startsWith(data, PING_LEAD, start, end)) return socket.send(PONG);
        const frame = JSON.parse(data.toString('utf8', start, end)) as { event: string; data?: unknown };
        if (frame.event === 'sockudo:connection_established') {
          const filter = options.mode === 'none' ? {} : { filter: subscriberFilter(i) };
          socket.send(
            JSON.stringify({ event: 'sockudo:subscribe', data: { channel: T1_CHANNEL, ...filter } }),
          );
        } else if (frame.event === 'sockudo_internal:subscription_succeeded') {
          subscribed = true;
          clearTimeout(timer);
          resolve(socket);
        } else if (frame.event === 'sockudo:error') {
          fail(`sockudo:error ${JSON.stringify(frame.data)}`);
        }
      },
      onClose: (code) => fail(`closed by the server (${code})`),
      onError: (error) => fail(error.message),
    });
  });
}

/** Signed POST /apps/{id}/events of event `n` with its tags; resolves on 2xx. */
function triggerEvent(options: TagFilterBenchOptions, agent: Agent, n: number, data: string): Promise<void> {
  const path = `/apps/${encodeURIComponent(options.appId)}/events`;
  const body = JSON.stringify({ name: 'bench', channel: T1_CHANNEL, data, tags: eventTags(n, options.mode) });
  const params = signHttpRequest({ key: options.key, secret: options.secret, method: 'POST', path, body });
  const query = Object.entries(params)
    .map(([name, value]) => `${name}=${encodeURIComponent(value)}`)
    .join('&');
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: options.host,
        port: options.port,
        method: 'POST',
        path: `${path}?${query}`,
        agent,
        headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        res.on('end', () =>
          res.statusCode !== undefined && res.statusCode < 300
            ? resolve()
            : reject(new Error(`POST /events answered ${res.statusCode}`)),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const round = (value: number, digits = 3) => Math.round(value * 10 ** digits) / 10 ** digits;

/** Runs T1 once and returns its figures. */
export async function runTagFilterBench(options: TagFilterBenchOptions): Promise<Record<string, unknown>> {
  const counts = { received: 0, lastAt: 0 };
  const sockets: FrameSocket[] = [];
  const agent = new Agent({ keepAlive: true, maxSockets: options.inflight });
  try {
    let next = 0;
    const connect = async () => {
      while (next < options.clients) sockets.push(await openSubscriber(options, next++, counts));
    };
    await Promise.all(Array.from({ length: Math.min(100, options.clients) }, connect));

    const data = 'x'.repeat(options.payload);
    const cpuBefore = options.serverPid === undefined ? undefined : readCpuSeconds(options.serverPid);
    const generatorBefore = process.cpuUsage();
    const startedAt = performance.now();
    const stopAt = startedAt + options.duration * 1000;
    let sent = 0;
    let expected = 0;
    const loop = async () => {
      while (performance.now() < stopAt) {
        const n = sent++;
        await triggerEvent(options, agent, n, data);
        expected += expectedRecipients(n, options.clients, options.mode);
      }
    };
    await Promise.all(Array.from({ length: options.inflight }, loop));
    const triggeredAt = performance.now();
    // Stragglers: until all arrived, or none arrived for 2 s.
    for (let last = -1; counts.received < expected && counts.received !== last; ) {
      last = counts.received;
      await sleep(2000);
    }
    const cpuAfter = options.serverPid === undefined ? undefined : readCpuSeconds(options.serverPid);
    const generator = process.cpuUsage(generatorBefore);
    const seconds = (Math.max(counts.lastAt, triggeredAt) - startedAt) / 1000;
    const figures: Record<string, unknown> = {
      mode: options.mode,
      subscribers: sockets.length,
      triggersAccepted: sent,
      triggersPerSecond: round(sent / ((triggeredAt - startedAt) / 1000)),
      deliveriesExpected: expected,
      deliveriesReceived: counts.received,
      deliveriesPerSecond: round(counts.received / seconds),
      generatorCpuShare: round((generator.user + generator.system) / 1e6 / seconds),
    };
    if (cpuBefore !== undefined && cpuAfter !== undefined) {
      const cpu = cpuAfter - cpuBefore;
      figures.serverCpuSeconds = round(cpu);
      figures.serverCpuSecondsPerMillionDeliveries = round((cpu / counts.received) * 1e6);
      figures.serverCpuMillisecondsPerThousandEvents = round((cpu / sent) * 1e6);
    }
    return figures;
  } finally {
    for (const socket of sockets) socket.terminate();
    agent.destroy();
  }
}

export const T1_USAGE = `Usage: node bench/dist/tag-filter-bench.js [options]

  --mode none|match-all|selective   filters: none; distinct filters that all match; ~10% match (default selective)
  --port 6001 --host 127.0.0.1 --app-id app-id --key app-key --secret app-secret
  --clients 1000 --duration 10 --inflight 16 --payload 100 --connect-timeout 15
  --server-pid PID                  the server process: CPU per 1M deliveries and per 1,000 events
`;

/** Parses the command line; undefined for --help. */
export function parseTagFilterBenchOptions(argv: string[]): TagFilterBenchOptions | undefined {
  const text = { type: 'string' } as const;
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      mode: text,
      host: text,
      port: text,
      'app-id': text,
      key: text,
      secret: text,
      clients: text,
      duration: text,
      inflight: text,
      payload: text,
      'server-pid': text,
      'connect-timeout': text,
      help: { type: 'boolean' },
    },
  });
  if (values.help) return undefined;
  const integer = (name: string, raw: string | undefined, fallback: number) => {
    const value = raw === undefined ? fallback : Number(raw);
    if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer`);
    return value;
  };
  const mode = (values.mode ?? 'selective') as FilterMode;
  if (!FILTER_MODES.includes(mode)) throw new Error(`--mode must be one of ${FILTER_MODES.join(', ')}`);
  const host = values.host ?? '127.0.0.1';
  if (!/^(127\.\d+\.\d+\.\d+|localhost)$/.test(host)) throw new Error('--host must be a loopback address');
  return {
    host,
    port: integer('port', values.port, 6001),
    appId: values['app-id'] ?? 'app-id',
    key: values.key ?? 'app-key',
    secret: values.secret ?? 'app-secret',
    clients: integer('clients', values.clients, 1000),
    duration: integer('duration', values.duration, 10),
    inflight: integer('inflight', values.inflight, 16),
    payload: integer('payload', values.payload, 100),
    mode,
    serverPid:
      values['server-pid'] === undefined ? undefined : integer('server-pid', values['server-pid'], 0),
    connectTimeoutMs: integer('connect-timeout', values['connect-timeout'], 15) * 1000,
  };
}

async function main(): Promise<number> {
  const options = parseTagFilterBenchOptions(process.argv.slice(2));
  if (options === undefined) {
    process.stdout.write(T1_USAGE);
    return 0;
  }
  const figures = await runTagFilterBench(options);
  process.stdout.write(`${JSON.stringify({ scenario: 'T1', figures }, null, 2)}\n`);
  return figures.deliveriesReceived === figures.deliveriesExpected ? 0 : 3;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`T1: ${(error as Error).message}\n`);
      process.exit(1);
    },
  );
}
