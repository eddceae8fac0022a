// How a SQL app manager runs one call: refused after close(), bounded by a deadline, a read retried once
// on a connection the server dropped, and any failure reported with the database and without the password.

import { errorText, redact, SockudoError, withTimeout } from '@sockudo/core';

/** Rejects with `no answer within <ms> ms` when `promise` has not settled within `ms`. */
export function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  return withTimeout(promise, ms, () => new Error(`no answer within ${ms} ms`));
}

/** Options of {@link createSqlCalls}. */
export interface SqlCallsOptions {
  /** The manager's name at the start of every message, e.g. `'MysqlAppManager'`. */
  manager: string;
  /** Where it connects, from `describeSqlTarget()`. */
  where: string;
  /** The password, removed from any driver message that repeats it. */
  password?: string | undefined;
  /** Milliseconds a call may take unless it says otherwise. */
  deadlineMs: number;
  /** Whether `error` means the connection is gone, so a read is worth one more try. */
  connectionLost(error: unknown): boolean;
  /** Whether `error` means the applications table does not exist (the message then says how to create it). */
  missingTable(error: unknown): boolean;
}

/** Options of one call of {@link SqlCalls.run}. */
export interface SqlCallOptions {
  /** Try once more when the first attempt lost its connection; only for reads. @default false */
  retry?: boolean;
  /** @default the manager's deadline */
  timeoutMs?: number;
}

/** The call helpers {@link createSqlCalls} returns. */
export interface SqlCalls {
  /** A SockudoError saying `what` failed on the database and why, without the password. */
  failure(what: string, error: unknown): SockudoError;
  /** Throws a SockudoError when the manager is closed. */
  ensureOpen(what: string): void;
  /** Marks the manager closed: every later call rejects. */
  markClosed(): void;
  /** Runs `attempt` within the deadline, retried once on a lost connection when asked to. */
  run<T>(what: string, attempt: () => Promise<T>, options?: SqlCallOptions): Promise<T>;
}

/** The call helpers for one SQL app manager. */
export function createSqlCalls(options: SqlCallsOptions): SqlCalls {
  const { manager, where } = options;
  let closed = false;

  const failure = (what: string, error: unknown): SockudoError => {
    let reason = errorText(error);
    if (options.missingTable(error)) {
      reason += ' (create it with `sockudo migrate` or `await manager.migrate()`)';
    }
    return new SockudoError(`${manager}: ${what} failed on ${where}: ${redact(reason, options.password)}`, {
      cause: error,
    });
  };

  const ensureOpen = (what: string) => {
    if (closed) throw new SockudoError(`${manager}: ${what} called after close()`);
  };

  return {
    failure,
    ensureOpen,
    markClosed() {
      closed = true;
    },
    async run(what, attempt, { retry = false, timeoutMs = options.deadlineMs } = {}) {
      ensureOpen(what);
      for (let count = 0; ; count++) {
        try {
          return await withDeadline(attempt(), timeoutMs);
        } catch (error) {
          if (retry && count === 0 && options.connectionLost(error)) continue;
          throw failure(what, error);
        }
      }
    },
  };
}
