import { describe, expect, it } from 'vitest';
import type { BrokerSample } from '../src/broker-stats.js';
import type { LedgerSummary } from '../src/delivery-ledger.js';
import {
  busiestShare,
  ledgerProblem,
  perDelivery,
  type S1Measurements,
  s1Figures,
  shardDeltas,
} from '../src/s1-figures.js';

const CLEAN: LedgerSummary = {
  expected: 5000,
  received: 5000,
  lost: 0,
  duplicated: 0,
  misrouted: 0,
  unknown: 0,
};
const LATENCY = { count: 4000, p50Ms: 1.5, p90Ms: 3, p99Ms: 9, p999Ms: 12, maxMs: 20, meanMs: 2 };

function sample(outputBytes: number | null, shards: [string, number, number][] = []): BrokerSample {
  return {
    outputBytes,
    shards: shards.map(([address, bytes, publishes]) => ({ address, outputBytes: bytes, publishes })),
  };
}

function measurements(overrides: Partial<S1Measurements> = {}): S1Measurements {
  return {
    subscribers: 2000,
    windowSeconds: 2,
    eventsSent: 4000,
    deliveries: 4000,
    nodeCpuSeconds: [0.2, 0.12, 0.08, 0],
    generatorCpuSeconds: 0.5,
    broker: { before: sample(1_000), after: sample(1_801_000), note: 'INFO stats' },
    ledger: CLEAN,
    latency: LATENCY,
    ...overrides,
  };
}

describe('perDelivery and busiestShare', () => {
  it('scale a total to one delivery', () => {
    expect(perDelivery(0.4, 4000, 1e6)).toBe(100);
    expect(perDelivery(1_800_000, 4000)).toBe(450);
    expect(perDelivery(1, 3, 1e6)).toBe(333333.333);
  });

  it('are null where there is nothing to divide', () => {
    expect(perDelivery(0.4, 0, 1e6)).toBeNull();
    expect(perDelivery(null, 4000)).toBeNull();
    expect(busiestShare([])).toBeNull();
    expect(busiestShare([0, 0, 0])).toBeNull();
  });

  it('give the busiest share of the sum', () => {
    expect(busiestShare([10, 10, 20])).toBe(0.5);
    expect(busiestShare([1, 1, 1])).toBe(0.3333);
    expect(busiestShare([7])).toBe(1);
  });
});

describe('shardDeltas', () => {
  it('subtracts per master by address and shares the publishes', () => {
    const before = sample(null, [
      ['127.0.0.1:7000', 100, 10],
      ['127.0.0.1:7001', 100, 10],
      ['127.0.0.1:7002', 100, 10],
    ]);
    const after = sample(null, [
      ['127.0.0.1:7001', 1100, 40],
      ['127.0.0.1:7000', 600, 20],
      ['127.0.0.1:7002', 100, 10],
      ['127.0.0.1:7003', 999, 999], // a master that appeared during the window has no start
    ]);
    expect(shardDeltas(before, after)).toEqual([
      { address: '127.0.0.1:7001', outputBytes: 1000, publishes: 30, share: 0.75 },
      { address: '127.0.0.1:7000', outputBytes: 500, publishes: 10, share: 0.25 },
      { address: '127.0.0.1:7002', outputBytes: 0, publishes: 0, share: 0 },
    ]);
  });

  it('has no shares when nothing was published', () => {
    const quiet = sample(null, [['127.0.0.1:6379', 5, 3]]);
    expect(shardDeltas(quiet, quiet)).toEqual([
      { address: '127.0.0.1:6379', outputBytes: 0, publishes: 0, share: null },
    ]);
  });
});

describe('s1Figures', () => {
  it('sums every node into the cluster CPU per delivery and divides the broker bytes', () => {
    const figures = s1Figures(measurements());
    expect(figures).toMatchObject({
      eventsSent: 4000,
      eventsPerSecond: 2000,
      deliveries: 4000,
      deliveriesPerSecond: 2000,
      clusterCpuSeconds: 0.4,
      clusterCpuMicrosecondsPerDelivery: 100,
      nodeCpuSeconds: [0.2, 0.12, 0.08, 0],
      nodeCpuMicrosecondsPerDelivery: [50, 30, 20, 0],
      generatorCpuMicrosecondsPerDelivery: 125,
      brokerBytes: 1_800_000,
      brokerBytesPerDelivery: 450,
      brokerPublishes: null,
      busiestShardShare: null,
      lost: 0,
      duplicated: 0,
      latency: LATENCY,
    });
  });

  it('reports null broker bytes when the broker could not be read, with the reason', () => {
    const broker = { before: sample(null), after: sample(null), note: 'monitoring not reachable' };
    const figures = s1Figures(measurements({ broker }));
    expect(figures.brokerBytes).toBeNull();
    expect(figures.brokerBytesPerDelivery).toBeNull();
    expect(figures.brokerBytesNote).toBe('monitoring not reachable');
  });

  it('gives publishes per event and the busiest master for a Redis Cluster', () => {
    const before = sample(0, [
      ['a', 0, 0],
      ['b', 0, 0],
      ['c', 0, 0],
    ]);
    const after = sample(1_200_000, [
      ['a', 400_000, 1500],
      ['b', 400_000, 1300],
      ['c', 400_000, 1200],
    ]);
    const figures = s1Figures(measurements({ broker: { before, after, note: 'masters' } }));
    expect(figures).toMatchObject({
      brokerPublishes: 4000,
      brokerPublishesPerEvent: 1,
      busiestShardShare: 0.375,
    });
    expect(figures.shards).toHaveLength(3);
  });

  it('carries the ledger counts through', () => {
    const ledger = { ...CLEAN, received: 5001, lost: 2, duplicated: 3 };
    expect(s1Figures(measurements({ ledger }))).toMatchObject({
      deliveriesExpected: 5000,
      deliveriesReceived: 5001,
      lost: 2,
      duplicated: 3,
    });
  });
});

describe('ledgerProblem', () => {
  it('is undefined for a clean ledger and names every kind of problem otherwise', () => {
    expect(ledgerProblem(CLEAN)).toBeUndefined();
    expect(ledgerProblem({ ...CLEAN, lost: 2 })).toBe('2 of 5000 events lost');
    const all = ledgerProblem({ ...CLEAN, lost: 1, duplicated: 2, misrouted: 3, unknown: 4 });
    expect(all).toContain('1 of 5000 events lost');
    expect(all).toContain('2 duplicated');
    expect(all).toContain('3 deliveries to a subscriber of another channel');
    expect(all).toContain('4 deliveries of events never sent');
  });
});
