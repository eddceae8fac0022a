// D1 against a real Sockudo node (in this process, on 127.0.0.1:0), at a size that takes a few seconds.
// No timing is asserted: only that both phases count every delivery, the delta phase's stream rebuilds,
// and its frames are smaller.
import { createServer, type ServerOptions, type SockudoServer } from '@sockudo/core';
import { afterEach, describe, expect, it } from 'vitest';
import { runDeltaCompression } from '../src/delta-scenario.js';
import { type BenchOptions, parseBenchOptions } from '../src/options.js';
import { createStateUpdates } from '../src/state-updates.js';

const APP = { id: 'app-id', key: 'app-key', secret: 'app-secret' };
const running: SockudoServer[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => server.close({ gracePeriodMs: 100 })));
});

async function startNode(extra: Partial<ServerOptions> = {}): Promise<number> {
  const server = createServer({ host: '127.0.0.1', port: 0, apps: [APP], ...extra });
  running.push(server);
  return (await server.listen()).port;
}

function options(argv: string[]): BenchOptions {
  const parsed = parseBenchOptions(argv);
  if (parsed === undefined) throw new Error('no options');
  return parsed;
}

describe('D1', () => {
  it('counts every delivery without and with deltas, and the deltas are smaller on the wire', async () => {
    const port = await startNode();
    const argv = [
      '--scenario',
      'D1',
      '--port',
      `${port}`,
      '--clients',
      '10',
      '--duration',
      '1',
      '--inflight',
      '2',
    ];
    const figures = await runDeltaCompression(options(argv));
    const off = figures.off as Record<string, number>;
    const on = figures.on as Record<string, number>;
    for (const phase of [off, on]) {
      expect(phase.deliveriesExpected).toBeGreaterThan(0);
      expect(phase.deliveriesReceived).toBe(phase.deliveriesExpected);
      expect(phase.checkedStreamFailures).toBe(0);
    }
    expect(off.wireBytesPerDelivery).toBeGreaterThan(1024);
    expect(figures.wireBytesRatio).toBeLessThan(0.5);
  }, 60_000);

  it('fails when the server does not enable deltas', async () => {
    const port = await startNode({ extensions: { deltaCompression: { enabled: false } } });
    const argv = ['--scenario', 'D1', '--port', `${port}`, '--clients', '2', '--duration', '1'];
    await expect(runDeltaCompression(options(argv))).rejects.toThrow('the server did not enable deltas');
  }, 60_000);

  it('builds state updates of about the payload size that change a few values each', () => {
    const next = createStateUpdates(1024);
    const a = next();
    const b = next();
    expect(a.length).toBeGreaterThanOrEqual(1024);
    expect(a.length).toBeLessThan(1200);
    type Row = Record<string, unknown>;
    const rowsA = JSON.parse(a).rows as Row[];
    const rowsB = JSON.parse(b).rows as Row[];
    const values = rowsA.length * 5;
    let changed = 0;
    rowsA.forEach((row, i) => {
      for (const key of Object.keys(row)) if (row[key] !== rowsB[i]![key]) changed++;
    });
    // About one value in twenty (a value may change twice, or back).
    expect(changed).toBeGreaterThan(0);
    expect(changed).toBeLessThanOrEqual(Math.ceil(values * 0.05));
  });
});
