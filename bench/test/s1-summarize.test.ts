import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadRuns, markdown, median, summarize } from '../scripts/s1-summarize.mjs';

interface RunShape {
  driver?: string;
  routing?: string;
  nodes: number;
  rate?: number;
  cpu: number;
  bytes?: number | null;
  busiest?: number | null;
  lost?: number;
  duplicated?: number;
  shardedPubsub?: boolean;
}

function run(shape: RunShape) {
  return {
    scenario: 'S1',
    options: {
      driver: shape.driver ?? 'redis',
      routing: shape.routing ?? 'interest',
      placement: 'spread',
      nodes: shape.nodes,
      rate: shape.rate ?? 2000,
      shardedPubsub: shape.shardedPubsub ?? true,
    },
    figures: {
      clusterCpuMicrosecondsPerDelivery: shape.cpu,
      brokerBytesPerDelivery: shape.bytes === undefined ? 400 : shape.bytes,
      busiestShardShare: shape.busiest === undefined ? null : shape.busiest,
      latency: { p99Ms: 10 },
      eventsPerSecond: 2000,
      lost: shape.lost ?? 0,
      duplicated: shape.duplicated ?? 0,
      misrouted: 0,
      unknown: 0,
    },
  };
}

describe('median', () => {
  it('takes the middle value, or the mean of the two middle ones, of the numbers only', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([null, 5, undefined])).toBe(5);
    expect(median([])).toBeUndefined();
  });
});

describe('summarize', () => {
  it('gives each configuration its medians and the ratio to the same configuration on 1 node', () => {
    const rows = summarize([
      run({ nodes: 1, cpu: 60 }),
      run({ nodes: 1, cpu: 70 }),
      run({ nodes: 1, cpu: 50 }),
      run({ nodes: 4, cpu: 72 }),
      run({ nodes: 4, cpu: 90 }),
      run({ nodes: 4, cpu: 78 }),
      run({ nodes: 8, cpu: 120 }),
      run({ nodes: 1, cpu: 40, routing: 'broadcast' }),
      run({ nodes: 4, cpu: 100, routing: 'broadcast' }),
    ]);
    expect(rows.map((row) => [row.routing, row.nodes, row.cpuMicrosecondsPerDelivery])).toEqual([
      ['broadcast', 1, 40],
      ['broadcast', 4, 100],
      ['interest', 1, 60],
      ['interest', 4, 78],
      ['interest', 8, 120],
    ]);
    expect(rows.map((row) => row.ratioTo1Node)).toEqual([1, 2.5, 1, 1.3, 2]);
    expect(rows[3]).toMatchObject({ cpuSpread: [72, 90], runs: 3, validRuns: 3, lost: 0, duplicated: 0 });
    const table = markdown(rows);
    expect(table).toContain('| redis | interest | spread | 4 | 2,000 | 78 | 72–90 | 1.30 ✔ (≤ 1.3) | – |');
    expect(table).toContain('| redis | interest | spread | 8 | 2,000 | 120 |  | 2.00 ✘ (≤ 1.5) | – |');
    expect(table).toContain('| redis | broadcast | spread | 4 | 2,000 | 100 |  | 2.50 ✘ (≤ 1.3) | – |');
  });

  it('compares a cluster with 1 node at the same total rate and at the same rate per node', () => {
    const rows = summarize([
      run({ nodes: 1, cpu: 100 }),
      run({ nodes: 1, cpu: 200, rate: 500 }),
      run({ nodes: 1, cpu: 260, rate: 250 }),
      run({ nodes: 4, cpu: 220 }),
      run({ nodes: 8, cpu: 300 }),
    ]);
    expect(rows.map((row) => [row.nodes, row.rate])).toEqual([
      [1, 250],
      [1, 500],
      [1, 2000],
      [4, 2000],
      [8, 2000],
    ]);
    expect(rows.map((row) => row.ratioTo1Node)).toEqual([1, 1, 1, 2.2, 3]);
    expect(rows.map((row) => row.ratioTo1NodeSameLoad)).toEqual([
      undefined,
      undefined,
      undefined,
      1.1,
      300 / 260,
    ]);
    const table = markdown(rows);
    expect(table).toContain('| redis | interest | spread | 1 | 500 | 200 |  | – | – |');
    expect(table).toContain(
      '| redis | interest | spread | 4 | 2,000 | 220 |  | 2.20 ✘ (≤ 1.3) | 1.10 ✔ (≤ 1.3) |',
    );
    expect(table).toContain(
      '| redis | interest | spread | 8 | 2,000 | 300 |  | 3.00 ✘ (≤ 1.5) | 1.15 ✔ (≤ 1.5) |',
    );
  });

  it('leaves runs with lost or duplicated deliveries out of the medians but counts them', () => {
    const [row] = summarize([
      run({ nodes: 1, cpu: 50 }),
      run({ nodes: 1, cpu: 10, lost: 3 }),
      run({ nodes: 1, cpu: 10, duplicated: 2 }),
    ]);
    expect(row).toMatchObject({
      cpuMicrosecondsPerDelivery: 50,
      lost: 3,
      duplicated: 2,
      runs: 3,
      validRuns: 1,
    });
    expect(markdown([row])).toContain('| 3 | 2 | 1/3 valid |');
  });

  it('shows the busiest master for Redis Cluster only, and tells classic pub/sub apart', () => {
    const rows = summarize([
      run({ driver: 'redis_cluster', nodes: 1, cpu: 50, busiest: 0.36 }),
      run({ driver: 'redis_cluster', nodes: 1, cpu: 50, busiest: 1, shardedPubsub: false }),
      run({ driver: 'nats', nodes: 1, cpu: 50, bytes: null }),
      run({ driver: 'redis', nodes: 1, cpu: 50 }),
    ]);
    expect(rows.map((row) => row.driver)).toEqual([
      'nats',
      'redis',
      'redis_cluster',
      'redis_cluster (classic)',
    ]);
    const table = markdown(rows);
    expect(table).toContain(
      '| redis_cluster | interest | spread | 1 | 2,000 | 50 |  | – | – | 400 | 0.36 ✔ |',
    );
    expect(table).toContain(
      '| redis_cluster (classic) | interest | spread | 1 | 2,000 | 50 |  | – | – | 400 | 1.00 ✘ |',
    );
    expect(table).toContain('| nats | interest | spread | 1 | 2,000 | 50 |  | – | – | – | – |');
  });
});

describe('loadRuns', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('reads the S1 results of a folder and skips everything else', () => {
    dir = mkdtempSync(join(tmpdir(), 's1-summarize-'));
    writeFileSync(join(dir, 's1-a.json'), JSON.stringify(run({ nodes: 1, cpu: 1 })));
    writeFileSync(join(dir, 'F1-ours-1.json'), JSON.stringify({ scenario: 'F1', figures: {} }));
    writeFileSync(join(dir, 's1-a.log'), 'not json');
    expect(loadRuns(dir).map((r: { name: string }) => r.name)).toEqual(['s1-a.json']);
  });
});
