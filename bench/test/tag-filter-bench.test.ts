// T1 against a real Sockudo node (in this process, on 127.0.0.1:0) at a size that takes a second: the
// bench counts what its filters should let through, and notices when the server does not filter.
import { createServer, type SockudoServer } from '@sockudo/core';
import { afterEach, describe, expect, it } from 'vitest';
import {
  expectedRecipients,
  parseTagFilterBenchOptions,
  runTagFilterBench,
  type TagFilterBenchOptions,
} from '../src/tag-filter-bench.js';

const APP = { id: 'app-id', key: 'app-key', secret: 'app-secret' };
const running: SockudoServer[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => server.close({ gracePeriodMs: 100 })));
});

async function startNode(enabled: boolean): Promise<number> {
  const server = createServer({
    host: '127.0.0.1',
    port: 0,
    apps: [APP],
    extensions: { tagFiltering: { enabled } },
  });
  running.push(server);
  return (await server.listen()).port;
}

function options(port: number, mode: string): TagFilterBenchOptions {
  const argv = ['--port', `${port}`, '--clients', '30', '--duration', '1', '--inflight', '2', '--mode', mode];
  return parseTagFilterBenchOptions(argv)!;
}

describe('T1', () => {
  it('delivers exactly what the filters let through in every mode', async () => {
    const port = await startNode(true);
    for (const mode of ['none', 'match-all', 'selective']) {
      const figures = await runTagFilterBench(options(port, mode));
      expect(figures.subscribers, mode).toBe(30);
      expect(figures.triggersAccepted, mode).toBeGreaterThan(0);
      expect(figures.deliveriesReceived, mode).toBe(figures.deliveriesExpected);
      const all = (figures.triggersAccepted as number) * 30;
      if (mode === 'selective') expect(figures.deliveriesExpected).toBeLessThan(all / 3);
      else expect(figures.deliveriesExpected).toBe(all);
    }
  });

  it('sees the surplus when the server does not apply the filters', async () => {
    const figures = await runTagFilterBench(options(await startNode(false), 'selective'));
    // Every socket gets every event: far more than the filters would let through.
    expect(figures.deliveriesReceived as number).toBeGreaterThan((figures.deliveriesExpected as number) * 2);
  });

  it('each event reaches about a tenth of 1,000 filtered subscribers', () => {
    const counts = Array.from({ length: 100 }, (_, n) => expectedRecipients(n, 1000, 'selective'));
    expect(counts.reduce((a, b) => a + b, 0) / 100).toBeCloseTo(95.5, 1);
    expect(expectedRecipients(7, 1000, 'match-all')).toBe(1000);
  });
});
