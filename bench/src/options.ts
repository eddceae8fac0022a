// Command-line options: parsing, per-scenario defaults and validation, so scenarios get plain numbers.
import { isIP } from 'node:net';
import { parseArgs } from 'node:util';
import { BenchError } from './bench-error.js';
import type { ClientKind } from './frame-socket.js';

/** The scenarios of PERFORMANCE.md this tool runs. */
export const SCENARIOS = ['F1', 'F2', 'C1', 'M1', 'H1', 'P1', 'D1'] as const;

/** One of {@link SCENARIOS}. */
export type Scenario = (typeof SCENARIOS)[number];

/** Everything a scenario needs, validated. */
export interface BenchOptions {
  scenario: Scenario;
  /** Loopback address of the server under test. @default '127.0.0.1' */
  host: string;
  /** WebSocket port. @default the value of `--port`, 6001 */
  wsPort: number;
  /** HTTP API port. @default the value of `--port`, 6001 */
  httpPort: number;
  /** WebSocket port of the second node (H1, required): half the clients connect there. */
  wsPortB: number | undefined;
  /** @default 'app-id' */
  appId: string;
  /** @default 'app-key' */
  key: string;
  /** @default 'app-secret' */
  secret: string;
  /** Sockets to open (P1: presence users). @default 1000 for F1/F2/H1, 10000 for C1/M1, 500 for P1 */
  clients: number;
  /** Seconds of triggering (F1/F2/H1) or of presence churn (P1). @default 10 */
  duration: number;
  /** HTTP requests in flight (F1/F2) or connection handshakes in flight (C1). @default 16 for F1/F2, 200 for C1 */
  inflight: number;
  /** Triggers per second (F2). @default 100 */
  rate: number;
  /** Bytes of each event's `data` string. @default 100 */
  payload: number;
  /** Where to write the JSON result. */
  json: string | undefined;
  /** Server process to read CPU time (F1/F2/H1/P1) and RSS (M1, required) from. */
  serverPid: number | undefined;
  /** H1's second server process; its CPU time is added to `serverPid`'s. */
  serverPidB: number | undefined;
  /** Free text stored in the result, e.g. `soketi-1.6.1` or `sockudo`. */
  label: string | undefined;
  /** Seconds one socket may take to connect and subscribe. @default 15 */
  connectTimeout: number;
  /**
   * WebSocket client: `raw` (lean RFC 6455 parser, the default, 1.3-3x less generator CPU per frame)
   * or `ws` (the `ws` package, to cross-check figures).
   * @default 'raw'
   */
  client: ClientKind;
}

/** The `--help` text. */
export const USAGE = `Usage: sockudo-bench --scenario F1|F2|C1|M1|H1|P1|D1 [options]

Runs a Pusher-protocol benchmark against any Pusher-compatible server on this machine.
S1 (scale) starts its own sockudo nodes and has options of its own: sockudo-bench s1 --help

  --scenario F1|F2|C1|M1|H1|P1|D1
                           F1 fan-out throughput, F2 paced fan-out latency,
                           C1 connect+subscribe rate, M1 RSS per idle connection,
                           H1 F1 across two nodes (clients split, triggers to the first),
                           P1 presence churn (joins+leaves/s, member events checked),
                           D1 delta compression (bytes on the wire, deliveries/s, CPU;
                           V2 sockets without, then with, sockudo:enable_delta_compression)
  --host 127.0.0.1         loopback address of the server (127.0.0.0/8, localhost or ::1)
  --port 6001              port for both WebSocket and HTTP API
  --ws-port N              WebSocket port if it differs from --port
  --http-port N            HTTP API port if it differs from --port
  --port-b N               H1: WebSocket port of the second node (required for H1)
  --app-id app-id          app id for POST /apps/{id}/events
  --key app-key            app key
  --secret app-secret      app secret (never written to the result file)
  --clients N              sockets to open (default 1000 for F1/F2/H1, 10000 for C1/M1,
                           500 presence users for P1)
  --duration 10            seconds of triggering (F1/F2/H1) or of presence churn (P1)
  --inflight N             HTTP requests in flight for F1/F2 (default 16),
                           handshakes in flight for C1 (default 200)
  --rate 100               triggers per second (F2)
  --payload 100            bytes of each event's data string (D1: of the JSON state, default 1024)
  --server-pid PID         server process: CPU-s per 1M deliveries (F1/F2/H1), RSS growth (M1, required)
  --server-pid-b PID       H1: the second node's process, its CPU time is added
  --connect-timeout 15     seconds one socket may take to connect and subscribe
  --client raw|ws          WebSocket client: raw (lean parser, default) or ws (the ws package)
  --label TEXT             stored in the result, e.g. soketi-1.6.1
  --json FILE              write the result as JSON to FILE
  --help                   show this text
`;

const DEFAULT_PORT = 6001;

/** Parses `argv` (without node and script). Returns `undefined` when `--help` was asked for. */
export function parseBenchOptions(argv: string[]): BenchOptions | undefined {
  const { values } = parseCommandLine(argv);
  if (values.help) return undefined;

  const scenario = parseScenario(values.scenario);
  const port = parseInteger('port', values.port, DEFAULT_PORT, 1, 65535);
  const options: BenchOptions = {
    scenario,
    host: parseLoopbackHost(values.host ?? '127.0.0.1'),
    wsPort: parseInteger('ws-port', values['ws-port'], port, 1, 65535),
    httpPort: parseInteger('http-port', values['http-port'], port, 1, 65535),
    appId: values['app-id'] ?? 'app-id',
    key: values.key ?? 'app-key',
    secret: values.secret ?? 'app-secret',
    wsPortB:
      values['port-b'] === undefined ? undefined : parseInteger('port-b', values['port-b'], 0, 1, 65535),
    clients: parseInteger('clients', values.clients, defaultClients(scenario), 1, 1_000_000),
    duration: parseInteger('duration', values.duration, 10, 1, 3600),
    inflight: parseInteger('inflight', values.inflight, scenario === 'C1' ? 200 : 16, 1, 10_000),
    rate: parseInteger('rate', values.rate, 100, 1, 1_000_000),
    payload: parseInteger('payload', values.payload, scenario === 'D1' ? 1024 : 100, 1, 1_000_000),
    json: values.json,
    serverPid:
      values['server-pid'] === undefined
        ? undefined
        : parseInteger('server-pid', values['server-pid'], 0, 1, 2 ** 22),
    serverPidB:
      values['server-pid-b'] === undefined
        ? undefined
        : parseInteger('server-pid-b', values['server-pid-b'], 0, 1, 2 ** 22),
    label: values.label,
    connectTimeout: parseInteger('connect-timeout', values['connect-timeout'], 15, 1, 600),
    client: parseClientKind(values.client),
  };
  if (scenario === 'M1' && options.serverPid === undefined) {
    throw new BenchError('--scenario M1 needs --server-pid: it reads the server RSS from /proc/<pid>/status');
  }
  if (scenario === 'H1' && options.wsPortB === undefined) {
    throw new BenchError('--scenario H1 needs --port-b: the WebSocket port of the second node');
  }
  if (scenario === 'H1' && options.clients < 2) {
    throw new BenchError('--scenario H1 needs --clients 2 or more: the clients are split across two nodes');
  }
  return options;
}

function parseCommandLine(argv: string[]) {
  const text = { type: 'string' } as const;
  try {
    return parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        scenario: text,
        host: text,
        port: text,
        'ws-port': text,
        'http-port': text,
        'port-b': text,
        'app-id': text,
        key: text,
        secret: text,
        clients: text,
        duration: text,
        inflight: text,
        rate: text,
        payload: text,
        json: text,
        'server-pid': text,
        'server-pid-b': text,
        label: text,
        'connect-timeout': text,
        client: text,
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new BenchError(`${(error as Error).message}\n\n${USAGE}`, { cause: error });
  }
}

function defaultClients(scenario: Scenario): number {
  if (scenario === 'C1' || scenario === 'M1') return 10_000;
  return scenario === 'P1' ? 500 : 1000;
}

function parseScenario(value: string | undefined): Scenario {
  const upper = value?.toUpperCase();
  const scenario = SCENARIOS.find((name) => name === upper);
  if (scenario === undefined) {
    throw new BenchError(
      `--scenario must be one of ${SCENARIOS.join(', ')}${value ? ` (got "${value}")` : ''}`,
    );
  }
  return scenario;
}

function parseClientKind(value: string | undefined): ClientKind {
  if (value === undefined || value === 'raw' || value === 'ws') return value ?? 'raw';
  throw new BenchError(`--client must be raw or ws (got "${value}")`);
}

function parseInteger(
  name: string,
  value: string | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < min || parsed > max) {
    throw new BenchError(`--${name} must be an integer from ${min} to ${max} (got "${value}")`);
  }
  return parsed;
}

// Load tests may only target this machine; refusing other hosts keeps a typo from flooding a real server.
function parseLoopbackHost(host: string): string {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  const loopback = bare === 'localhost' || bare === '::1' || (isIP(bare) === 4 && bare.startsWith('127.'));
  if (!loopback)
    throw new BenchError(`--host must be a loopback address (127.0.0.0/8, localhost or ::1), got "${host}"`);
  return bare;
}
