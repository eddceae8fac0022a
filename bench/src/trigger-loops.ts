// The two ways F1 and F2 drive triggers: saturated with a fixed number in flight, or paced at a rate.
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

/** Sends one event stamped with the current `performance.now()`. */
export type SendEvent = () => Promise<void>;

/** What a trigger loop did; filled in as it runs so the progress line can read it. */
export interface TriggerTally {
  /** Triggers the server answered with 2xx. */
  accepted: number;
  /** `performance.now()` when the first trigger was sent. */
  startedAt: number;
  /** `performance.now()` when the last answer arrived. */
  endedAt: number;
}

/** A tally for a loop that has not started. */
export function createTriggerTally(): TriggerTally {
  return { accepted: 0, startedAt: performance.now(), endedAt: 0 };
}

// A backstop far above anything a 2-core loopback run reaches, so no loop depends on time alone.
const MAX_TRIGGERS = 50_000_000;

/**
 * F1: keeps `inflight` triggers outstanding for `durationMs`. The first failure aborts the run
 * (`controller` carries it) because deliveries can no longer be compared with what was sent.
 */
export async function triggerSaturated(
  send: SendEvent,
  inflight: number,
  durationMs: number,
  controller: AbortController,
  tally: TriggerTally,
): Promise<void> {
  tally.startedAt = performance.now();
  const stopAt = tally.startedAt + durationMs;
  let sent = 0;
  const worker = async () => {
    while (!controller.signal.aborted && sent < MAX_TRIGGERS && performance.now() < stopAt) {
      sent++;
      await send();
      tally.accepted++;
    }
  };
  await Promise.all(Array.from({ length: inflight }, () => abortOnError(worker(), controller)));
  throwIfAborted(controller);
  tally.endedAt = performance.now();
}

/**
 * F2: sends `rate` triggers per second for `durationMs`, `rate × duration` in all, without waiting for
 * answers, so a slow server shows as latency instead of silently lowering the rate.
 */
export async function triggerPaced(
  send: SendEvent,
  rate: number,
  durationMs: number,
  controller: AbortController,
  tally: TriggerTally,
): Promise<void> {
  const total = Math.min(MAX_TRIGGERS, Math.round((rate * durationMs) / 1000));
  const intervalMs = 1000 / rate;
  tally.startedAt = performance.now();
  const pending: Promise<void>[] = [];
  for (let index = 0; index < total && !controller.signal.aborted; ) {
    const dueAt = tally.startedAt + index * intervalMs;
    const waitMs = dueAt - performance.now();
    if (waitMs >= 1) {
      await sleep(waitMs);
      continue;
    }
    // Timers fire late by up to a millisecond or so; catch up by sending everything already due.
    const answered = send().then(() => {
      tally.accepted++;
    });
    pending.push(abortOnError(answered, controller));
    index++;
  }
  await Promise.all(pending);
  throwIfAborted(controller);
  tally.endedAt = performance.now();
}

// Catches at once (a rejection left unhandled until later would crash node) and records the first error.
function abortOnError(task: Promise<void>, controller: AbortController): Promise<void> {
  return task.catch((error: unknown) => {
    if (!controller.signal.aborted) controller.abort(error);
  });
}

function throwIfAborted(controller: AbortController): void {
  if (controller.signal.aborted) throw controller.signal.reason;
}
