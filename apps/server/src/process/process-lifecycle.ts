// Process-level behaviour of `sockudo start`: graceful shutdown on SIGTERM/SIGINT (a second signal
// forces the exit), and unhandled errors logged instead of lost.

import type { Logger } from '@sockudo/core';

/** The part of core's server that shutdown needs. */
export interface ClosableServer {
  close(options?: { gracePeriodMs?: number }): Promise<void>;
}

/** Options of {@link handleShutdownSignals}. */
export interface ShutdownOptions {
  logger: Logger;
  /** How long `close` may take for sockets to finish. */
  gracePeriodMs: number;
  /** Extra time after the grace period before the exit is forced. @default 5000 */
  forceAfterMs?: number;
  /** @default process.exit */
  exit?: (code: number) => void;
  /** @default ['SIGTERM', 'SIGINT'] */
  signals?: NodeJS.Signals[];
  /**
   * Other ways to be asked to stop (a cluster worker: its primary). Called once with a function that
   * starts the same graceful shutdown as the first signal; unlike a second signal, asking again while
   * stopping does nothing.
   */
  requests?: (stop: (reason: string) => void) => void;
}

/**
 * On the first SIGTERM/SIGINT: log, `server.close({ gracePeriodMs })`, exit 0 (1 if closing failed). A
 * second signal, or closing taking longer than the grace period plus `forceAfterMs`, exits 1 at once.
 * Returns a function that removes the handlers.
 */
export function handleShutdownSignals(server: ClosableServer, options: ShutdownOptions): () => void {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  const { logger, gracePeriodMs } = options;
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) {
      logger.warn(`received ${signal} again; exiting now`);
      exit(1);
      return;
    }
    stop(`received ${signal}`);
  };
  const stop = (reason: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info(`${reason}; closing connections (grace period ${gracePeriodMs / 1000} s)`);
    const force = setTimeout(
      () => {
        logger.error('shutdown took too long; exiting now');
        exit(1);
      },
      gracePeriodMs + (options.forceAfterMs ?? 5000),
    );
    force.unref();
    server.close({ gracePeriodMs }).then(
      () => {
        clearTimeout(force);
        logger.info('Sockudo stopped');
        exit(0);
      },
      (error: unknown) => {
        clearTimeout(force);
        logger.error('error while shutting down', { error });
        exit(1);
      },
    );
  };
  for (const signal of signals) process.on(signal, onSignal);
  options.requests?.(stop);
  return () => {
    for (const signal of signals) process.off(signal, onSignal);
  };
}

/**
 * Logs unhandled promise rejections (the server keeps running: one stray promise in a driver should not
 * drop every connection) and uncaught exceptions (the process state is unknown, so it exits 1).
 */
export function logUnhandledErrors(
  logger: Logger,
  exit: (code: number) => void = (code) => process.exit(code),
): () => void {
  const onRejection = (reason: unknown): void => {
    logger.error('unhandled promise rejection', { error: reason });
  };
  const onException = (error: Error): void => {
    logger.error('uncaught exception; exiting', { error });
    exit(1);
  };
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
  return () => {
    process.off('unhandledRejection', onRejection);
    process.off('uncaughtException', onException);
  };
}
