// Deadlines on promises, for drivers that wait on a broker or a database: the one copy every package
// imports (`import { withTimeout } from '@sockudo/core'`).

/**
 * Settles like `promise`, or rejects with `onTimeout()` if it has not settled within `ms`. The timer is
 * unref'd, so a pending deadline never keeps the process alive.
 */
export function withTimeout<T>(promise: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** A pause that, unlike {@link withTimeout}'s deadline, keeps the process alive while it runs. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
