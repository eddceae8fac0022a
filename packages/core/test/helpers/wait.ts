// Waiting with a deadline: every wait in the suite names what it waited for, so a failure reads as
// "timed out waiting for X" instead of a hung test.

import { sleep, withTimeout as withDeadline } from '../../src/util/with-timeout.js';

export { sleep };

/** Default deadline for one wait. Generous: it only bounds failures, it is never asserted on. */
export const WAIT_MS = 5_000;

/** Resolves or rejects with `promise`, or rejects after `ms` with a message naming `what`. */
export function withTimeout<T>(promise: Promise<T>, what: string, ms = WAIT_MS): Promise<T> {
  return withDeadline(promise, ms, () => new Error(`timed out after ${ms} ms waiting for ${what}`));
}

/** Polls `check` until it returns a truthy value (which is returned), or fails naming `what`. */
export async function waitUntil<T>(
  check: () => T | Promise<T>,
  what: string,
  ms = WAIT_MS,
  intervalMs = 20,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value as NonNullable<T>;
      last = value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${ms} ms waiting for ${what} (last value: ${String(last)})`);
    }
    await sleep(intervalMs);
  }
}
