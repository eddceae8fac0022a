// S1's arithmetic, apart from the processes and sockets it is measured on: counter deltas over the
// measured window turned into per-delivery figures.

import type { Figures } from './bench-result.js';
import type { BrokerSample } from './broker-stats.js';
import type { LedgerSummary } from './delivery-ledger.js';
import type { LatencySummary } from './latency-recorder.js';

/** What S1 counted; CPU and broker counters are taken at the start and end of the measured window. */
export interface S1Measurements {
  subscribers: number;
  /** Seconds from the first measured event to the last delivery (or last answer). */
  windowSeconds: number;
  /** Events sent in the measured window (warm-up excluded). */
  eventsSent: number;
  /** Deliveries of the measured events (duplicates included), all received within the window. */
  deliveries: number;
  /** CPU seconds (user + system) each node used in the window. */
  nodeCpuSeconds: number[];
  /** CPU seconds the load generator (this process) used in the window. */
  generatorCpuSeconds: number;
  broker: { before: BrokerSample; after: BrokerSample; note: string };
  /** The whole run, warm-up included. */
  ledger: LedgerSummary;
  /** Trigger→subscriber latency of the measured events. */
  latency: LatencySummary;
}

/** One master's share of the window's publishes. */
export interface ShardFigures {
  address: string;
  publishes: number;
  outputBytes: number;
  /** `publishes` ÷ all masters' publishes; null when there were none. */
  share: number | null;
}

/** `value` per delivery, times `scale` (1e6 for µs from seconds); null when nothing was delivered. */
export function perDelivery(value: number | null, deliveries: number, scale = 1): number | null {
  if (value === null || deliveries <= 0) return null;
  return round((value * scale) / deliveries);
}

/** The largest of `counts` as a share of their sum; null when the sum is 0 (or there are none). */
export function busiestShare(counts: readonly number[]): number | null {
  const total = counts.reduce((sum, count) => sum + count, 0);
  if (total <= 0) return null;
  return round(Math.max(...counts) / total, 4);
}

/** Per-master deltas between two samples, matched by address (a master missing from either is dropped). */
export function shardDeltas(before: BrokerSample, after: BrokerSample): ShardFigures[] {
  const earlier = new Map(before.shards.map((shard) => [shard.address, shard]));
  const deltas = after.shards.flatMap((shard) => {
    const start = earlier.get(shard.address);
    if (start === undefined) return [];
    return [
      {
        address: shard.address,
        publishes: shard.publishes - start.publishes,
        outputBytes: shard.outputBytes - start.outputBytes,
      },
    ];
  });
  const total = deltas.reduce((sum, shard) => sum + shard.publishes, 0);
  return deltas.map((shard) => ({ ...shard, share: total > 0 ? round(shard.publishes / total, 4) : null }));
}

/** The figures S1 reports (and writes to its JSON result). */
export function s1Figures(m: S1Measurements): Figures {
  const clusterCpuSeconds = m.nodeCpuSeconds.reduce((sum, seconds) => sum + seconds, 0);
  const brokerBytes =
    m.broker.before.outputBytes === null || m.broker.after.outputBytes === null
      ? null
      : m.broker.after.outputBytes - m.broker.before.outputBytes;
  const shards = shardDeltas(m.broker.before, m.broker.after);
  const publishes = shards.length === 0 ? null : shards.reduce((sum, shard) => sum + shard.publishes, 0);
  return {
    subscribers: m.subscribers,
    windowSeconds: round(m.windowSeconds),
    eventsSent: m.eventsSent,
    eventsPerSecond: m.windowSeconds > 0 ? round(m.eventsSent / m.windowSeconds) : 0,
    deliveries: m.deliveries,
    deliveriesPerSecond: m.windowSeconds > 0 ? round(m.deliveries / m.windowSeconds) : 0,
    clusterCpuSeconds: round(clusterCpuSeconds),
    clusterCpuMicrosecondsPerDelivery: perDelivery(clusterCpuSeconds, m.deliveries, 1e6),
    nodeCpuSeconds: m.nodeCpuSeconds.map((seconds) => round(seconds)),
    nodeCpuMicrosecondsPerDelivery: m.nodeCpuSeconds.map((seconds) =>
      perDelivery(seconds, m.deliveries, 1e6),
    ),
    generatorCpuSeconds: round(m.generatorCpuSeconds),
    generatorCpuMicrosecondsPerDelivery: perDelivery(m.generatorCpuSeconds, m.deliveries, 1e6),
    brokerBytes,
    brokerBytesPerDelivery: perDelivery(brokerBytes, m.deliveries),
    brokerBytesNote: m.broker.note,
    brokerPublishes: publishes,
    brokerPublishesPerEvent:
      publishes === null || m.eventsSent === 0 ? null : round(publishes / m.eventsSent),
    shards: shards.map((shard) => ({ ...shard })),
    busiestShardShare: shards.length === 0 ? null : busiestShare(shards.map((shard) => shard.publishes)),
    deliveriesExpected: m.ledger.expected,
    deliveriesReceived: m.ledger.received,
    lost: m.ledger.lost,
    duplicated: m.ledger.duplicated,
    misrouted: m.ledger.misrouted,
    unknown: m.ledger.unknown,
    latency: { ...m.latency },
  };
}

/** What is wrong with the deliveries, or undefined when every event arrived exactly once where it should. */
export function ledgerProblem(ledger: LedgerSummary): string | undefined {
  const problems = [
    ledger.lost > 0 && `${ledger.lost} of ${ledger.expected} events lost`,
    ledger.duplicated > 0 && `${ledger.duplicated} duplicated deliveries`,
    ledger.misrouted > 0 && `${ledger.misrouted} deliveries to a subscriber of another channel`,
    ledger.unknown > 0 && `${ledger.unknown} deliveries of events never sent`,
  ].filter((problem): problem is string => typeof problem === 'string');
  return problems.length === 0 ? undefined : problems.join(', ');
}

function round(value: number, digits = 3): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
