// S1 end to end at a size that takes a few seconds: two real `sockudo` processes (apps/server/dist/bin.js,
// built by `pnpm build`) joined over the machine's Redis, every delivery checked by the ledger.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parseS1Options } from '../src/s1-options.js';
import { runS1 } from '../src/s1-scenario.js';

const SERVER_BIN = fileURLToPath(new URL('../../apps/server/dist/bin.js', import.meta.url));
const profiles = mkdtempSync(join(tmpdir(), 's1-smoke-prof-'));

afterAll(() => rmSync(profiles, { recursive: true, force: true }));

describe('S1 smoke', () => {
  it('runs 2 nodes over redis with no event lost or duplicated, and sane figures', {
    timeout: 40_000,
  }, async () => {
    const options = parseS1Options(
      [
        's1',
        '--nodes',
        '2',
        '--driver',
        'redis',
        '--channels',
        '50',
        '--rate',
        '100',
        '--duration',
        '2',
        '--warmup',
        '1',
        '--node-args',
        `--cpu-prof --cpu-prof-dir=${profiles}`,
      ],
      SERVER_BIN,
    );
    if (options === undefined) throw new Error('no options');
    const { figures, problem } = await runS1(options);

    expect(problem).toBeUndefined();
    expect(figures).toMatchObject({ subscribers: 50, lost: 0, duplicated: 0, misrouted: 0, unknown: 0 });
    // 100 events/s for 2 s measured, after 1 s of warm-up; each event has one subscriber.
    expect(figures.eventsSent).toBe(200);
    expect(figures.deliveries).toBe(200);
    expect(figures.deliveriesExpected).toBe(300);
    expect(figures.deliveriesReceived).toBe(300);
    expect(figures.windowSeconds).toBeGreaterThanOrEqual(1.9);
    const nodeCpu = figures.nodeCpuSeconds as number[];
    expect(nodeCpu).toHaveLength(2);
    expect(figures.clusterCpuMicrosecondsPerDelivery).toBeGreaterThan(0);
    expect(figures.clusterCpuSeconds).toBeCloseTo(nodeCpu[0]! + nodeCpu[1]!, 2);
    // Each delivery crossed Redis at least once as a message of more than the 100-byte payload.
    expect(figures.brokerBytesPerDelivery).toBeGreaterThan(100);
    expect(figures.brokerPublishesPerEvent).toBeGreaterThanOrEqual(1);
    expect(figures.latency).toMatchObject({ count: 200 });
    expect((figures.latency as { p50Ms: number }).p50Ms).toBeGreaterThan(0);
    expect((figures.latency as { p99Ms: number }).p99Ms).toBeLessThan(5000);
    // --node-args reached both nodes, and the nodes were stopped gracefully enough to write their profiles.
    expect(readdirSync(profiles).filter((name) => name.endsWith('.cpuprofile'))).toHaveLength(2);
  });

  it('runs over a private nats-server of its own and reads its out_bytes', { timeout: 40_000 }, async () => {
    const argv = ['--driver', 'nats', '--broker', 'private', '--nodes', '2', '--channels', '20'];
    const options = parseS1Options([...argv, '--rate', '50', '--duration', '1', '--warmup', '0'], SERVER_BIN);
    if (options === undefined) throw new Error('no options');
    const { figures, problem } = await runS1(options);
    expect(problem).toBeUndefined();
    expect(figures).toMatchObject({ eventsSent: 50, deliveries: 50, lost: 0, duplicated: 0 });
    expect(figures.broker).toMatch(/^nats-server on 127\.0\.0\.1:\d+, monitoring on \d+$/);
    expect(figures.brokerBytesNote).toMatch(/out_bytes/);
    // Events triggered on the node that holds the subscriber never cross NATS, so this is per delivery
    // on average, but some events did cross it.
    expect(figures.brokerBytesPerDelivery).toBeGreaterThan(0);
    const monitorPort = /monitoring on (\d+)/.exec(figures.broker as string)![1];
    // The private broker was stopped with the run.
    await expect(fetch(`http://127.0.0.1:${monitorPort}/varz`)).rejects.toThrow();
  });
});
