// Polling and timing helpers for tests against real brokers.

import { sleep } from '@sockudo/core';

/** Retries `check` until it stops throwing, or rethrows its last error after `timeoutMs`. */
export async function eventually(check: () => unknown | Promise<unknown>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(25);
    }
  }
}

export { sleep };

/** Resolves with how long `promise` took to settle and how it settled. */
export async function settle(
  promise: Promise<unknown>,
): Promise<{ ms: number; fulfilled: boolean; error?: unknown }> {
  const started = performance.now();
  try {
    await promise;
    return { ms: performance.now() - started, fulfilled: true };
  } catch (error) {
    return { ms: performance.now() - started, fulfilled: false, error };
  }
}
