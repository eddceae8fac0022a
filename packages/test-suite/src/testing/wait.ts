// Waiting with a deadline. Every wait names what did not happen, so a failure reads as
// "node 2 did not receive the broadcast within 5000 ms" instead of a hung or silently passing test.

import { sleep, withTimeout } from '@sockudo/core';

// Core's pause, for pacing polls only: never to let a cluster "probably" settle.
export { sleep };

/** How long a single wait gives a cluster before it fails. @default 5000 */
export const DEFAULT_WAIT_MS = 5000;

/** Options of {@link waitFor}. */
export interface WaitForOptions {
  /** How long to keep polling before failing. @default 5000 */
  timeoutMs?: number;
  /** Pause between two polls. @default 10 */
  intervalMs?: number;
}

/**
 * Polls `check` until it returns a truthy value, which is returned. A `check` that throws (an
 * assertion, say) counts as "not yet"; its last message is quoted when the deadline passes.
 *
 * @param failure what did not happen, phrased as the failure: `'node 2 did not receive the broadcast'`.
 * @throws Error `"<failure> within <timeoutMs> ms (last: ...)"` when the deadline passes.
 */
export async function waitFor<T>(
  check: () => T | Promise<T>,
  failure: string,
  options: WaitForOptions = {},
): Promise<NonNullable<T>> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_WAIT_MS;
  const intervalMs = options.intervalMs ?? 10;
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    try {
      const value = await check();
      if (value) return value as NonNullable<T>;
      last = String(value);
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    if (Date.now() >= deadline) {
      throw new Error(`${failure} within ${timeoutMs} ms${last ? ` (last: ${last})` : ''}`);
    }
    await sleep(intervalMs);
  }
}

/**
 * Settles with `promise`, or rejects after `timeoutMs` with `"<failure> within <timeoutMs> ms"`.
 * For calls that must come back (a request that should time out on its own, a `close()`).
 */
export function withDeadline<T>(
  promise: Promise<T>,
  failure: string,
  timeoutMs = DEFAULT_WAIT_MS,
): Promise<T> {
  return withTimeout(promise, timeoutMs, () => new Error(`${failure} within ${timeoutMs} ms`));
}
