// `sockudo start`: validates the configuration, builds the drivers (they connect before anything
// listens), then serves; with `--workers N` the primary only supervises N workers that each do this.

import { createServer as createHttpServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { createServer, type Logger } from '@sockudo/core';
import type { PrometheusMetrics } from '@sockudo/metrics-prometheus';
import { checkConfig } from '../config/config-loader.js';
import { planDrivers } from '../config/plan/driver-plan.js';
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
import {
  type CliIo,
  EXIT_CODES,
  formatIssues,
  packageSearch,
  printableConfig,
  printWarnings,
} from './command-io.js';

/** The options of `sockudo start`, as typed. */
export interface StartOptions {
  config?: string;
  host?: string;
  port?: string;
  debug?: boolean;
  workers?: string;
}

/**
 * Runs `sockudo start`. Resolves with the exit code when the start fails, or `undefined` once the server
 * listens (the process then lives until a signal).
 */
export async function startCommand(options: StartOptions, io: CliIo): Promise<number | undefined> {
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
