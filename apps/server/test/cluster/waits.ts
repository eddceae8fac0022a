// Waiting in the cluster tests: every wait has a deadline and names what it waited for; nothing asserts
// on how long something took.

import { randomBytes } from 'node:crypto';
import { withTimeout as withDeadline } from '@sockudo/core';
import { sleep } from '@sockudo/test-helpers/wait';

/** Default deadline of one wait. It only bounds failures; it is never asserted on. */
export const WAIT_MS = 10_000;

/** Resolves or rejects with `promise`, or rejects after `ms` naming `what`. */
export function withTimeout<T>(promise: Promise<T>, what: string, ms = WAIT_MS): Promise<T> {
  return withDeadline(promise, ms, () => new Error(`timed out after ${ms} ms waiting for ${what}`));
}

/**
 * Runs `probe` until it returns without throwing (its value is returned) or the deadline passes; then
 * fails with the probe's last error. `probe` may use `expect`.
 */
export async function eventually<T>(
  what: string,
  probe: () => T | Promise<T>,
  { timeoutMs = WAIT_MS, intervalMs = 100 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await probe();
    } catch (error) {
      if (Date.now() > deadline) {
        const last = error instanceof Error ? error.message : String(error);
        throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last attempt: ${last}`);
      }
    }
    await sleep(intervalMs);
  }
}

/** A short random id, to keep channel names, users and cluster prefixes of one run apart. */
export function uid(): string {
  return `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
}
