// Where one queue lives in Redis. Every key of a queue carries the same `{queue}` hash tag, so on a
// Redis Cluster they share one slot and a Lua script may touch all of them atomically.

/** The Redis keys of one queue. */
export interface QueueKeys {
  /** Hash: job id → the job's data as JSON. A job exists while it has an entry here. */
  jobs: string;
  /** Hash: job id → deliveries started so far; the latest one is the lease's fencing token. */
  attempts: string;
  /** List: ids ready to run; pushed on the left, claimed from the right (FIFO). */
  wait: string;
  /** Sorted set: ids waiting to be retried, scored by when they are due (ms since epoch, Redis clock). */
  delayed: string;
  /** Sorted set: ids being delivered, scored by their lease deadline (ms since epoch, Redis clock). */
  active: string;
  /** List: jobs the handler gave up on, newest first, as JSON `{id, queue, attempts, reason, failedAt, data}`. */
  dlq: string;
}

/** `${prefix}{${queue}}:jobs`, `…:attempts`, `…:wait`, `…:delayed`, `…:active`, `…:dlq`. */
export function queueKeys(prefix: string, queue: string): QueueKeys {
  const base = `${prefix}{${queue}}:`;
  return {
    jobs: `${base}jobs`,
    attempts: `${base}attempts`,
    wait: `${base}wait`,
    delayed: `${base}delayed`,
    active: `${base}active`,
    dlq: `${base}dlq`,
  };
}
