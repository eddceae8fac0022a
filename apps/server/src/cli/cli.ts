// The `sockudo` command line: `start` (the default command, as Rust Sockudo starts without one),
// `migrate`, `config check`, `--version`, `--help`.

import { readFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer, type Logger } from '@sockudo/core';
import type { PrometheusMetrics } from '@sockudo/metrics-prometheus';
import { Command, CommanderError } from 'commander';
import { appToRecord } from '../config/app-records.js';
import type { ConfigIssue } from '../config/config-issue.js';
import { type ConfigCheck, checkConfig } from '../config/config-loader.js';
import { maskSecrets } from '../config/mask-secrets.js';
import { planDrivers } from '../config/plan/driver-plan.js';
import type { ResolvedConfig } from '../config/resolved-config.js';
import { toServerOptions } from '../config/to-server-options.js';
import { createDrivers, type Drivers } from '../drivers/driver-registry.js';
import { createIpcTransport } from '../process/ipc-transport.js';
import { createServerLogger, resolveLogLevel } from '../process/logger.js';
import { handleShutdownSignals, logUnhandledErrors } from '../process/process-lifecycle.js';
import { createTlsServer } from '../process/tls-server.js';
import {
  onWorkerStopRequest,
  reportListening,
  runPrimary,
  workerCount,
  workerIndex,
} from '../process/workers.js';
import { runMigrate } from './migrate-command.js';

/** Exit codes of the `sockudo` command. */
export const EXIT_CODES = Object.freeze({
  /** Success; for `start`, a clean shutdown after SIGTERM/SIGINT. */
  ok: 0,
  /** Invalid configuration, or the server could not start or stop cleanly. */
  failure: 1,
  /** Unknown command or option, or a missing option argument. */
  usage: 2,
});

/** Where the CLI reads and writes; tests replace it. */
export interface CliIo {
  stdout: { write(chunk: string): unknown; isTTY?: boolean };
  stderr: { write(chunk: string): unknown };
  env: Record<string, string | undefined>;
  cwd: string;
}

/** The version in apps/server/package.json (the same relative path from src/cli/ and dist/cli/). */
export function packageVersion(): string {
  const text = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
  return (JSON.parse(text) as { version: string }).version;
}

const HELP_AFTER = `
Configuration (later wins): defaults < config file (-c, else ./config/config.json) < environment
variables (Rust Sockudo's names: HOST, PORT, ADAPTER_DRIVER, SOCKUDO_DEFAULT_APP_ID/KEY/SECRET, ...)
< --host/--port/--debug/--workers. \${VAR} and \${VAR:-default} are substituted in the config file.

Drivers (adapter, app manager, cache, queue, rate limiter) are loaded only when configured. With a
database app manager, run \`sockudo migrate\` once to create its apps table.

Exit codes: 0 ok, 1 invalid configuration or failed to start, 2 bad command line.
`;

function formatIssues(issues: readonly ConfigIssue[]): string {
  const count = issues.length === 1 ? '1 error' : `${issues.length} errors`;
  return `Invalid configuration (${count}):\n${issues.map((issue) => `  - ${issue.message}\n`).join('')}`;
}

function printWarnings(result: ConfigCheck, io: CliIo): void {
  for (const warning of result.warnings) io.stderr.write(`warning: ${warning}\n`);
}

/** The resolved configuration as `config check` prints it: apps as config.json records, secrets masked. */
export function printableConfig(config: ResolvedConfig): Record<string, unknown> {
  const copy = {
    ...config,
    app_manager: { ...config.app_manager, array: { apps: config.app_manager.array.apps.map(appToRecord) } },
  };
  return maskSecrets(copy);
}

interface StartOptions {
  config?: string;
  host?: string;
  port?: string;
  debug?: boolean;
  workers?: string;
}

async function start(options: StartOptions, io: CliIo): Promise<number | undefined> {
  const result = checkConfig({
    file: options.config,
    env: io.env,
    cwd: io.cwd,
    flags: { host: options.host, port: options.port, debug: options.debug, workers: options.workers },
  });
  if (!result.config) {
    printWarnings(result, io);
    io.stderr.write(formatIssues(result.errors));
    return EXIT_CODES.failure;
  }
  const config = result.config;
  const level = resolveLogLevel(config.debug, config.logging.level);
  // A worker of `--workers N` (see workers.ts) runs the single-process start below, joined to its peers.
  const worker = workerIndex(io.env);
  const logger = createServerLogger({
    level,
    format: config.logging.output_format,
    colors: config.logging.colors_enabled && io.stdout.isTTY === true,
    stream: io.stdout,
    ...(worker !== undefined && { bindings: { worker } }),
  });
  logUnhandledErrors(logger);
  logger.debug('resolved configuration', { config: printableConfig(config) });
  if (worker === undefined) {
    for (const note of result.notes) logger.info(note);
    for (const warning of result.warnings) logger.warn(warning);
  }
  const workers = workerCount(config.workers);
  if (worker === undefined && workers > 1) {
    runPrimary({
      count: workers,
      logger,
      gracePeriodMs: config.shutdown_grace_period * 1000,
      scheme: config.ssl.enabled ? 'https' : 'http',
      exec: fileURLToPath(new URL('../bin.js', import.meta.url)),
      args: workerArgs(options),
      cwd: io.cwd,
      env: io.env,
    });
    return undefined;
  }

  // Drivers connect (and are checked) before anything listens; a transport that cannot connect may fall
  // back to the local adapter, anything else that cannot start ends the process with exit code 1.
  let drivers: Drivers;
  try {
    drivers = await createDrivers(planDrivers(config).plan, {
      logger,
      packageSearch: packageSearch(result, io),
    });
  } catch (error) {
    logger.error(`failed to start: ${error instanceof Error ? error.message : String(error)}`);
    return EXIT_CODES.failure;
  }

  if (worker !== undefined) {
    if (drivers.adapter === 'local') {
      // The workers of one box are joined through the primary; cheap timings, since nothing is remote.
      drivers.serverOptions.transport = createIpcTransport();
      drivers.serverOptions.horizontal = {
        nodeId: `worker-${worker}-${process.pid}`,
        heartbeatIntervalMs: 1000,
        nodeTimeoutMs: 3000,
      };
    } else if (drivers.serverOptions.horizontal?.nodeId !== undefined) {
      // instance.process_id names the box; each worker is a node of its own.
      const nodeId = `${drivers.serverOptions.horizontal.nodeId}-worker-${worker}`;
      drivers.serverOptions.horizontal = { ...drivers.serverOptions.horizontal, nodeId };
    }
  }

  let server: ReturnType<typeof createServer>;
  let metrics: PrometheusMetrics | undefined;
  try {
    const httpServer = config.ssl.enabled
      ? createTlsServer(config.ssl, io.cwd)
      : worker !== undefined
        ? createHttpServer()
        : undefined;
    // Which worker answered, for operators (and tests): registered before core's request handler.
    if (worker !== undefined)
      httpServer?.on('request', (_request, response) =>
        response.setHeader('X-Sockudo-Worker', String(worker)),
      );
    const tls = httpServer ? { server: httpServer } : {};
    // Only worker 1 serves the metrics port (a shared port would answer from a random worker).
    if (config.metrics.enabled && (worker === undefined || worker === 1)) {
      const { createPrometheusMetrics } = await import('@sockudo/metrics-prometheus');
      metrics = createPrometheusMetrics({ prefix: config.metrics.prometheus.prefix });
    }
    server = createServer(
      toServerOptions(config, { logger, ...tls, ...drivers.serverOptions, ...(metrics ? { metrics } : {}) }),
    );
  } catch (error) {
    await drivers.close();
    logger.error('failed to start', { error });
    return EXIT_CODES.failure;
  }
  // Before listening: a SIGTERM that arrives as soon as the port is open (an orchestrator that gives
  // up on a slow start, a test) still gets the graceful shutdown and exit 0, not the default kill.
  handleShutdownSignals(server, {
    logger,
    gracePeriodMs: config.shutdown_grace_period * 1000,
    ...(worker !== undefined && { signals: [], requests: onWorkerStopRequest }),
  });
  try {
    const address = await server.listen();
    const scheme = config.ssl.enabled ? 'https' : 'http';
    const appManager = drivers.serverOptions.appManager
      ? { app_manager: config.app_manager.driver }
      : { apps: config.app_manager.array.apps.length };
    if (worker === undefined) {
      logger.info(`Sockudo listening on ${scheme}://${address.host}:${address.port}`, {
        ...appManager,
        adapter: drivers.adapter,
      });
    } else {
      logger.info(`worker ${worker} ready on ${scheme}://${address.host}:${address.port}`, {
        pid: process.pid,
        ...appManager,
        adapter: drivers.adapter === 'local' ? 'local (workers joined in-box)' : drivers.adapter,
      });
      reportListening(address);
    }
  } catch (error) {
    logger.error('failed to start', { error });
    await server.close({ gracePeriodMs: 0 }).catch(() => {});
    return EXIT_CODES.failure;
  }
  if (metrics) await serveMetrics(metrics, config.metrics, logger);
  return undefined;
}

/** Where driver packages are looked for: next to the config file, then the working directory. */
function packageSearch(result: ConfigCheck, io: CliIo): string[] {
  const configDirectory = result.file !== undefined ? dirname(resolve(io.cwd, result.file)) : undefined;
  return configDirectory !== undefined ? [configDirectory, io.cwd] : [io.cwd];
}

/** The `start` arguments of a worker: the primary's, without --workers. */
function workerArgs(options: StartOptions): string[] {
  const args = ['start'];
  if (options.config !== undefined) args.push('--config', options.config);
  if (options.host !== undefined) args.push('--host', options.host);
  if (options.port !== undefined) args.push('--port', options.port);
  if (options.debug) args.push('--debug');
  return args;
}

/**
 * Starts the metrics port. Metrics are auxiliary: a port already taken (a second instance on the same
 * machine, say) is logged and the server keeps serving clients without them.
 */
async function serveMetrics(
  metrics: PrometheusMetrics,
  settings: { host: string; port: number },
  logger: Logger,
): Promise<void> {
  const { startMetricsServer } = await import('@sockudo/metrics-prometheus');
  try {
    const bound = await startMetricsServer(metrics, { host: settings.host, port: settings.port });
    logger.info(`Metrics on http://${bound.host}:${bound.port}/metrics`);
  } catch (error) {
    logger.error(
      `metrics.port: cannot serve metrics on ${settings.host}:${settings.port} (${error instanceof Error ? error.message : String(error)}); continuing without metrics`,
    );
  }
}

function configCheck(options: { config?: string }, io: CliIo): number {
  const result = checkConfig({ file: options.config, env: io.env, cwd: io.cwd });
  printWarnings(result, io);
  if (!result.config) {
    io.stderr.write(formatIssues(result.errors));
    return EXIT_CODES.failure;
  }
  io.stdout.write(`${JSON.stringify(printableConfig(result.config), null, 2)}\n`);
  return EXIT_CODES.ok;
}

async function migrate(options: { config?: string }, io: CliIo): Promise<number> {
  const result = checkConfig({ file: options.config, env: io.env, cwd: io.cwd });
  printWarnings(result, io);
  if (!result.config) {
    io.stderr.write(formatIssues(result.errors));
    return EXIT_CODES.failure;
  }
  return runMigrate(planDrivers(result.config).plan.appManager, io, {
    packageSearch: packageSearch(result, io),
  });
}

const COMMANDS = ['start', 'migrate', 'config', 'help'];
const OPTIONS_WITH_VALUE = ['-c', '--config', '--host', '--port', '--workers'];

/**
 * The first word that is not an option, when it is not a command. `start` is the default command, so
 * without this check commander would report a typo such as `sockudo strat` as "too many arguments".
 */
function unknownCommand(args: readonly string[]): string | undefined {
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i]!;
    if (arg === '--') return undefined;
    if (arg.startsWith('-')) {
      if (OPTIONS_WITH_VALUE.includes(arg)) i += 1;
      continue;
    }
    return COMMANDS.includes(arg) ? undefined : arg;
  }
  return undefined;
}

/**
 * Runs the CLI. Resolves with the exit code, or `undefined` once `start` is listening (the process then
 * lives until a signal). Never calls `process.exit` itself except through the shutdown handlers.
 */
export async function runCli(argv: readonly string[], io: Partial<CliIo> = {}): Promise<number | undefined> {
  const streams: CliIo = {
    stdout: io.stdout ?? process.stdout,
    stderr: io.stderr ?? process.stderr,
    env: io.env ?? process.env,
    cwd: io.cwd ?? process.cwd(),
  };
  let code: number | undefined = EXIT_CODES.ok;
  const program = new Command()
    .name('sockudo')
    .description('A self-hosted, Pusher-protocol-compatible realtime server, configured like Rust Sockudo.')
    .version(packageVersion(), '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => streams.stdout.write(text),
      writeErr: (text) => streams.stderr.write(text),
    })
    .addHelpText('after', HELP_AFTER);

  program
    .command('start', { isDefault: true })
    .description('start the server (the default command)')
    .option('-c, --config <file>', 'config file (default: config/config.json when it exists)')
    .option('--host <host>', 'address to listen on (overrides HOST and the config file)')
    .option('--port <port>', 'port to listen on; 0 picks a free one (overrides PORT and the config file)')
    .option('--debug', 'log at debug level')
    .option(
      '--workers <n>',
      'worker processes sharing the port; 0 or auto = one per CPU (overrides SOCKUDO_WORKERS and the config file)',
    )
    .addHelpText('after', HELP_AFTER)
    .action(async (options: StartOptions) => {
      code = await start(options, streams);
    });

  program
    .command('migrate')
    .description(
      'create the apps table of the configured database app manager (mysql, pgsql, dynamodb); safe to run again',
    )
    .option('-c, --config <file>', 'config file (default: config/config.json when it exists)')
    .action(async (options: { config?: string }) => {
      code = await migrate(options, streams);
    });

  const config = program.command('config').description('inspect the configuration');
  config
    .command('check')
    .description('validate the configuration; print it as JSON with secrets masked, or print every error')
    .option('-c, --config <file>', 'config file (default: config/config.json when it exists)')
    .action((options: { config?: string }) => {
      code = configCheck(options, streams);
    });

  const typo = unknownCommand(argv.slice(2));
  if (typo !== undefined) {
    streams.stderr.write(
      `error: unknown command '${typo}' (commands: start, migrate, config check; see sockudo --help)\n`,
    );
    return EXIT_CODES.usage;
  }
  try {
    await program.parseAsync([...argv]);
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return EXIT_CODES.ok;
    return EXIT_CODES.usage;
  }
  return code;
}
