// P1: `--clients` presence users join and leave one presence channel over and over for `--duration` s;
// an observer on the channel counts member_added/member_removed, which must match what the users did.
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { BenchError } from './bench-error.js';
import type { Figures } from './bench-result.js';
import { poolDeadlineMs } from './client-pool.js';
import { webSocketUrl } from './endpoints.js';
import { LatencyRecorder } from './latency-recorder.js';
import { MemberLedger } from './member-ledger.js';
import type { BenchOptions } from './options.js';
import { connectPresenceClient, type PresenceClient, type PresenceClientOptions } from './presence-client.js';
import { createRateMeter, ProgressReporter } from './progress-reporter.js';
import { readCpuSeconds } from './server-process.js';

const OBSERVER_ID = 'bench-observer';
const CHECKER_ID = 'bench-checker';
/** Users connecting at once (connections only; the churn itself runs all users at once). */
const CONNECT_CONCURRENCY = 50;
const DRAIN_IDLE_MS = 2000;
/**
 * A join may wait this long: with every user joining at once, a slow server answers each join only after
 * the others queued before it (soketi 1.6 took over 15 s with 500 users here), which is a figure, not a
 * failure; a minute without an answer is a stuck server.
 */
const JOIN_TIMEOUT_MS = 60_000;
const DRAIN_MAX_MS = 30_000;

/** Live counts for the progress line and the figures. */
interface ChurnTally {
  connected: number;
  joins: number;
  leaves: number;
}

/** Runs P1 and returns joins+leaves per second; `memberEventProblem` is set when the events were wrong. */
export async function runPresenceChurn(options: BenchOptions): Promise<Figures> {
  // A fresh channel per run, so members left behind by an earlier (failed) run can't be counted.
  const channel = `presence-bench-p1-${randomBytes(4).toString('hex')}`;
  const controller = new AbortController();
  const onFailure = (error: BenchError) => {
    if (!controller.signal.aborted) controller.abort(error);
  };
  const base = {
    url: webSocketUrl(options),
    client: options.client,
    channel,
    key: options.key,
    secret: options.secret,
    timeoutMs: options.connectTimeout * 1000,
    joinTimeoutMs: JOIN_TIMEOUT_MS,
    onFailure,
  } satisfies Omit<PresenceClientOptions, 'userId'>;
  const ledger = new MemberLedger(OBSERVER_ID);
  let lastMemberEventAt = 0;
  const tally: ChurnTally = { connected: 0, joins: 0, leaves: 0 };
  const clients: PresenceClient[] = [];
  const rate = createRateMeter();
  const progress = new ProgressReporter(options.scenario, () => {
    const ops = tally.joins + tally.leaves;
    return `users connected ${tally.connected}/${options.clients} joins ${tally.joins} leaves ${tally.leaves} (${rate(ops)}/s) observer saw +${ledger.added} -${ledger.removed}`;
  });

  try {
    const observer = await connectPresenceClient({
      ...base,
      userId: OBSERVER_ID,
      onMemberEvent(kind, userId) {
        lastMemberEventAt = performance.now();
        ledger.record(kind, userId);
      },
    });
    clients.push(observer);
    const initial = await observer.join();
    if (initial.length !== 1 || initial[0] !== OBSERVER_ID) {
      throw new BenchError(
        `fresh channel ${channel} listed members ${JSON.stringify(initial)}, expected only the observer`,
      );
    }

    const users = await connectUsers(options, base, tally, clients, controller);
    const serverCpuBefore = options.serverPid === undefined ? undefined : readCpuSeconds(options.serverPid);
    const joinLatency = new LatencyRecorder();
    const joinsBy = new Map<string, number>();
    const leavesBy = new Map<string, number>();
    const startedAt = performance.now();
    const stopAt = startedAt + options.duration * 1000;

    // Each user joins, waits for subscription_succeeded, leaves, and again, until the time is up.
    const churn = async (user: PresenceClient) => {
      let joins = 0;
      let leaves = 0;
      try {
        while (!controller.signal.aborted && performance.now() < stopAt) {
          const began = performance.now();
          await user.join();
          joinLatency.record(performance.now() - began);
          joins++;
          tally.joins++;
          user.leave();
          leaves++;
          tally.leaves++;
        }
      } finally {
        joinsBy.set(user.userId, joins);
        leavesBy.set(user.userId, leaves);
      }
    };
    await Promise.all(users.map((user) => churn(user).catch(onFailure)));
    if (controller.signal.aborted) throw controller.signal.reason;
    const churnEndedAt = performance.now();

    await drain(ledger, tally, controller);
    const serverCpu =
      serverCpuBefore === undefined || options.serverPid === undefined
        ? undefined
        : readCpuSeconds(options.serverPid) - serverCpuBefore;
    const seconds = (Math.max(churnEndedAt, lastMemberEventAt) - startedAt) / 1000;

    // Checked before the newcomer below joins: the observer is told of it too.
    const problems = [ledger.verify(joinsBy, leavesBy)];
    const { added: memberAddedSeen, removed: memberRemovedSeen } = ledger;
    // Everyone left: a newcomer must see only the observer and itself.
    const checker = await connectPresenceClient({ ...base, userId: CHECKER_ID });
    clients.push(checker);
    const finalMembers = (await checker.join()).sort();
    if (finalMembers.join() !== [CHECKER_ID, OBSERVER_ID].sort().join()) {
      problems.push(
        `a newcomer saw members ${JSON.stringify(finalMembers.slice(0, 10))} after all users left`,
      );
    }
    const problem = problems.filter((text) => text !== undefined).join('; ');

    const operations = tally.joins + tally.leaves;
    const figures: Figures = {
      users: users.length,
      joins: tally.joins,
      leaves: tally.leaves,
      joinsAndLeavesPerSecond: Math.round(operations / seconds),
      seconds: round(seconds),
      memberAddedSeen,
      memberRemovedSeen,
      membersAtEnd: finalMembers.length,
      join: { ...joinLatency.summary() },
    };
    if (serverCpu !== undefined) {
      figures.serverCpuSeconds = round(serverCpu);
      figures.serverCpuSecondsPerThousandOperations = round((serverCpu / Math.max(1, operations)) * 1000);
    }
    if (problem !== '') figures.memberEventProblem = problem;
    return figures;
  } finally {
    progress.stop();
    for (const client of clients) client.terminate();
  }
}

// Connects `--clients` users (user ids bench-user-<i>), a bounded number at a time.
async function connectUsers(
  options: BenchOptions,
  base: Omit<PresenceClientOptions, 'userId'>,
  tally: ChurnTally,
  clients: PresenceClient[],
  controller: AbortController,
): Promise<PresenceClient[]> {
  const users: PresenceClient[] = [];
  const deadline = performance.now() + poolDeadlineMs(options.clients, options.connectTimeout * 1000);
  let next = 0;
  const worker = async () => {
    while (next < options.clients && !controller.signal.aborted) {
      if (performance.now() > deadline) {
        throw new BenchError(
          `only ${tally.connected} of ${options.clients} presence users connected in time`,
        );
      }
      const user = await connectPresenceClient({ ...base, userId: `bench-user-${next++}` });
      clients.push(user);
      users.push(user);
      tally.connected++;
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONNECT_CONCURRENCY, options.clients) }, worker));
  if (controller.signal.aborted) throw controller.signal.reason;
  return users;
}

// Waits until the observer saw an event for every join and leave, or none came for DRAIN_IDLE_MS.
async function drain(ledger: MemberLedger, tally: ChurnTally, controller: AbortController): Promise<void> {
  const startedAt = performance.now();
  let lastCount = -1;
  let lastChangeAt = startedAt;
  while (!ledger.caughtUp(tally.joins, tally.leaves) && !controller.signal.aborted) {
    const now = performance.now();
    const count = ledger.added + ledger.removed;
    if (count !== lastCount) {
      lastCount = count;
      lastChangeAt = now;
    }
    if (now - lastChangeAt > DRAIN_IDLE_MS || now - startedAt > DRAIN_MAX_MS) return;
    await sleep(20);
  }
  // Extra events after catching up (duplicates) would still arrive within a moment; give them one.
  await sleep(200);
  if (controller.signal.aborted) throw controller.signal.reason;
}

function round(value: number, digits = 3): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
