// `sockudo start --workers N`: the primary of a node:cluster forks N workers that share the listening
// socket (the primary serves no clients), relays the in-box transport between them, restarts a worker
// that crashes, and on SIGTERM/SIGINT asks every worker to close gracefully.

import cluster, { type Worker } from 'node:cluster';
import { availableParallelism } from 'node:os';
import type { Logger } from '@sockudo/core';
import { relayIpcTransport } from './ipc-transport.js';

/** The environment variable that tells a forked process which worker (1..N) it is. */
export const WORKER_INDEX_ENV = 'SOCKUDO_WORKER_INDEX';

/** Marks the primary ⇄ worker control messages. */
const CONTROL_TAG = 'sockudo:worker';

/** Restarts of one worker allowed within a minute; one more and the primary stops everything. */
export const MAX_RESTARTS_PER_MINUTE = 5;

interface ControlMessage {
  tag: typeof CONTROL_TAG;
  listening?: { host: string; port: number };
  stop?: true;
}

function isControlMessage(message: unknown): message is ControlMessage {
  return typeof message === 'object' && message !== null && (message as ControlMessage).tag === CONTROL_TAG;
}

/** The `workers` setting as a process count: 0 ("auto") is one per CPU. */
export function workerCount(setting: number): number {
  return setting === 0 ? availableParallelism() : setting;
}

/** This process's worker index (1..N) when it is a worker of `sockudo start --workers`, else undefined. */
export function workerIndex(env: Record<string, string | undefined> = process.env): number | undefined {
  if (!cluster.isWorker) return undefined;
  const index = Number(env[WORKER_INDEX_ENV]);
  return Number.isInteger(index) && index >= 1 ? index : undefined;
}

/** Worker side: tells the primary this worker listens. */
export function reportListening(address: { host: string; port: number }): void {
  const message: ControlMessage = { tag: CONTROL_TAG, listening: { host: address.host, port: address.port } };
  process.send?.(message, undefined, {}, () => {});
}

/**
 * Worker side: calls `stop` when the primary asks this worker to stop, when the primary is gone (the
 * IPC channel closes), and on SIGTERM/SIGINT (a Ctrl-C reaches the whole process group; the primary
 * coordinates, so a worker never force-exits on a repeated signal).
 */
export function onWorkerStopRequest(stop: (reason: string) => void): void {
  process.on('message', (message: unknown) => {
    if (isControlMessage(message) && message.stop) stop('asked to stop by the primary');
  });
  process.on('disconnect', () => stop('the primary is gone'));
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => stop(`received ${signal}`));
}

/** Options of {@link runPrimary}. */
export interface PrimaryOptions {
  count: number;
  logger: Logger;
  /** How long workers may take to close; the primary kills those still running 5 s later. */
  gracePeriodMs: number;
  scheme: 'http' | 'https';
  /** The script each worker runs, and its arguments (the same `start` command, without --workers). */
  exec: string;
  args: string[];
  cwd: string;
  /** Added to each worker's environment. */
  env: Record<string, string | undefined>;
  /** @default process.exit */
  exit?: (code: number) => void;
}

function describeExit(code: number | null, signal: string | null): string {
  return signal ? `signal ${signal}` : `code ${code}`;
}

/** Primary side: forks the workers and supervises them until a signal ends them all. */
export function runPrimary(options: PrimaryOptions): void {
  const { count, logger, scheme } = options;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(options.env)) if (value !== undefined) env[name] = value;

  const workers = new Map<number, Worker>();
  const restarts = new Map<number, number[]>();
  const listening = new Set<number>();
  let started = false;
  let stopping = false;
  let exitCode = 0;
  let force: NodeJS.Timeout | undefined;

  cluster.setupPrimary({ exec: options.exec, args: options.args, cwd: options.cwd, silent: false });
  relayIpcTransport(() => workers.values(), cluster as never);

  const finish = (): void => {
    if (force) clearTimeout(force);
    logger.info('Sockudo stopped');
    exit(exitCode);
  };

  const stopAll = (code: number): void => {
    exitCode = Math.max(exitCode, code);
    if (stopping) return;
    stopping = true;
    force = setTimeout(() => {
      logger.error('workers took too long to stop; killing them');
      for (const worker of workers.values()) worker.process.kill('SIGKILL');
      exit(1);
    }, options.gracePeriodMs + 5000);
    force.unref();
    if (workers.size === 0) {
      finish();
      return;
    }
    for (const worker of workers.values()) {
      const message: ControlMessage = { tag: CONTROL_TAG, stop: true };
      if (worker.isConnected()) worker.send(message, () => {});
      else worker.process.kill('SIGTERM');
    }
  };

  const fork = (index: number): void => {
    const worker = cluster.fork({ ...env, [WORKER_INDEX_ENV]: String(index) });
    workers.set(index, worker);
    worker.on('error', (error) => logger.warn(`worker ${index}: IPC error`, { error }));
    worker.on('message', (message: unknown) => {
      if (!isControlMessage(message) || !message.listening) return;
      listening.add(index);
      if (started) {
        logger.info(`worker ${index} (pid ${worker.process.pid}) is serving again`);
      } else if (listening.size === count) {
        started = true;
        const { host, port } = message.listening;
        logger.info(`Sockudo listening on ${scheme}://${host}:${port} (${count} workers)`, {
          pid: process.pid,
        });
      }
    });
    worker.on('exit', (code, signal) => {
      if (workers.get(index) === worker) workers.delete(index);
      if (stopping) {
        if (code !== 0) exitCode = 1;
        if (workers.size === 0) finish();
        return;
      }
      const how = describeExit(code, signal);
      if (!started) {
        logger.error(`worker ${index} exited with ${how} before listening; stopping`);
        stopAll(1);
        return;
      }
      const now = Date.now();
      const recent = (restarts.get(index) ?? []).filter((time) => now - time < 60_000);
      if (recent.length >= MAX_RESTARTS_PER_MINUTE) {
        logger.error(
          `worker ${index} exited with ${how}, its ${recent.length + 1}th exit within a minute; stopping`,
        );
        stopAll(1);
        return;
      }
      const delay = Math.min(250 * 2 ** recent.length, 5000);
      recent.push(now);
      restarts.set(index, recent);
      logger.error(
        `worker ${index} (pid ${worker.process.pid}) exited with ${how}; restarting in ${delay} ms`,
      );
      setTimeout(() => {
        if (!stopping) fork(index);
      }, delay);
    });
  };

  let signalled = false;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (signalled) {
        logger.warn(`received ${signal} again; killing the workers`);
        for (const worker of workers.values()) worker.process.kill('SIGKILL');
        exit(1);
        return;
      }
      signalled = true;
      logger.info(
        `received ${signal}; asking ${workers.size} workers to close (grace period ${options.gracePeriodMs / 1000} s)`,
      );
      stopAll(0);
    });
  }

  logger.info(`starting ${count} workers`, { pid: process.pid });
  for (let index = 1; index <= count; index += 1) fork(index);
}
