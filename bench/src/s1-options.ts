// S1's command line (`sockudo-bench s1 …` or `--scenario S1 …`): it starts its own nodes, so its options
// (driver, nodes, placement, brokers) have little in common with the scenarios that are pointed at a server.
import { parseArgs } from 'node:util';
import { BenchError } from './bench-error.js';
import type { ClientKind } from './frame-socket.js';

/** The cluster adapters S1 can join its nodes with. */
export const S1_DRIVERS = ['redis', 'redis_cluster', 'nats', 'rabbitmq'] as const;
/** One of {@link S1_DRIVERS}. */
export type S1Driver = (typeof S1_DRIVERS)[number];

/** Everything S1 needs, validated. */
export interface S1Options {
  scenario: 'S1';
  /** `sockudo` processes to start. @default 1 */
  nodes: number;
  /** @default 'redis' */
  driver: S1Driver;
  /** `adapter.routing` of every node. @default 'interest' */
  routing: 'interest' | 'broadcast';
  /** `spread`: subscriber i on node i mod N; `local`: every subscriber (and trigger) on node 0. @default 'spread' */
  placement: 'spread' | 'local';
  /** `spread`: each request to a random node; `node0`: all to node 0. @default 'spread', 'node0' with placement local */
  triggerTo: 'spread' | 'node0';
  /** Channels, one subscriber each. @default 2000 */
  channels: number;
  /** `private` (`private-user-<i>`, signed subscriptions) or `public` (`public-user-<i>`). @default 'private' */
  channelType: 'private' | 'public';
  /** Backend events per second. @default 2000 */
  rate: number;
  /** Events per HTTP request: 1 posts /events, more posts /batch_events (Pusher allows 10); PERFORMANCE.md's S1 sends batches of 10. @default 10 */
  batch: number;
  /** Measured seconds of events. @default 20 */
  duration: number;
  /** Seconds of events before the measured window (not measured, but checked by the ledger). @default 5 */
  warmup: number;
  /** Bytes of each event's data string. @default 100 */
  payload: number;
  /** Extra arguments for each node's `node` process, e.g. `--cpu-prof --cpu-prof-dir=/tmp/x`. */
  nodeArgs: string[];
  /** The `sockudo` entry point. @default apps/server/dist/bin.js of this repository */
  serverBin: string;
  /** Unique per run unless given, so runs on a shared broker never see each other. */
  prefix: string;
  /** @default 'redis://127.0.0.1:6379' */
  redisUrl: string;
  /** Redis Cluster seed nodes. @default 127.0.0.1:7000 … 127.0.0.1:7005 */
  clusterNodes: string[];
  /** `adapter.cluster.use_sharded_pubsub` (SSUBSCRIBE/SPUBLISH) for redis_cluster. @default true */
  shardedPubsub: boolean;
  /** @default 'nats://127.0.0.1:4222' */
  natsUrl: string;
  /** NATS monitoring endpoint for `out_bytes`. @default 'http://127.0.0.1:8222' */
  natsMonitorUrl: string;
  /** @default 'amqp://guest:guest@127.0.0.1:5672/%2f' */
  rabbitmqUrl: string;
  /** RabbitMQ management API for bytes sent. @default 'http://guest:guest@127.0.0.1:15672' */
  rabbitmqManagementUrl: string;
  /**
   * `shared`: the machine's broker at the addresses above; `private`: S1 starts its own (redis,
   * redis_cluster, nats) on free ports, so the broker counters hold this run's traffic only.
   * @default 'shared'
   */
  broker: 'shared' | 'private';
  /** Seed of the random node and channel choices (stored in the result). */
  seed: number;
  /** Seconds one socket may take to connect and subscribe. @default 15 */
  connectTimeout: number;
  client: ClientKind;
  /** Where the nodes' config and logs go; kept. Without it a temporary folder, removed after a clean run. */
  logDir: string | undefined;
  json: string | undefined;
  label: string | undefined;
}

/** The `sockudo-bench s1 --help` text. */
export const S1_USAGE = `Usage: sockudo-bench s1 [options]     (or: sockudo-bench --scenario S1 [options])

S1 (scale): starts N sockudo nodes joined by one cluster adapter, opens one subscriber on each of many
channels, sends paced backend events to random nodes and reports the cluster's CPU per delivery, broker
bytes per delivery, per-shard publishes (Redis Cluster) and lost/duplicated deliveries.

  --nodes 1                sockudo processes to start (1, 4, 8, …)
  --driver redis           redis | redis_cluster | nats | rabbitmq
  --routing interest       interest | broadcast (adapter.routing of every node)
  --placement spread       spread: subscriber i on node i mod N; local: all subscribers and triggers on
                           node 0, the other nodes idle (what idle nodes cost)
  --trigger-to spread      spread: each request to a random node; node0: all to node 0
                           (default node0 with --placement local)
  --channels 2000          channels with one subscriber each
  --channel-type private   private (private-user-<i>, signed) | public (public-user-<i>)
  --rate 2000              backend events per second
  --batch 10               events per request (1: POST /events; more: POST /batch_events, at most 10)
  --duration 20            measured seconds
  --warmup 5               seconds of events before the measured window
  --payload 100            bytes of each event's data string
  --node-args "ARGS"       extra node arguments for every node, e.g. "--cpu-prof --cpu-prof-dir=/tmp/p"
  --server-bin PATH        sockudo entry point (default: apps/server/dist/bin.js of this repository)
  --prefix TEXT            adapter prefix (default: unique per run)
  --redis-url URL          redis://127.0.0.1:6379
  --cluster-nodes LIST     127.0.0.1:7000,…,127.0.0.1:7005 (redis_cluster seeds)
  --sharded-pubsub true    redis_cluster: SSUBSCRIBE/SPUBLISH (true) or classic pub/sub (false)
  --nats-url URL           nats://127.0.0.1:4222
  --nats-monitor-url URL   http://127.0.0.1:8222 (out_bytes from /varz, if it answers)
  --rabbitmq-url URL       amqp://guest:guest@127.0.0.1:5672/%2f
  --rabbitmq-management-url URL
                           http://guest:guest@127.0.0.1:15672 (bytes sent, if it answers)
  --broker shared          shared: the brokers above; private: start a redis-server, a 6-node Redis
                           Cluster or a nats-server (with monitoring) of this run only, on free ports
                           (not for rabbitmq), so no one else's traffic is in the broker counters
  --seed N                 seed of the random choices (default: random, stored in the result)
  --connect-timeout 15     seconds one socket may take to connect and subscribe
  --client raw|ws          WebSocket client of the subscribers
  --log-dir DIR            keep the nodes' config and logs here (default: a temporary folder,
                           removed after a clean run)
  --label TEXT             stored in the result
  --json FILE              write the result as JSON to FILE
  --help                   show this text

Exit codes: 0 done, 1 error, 2 overall time limit, 3 deliveries lost, duplicated or misrouted.
`;

const DEFAULT_CLUSTER_NODES = [7000, 7001, 7002, 7003, 7004, 7005].map((port) => `127.0.0.1:${port}`);

/** Whether `argv` asks for S1: a leading `s1`, or `--scenario S1` / `--scenario=S1`. */
export function isS1Invocation(argv: readonly string[]): boolean {
  if (argv[0]?.toUpperCase() === 'S1') return true;
  return argv.some(
    (argument, index) =>
      argument.toUpperCase() === '--SCENARIO=S1' ||
      (argument === '--scenario' && argv[index + 1]?.toUpperCase() === 'S1'),
  );
}

/**
 * Parses S1's `argv` (without node and script; a leading `s1` and `--scenario S1` are accepted).
 * `defaultServerBin` is where the `sockudo` entry point is when `--server-bin` is not given. Returns
 * `undefined` for `--help`.
 */
export function parseS1Options(argv: readonly string[], defaultServerBin: string): S1Options | undefined {
  const args = glueNodeArgs(argv[0]?.toUpperCase() === 'S1' ? argv.slice(1) : argv);
  const values = parseCommandLine(args);
  if (values.help) return undefined;
  if (values.scenario !== undefined && values.scenario.toUpperCase() !== 'S1') {
    throw new BenchError(`sockudo-bench s1 runs scenario S1 only (got --scenario ${values.scenario})`);
  }
  const placement = oneOf('placement', values.placement, ['spread', 'local'] as const, 'spread');
  const batch = integer('batch', values.batch, 10, 1, 10);
  const options: S1Options = {
    scenario: 'S1',
    nodes: integer('nodes', values.nodes, 1, 1, 64),
    driver: oneOf('driver', values.driver?.replace('-', '_'), S1_DRIVERS, 'redis'),
    routing: oneOf('routing', values.routing, ['interest', 'broadcast'] as const, 'interest'),
    placement,
    triggerTo: oneOf(
      'trigger-to',
      values['trigger-to'],
      ['spread', 'node0'] as const,
      placement === 'local' ? 'node0' : 'spread',
    ),
    channels: integer('channels', values.channels, 2000, 1, 100_000),
    channelType: oneOf('channel-type', values['channel-type'], ['private', 'public'] as const, 'private'),
    rate: integer('rate', values.rate, 2000, 1, 1_000_000),
    batch,
    duration: integer('duration', values.duration, 20, 1, 3600),
    warmup: integer('warmup', values.warmup, 5, 0, 3600),
    payload: integer('payload', values.payload, 100, 1, 1_000_000),
    nodeArgs: splitArguments(values['node-args'] ?? ''),
    serverBin: values['server-bin'] ?? defaultServerBin,
    prefix: values.prefix ?? uniquePrefix(),
    redisUrl: url('redis-url', values['redis-url'] ?? 'redis://127.0.0.1:6379', ['redis:']),
    clusterNodes: clusterNodes(values['cluster-nodes']),
    shardedPubsub: boolean('sharded-pubsub', values['sharded-pubsub'], true),
    natsUrl: url('nats-url', values['nats-url'] ?? 'nats://127.0.0.1:4222', ['nats:']),
    natsMonitorUrl: url('nats-monitor-url', values['nats-monitor-url'] ?? 'http://127.0.0.1:8222', ['http:']),
    rabbitmqUrl: url('rabbitmq-url', values['rabbitmq-url'] ?? 'amqp://guest:guest@127.0.0.1:5672/%2f', [
      'amqp:',
    ]),
    rabbitmqManagementUrl: url(
      'rabbitmq-management-url',
      values['rabbitmq-management-url'] ?? 'http://guest:guest@127.0.0.1:15672',
      ['http:'],
    ),
    broker: oneOf('broker', values.broker, ['shared', 'private'] as const, 'shared'),
    seed: integer('seed', values.seed, Math.floor(Math.random() * 2 ** 31), 0, 2 ** 31 - 1),
    connectTimeout: integer('connect-timeout', values['connect-timeout'], 15, 1, 600),
    client: oneOf('client', values.client, ['raw', 'ws'] as const, 'raw'),
    logDir: values['log-dir'],
    json: values.json,
    label: values.label,
  };
  if (options.broker === 'private' && options.driver === 'rabbitmq') {
    throw new BenchError('--broker private is not available for rabbitmq (it needs the machine RabbitMQ)');
  }
  if (!/^[A-Za-z0-9_-]+$/.test(options.prefix)) {
    throw new BenchError(`--prefix may hold letters, digits, _ and - only, got "${options.prefix}"`);
  }
  return options;
}

function parseCommandLine(args: string[]) {
  const text = { type: 'string' } as const;
  const names = [
    'scenario',
    'nodes',
    'driver',
    'routing',
    'placement',
    'trigger-to',
    'channels',
    'channel-type',
    'rate',
    'batch',
    'duration',
    'warmup',
    'payload',
    'node-args',
    'server-bin',
    'prefix',
    'redis-url',
    'cluster-nodes',
    'sharded-pubsub',
    'nats-url',
    'nats-monitor-url',
    'rabbitmq-url',
    'rabbitmq-management-url',
    'broker',
    'seed',
    'connect-timeout',
    'client',
    'log-dir',
    'label',
    'json',
  ] as const;
  try {
    return parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        ...(Object.fromEntries(names.map((name) => [name, text])) as Record<
          (typeof names)[number],
          typeof text
        >),
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (error) {
    throw new BenchError(`${(error as Error).message}\n\n${S1_USAGE}`, { cause: error });
  }
}

/** Splits `--node-args` on whitespace as a shell would: single or double quotes keep spaces in a part. */
export function splitArguments(text: string): string[] {
  const parts: string[] = [];
  let current: string | undefined;
  let quote: string | undefined;
  for (const char of text) {
    if (quote !== undefined) {
      if (char === quote) quote = undefined;
      else current += char;
    } else if (char === '"' || char === "'") {
      quote = char;
      current ??= '';
    } else if (/\s/.test(char)) {
      if (current !== undefined) parts.push(current);
      current = undefined;
    } else {
      current = (current ?? '') + char;
    }
  }
  if (quote !== undefined) throw new BenchError(`--node-args has an unclosed ${quote}: ${text}`);
  if (current !== undefined) parts.push(current);
  return parts;
}

// `--node-args "--cpu-prof"`: parseArgs takes a value that starts with a dash for a forgotten one, so
// the value is glued on with `=` first.
function glueNodeArgs(args: readonly string[]): string[] {
  const glued: string[] = [];
  for (let index = 0; index < args.length; index++) {
    const argument = args[index]!;
    if (argument === '--node-args' && index + 1 < args.length) glued.push(`--node-args=${args[++index]}`);
    else glued.push(argument);
  }
  return glued;
}

// Time and pid make it unique on this machine; letters and digits only suit every broker's naming.
function uniquePrefix(): string {
  const random = Math.floor(Math.random() * 36 ** 4).toString(36);
  return `s1_${Date.now().toString(36)}_${process.pid}_${random}`;
}

function clusterNodes(value: string | undefined): string[] {
  if (value === undefined) return DEFAULT_CLUSTER_NODES;
  const nodes = value
    .split(',')
    .map((node) => node.trim())
    .filter((node) => node !== '');
  for (const node of nodes) {
    if (!/^[^\s:]+:\d{1,5}$/.test(node)) {
      throw new BenchError(`--cluster-nodes takes host:port,host:port,… (got "${node}")`);
    }
    if (!isLoopback(node.slice(0, node.lastIndexOf(':')))) {
      throw new BenchError(
        `--cluster-nodes must be on this machine (127.0.0.0/8 or localhost), got "${node}"`,
      );
    }
  }
  if (nodes.length === 0) throw new BenchError('--cluster-nodes needs at least one host:port');
  return nodes;
}

function oneOf<T extends string>(
  name: string,
  value: string | undefined,
  allowed: readonly T[],
  fallback: T,
): T {
  if (value === undefined) return fallback;
  const found = allowed.find((candidate) => candidate === value.toLowerCase());
  if (found === undefined)
    throw new BenchError(`--${name} must be one of ${allowed.join(', ')} (got "${value}")`);
  return found;
}

function integer(
  name: string,
  value: string | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (value.trim() === '' || !Number.isInteger(parsed) || parsed < min || parsed > max) {
    throw new BenchError(`--${name} must be an integer from ${min} to ${max} (got "${value}")`);
  }
  return parsed;
}

function boolean(name: string, value: string | undefined, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (value === 'true' || value === 'false') return value === 'true';
  throw new BenchError(`--${name} must be true or false (got "${value}")`);
}

// Brokers and monitors must be on this machine too: a load test never leaves the loopback.
function url(name: string, value: string, protocols: string[]): string {
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch (error) {
    throw new BenchError(`--${name} is not a URL: "${value}"`, { cause: error });
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new BenchError(`--${name} must be a ${protocols.join(' or ')}// URL (got "${value}")`);
  }
  if (!isLoopback(parsed.hostname.replace(/^\[(.*)\]$/, '$1'))) {
    throw new BenchError(
      `--${name} must point at this machine (127.0.0.0/8, localhost or ::1), got "${value}"`,
    );
  }
  return value;
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}
