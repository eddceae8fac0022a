// H1 and P1 against real Sockudo nodes (in this process, on 127.0.0.1:0), at sizes that take a second.
// No timing is asserted: only that the scenarios count what happened and notice when it is wrong.
import { createMemoryBus, createMemoryTransport, createServer, type SockudoServer } from '@sockudo/core';
import { afterEach, describe, expect, it } from 'vitest';
import { runFanOut } from '../src/fan-out-scenario.js';
import { type BenchOptions, parseBenchOptions } from '../src/options.js';
import { runPresenceChurn } from '../src/presence-churn-scenario.js';

const APP = { id: 'app-id', key: 'app-key', secret: 'app-secret' };
const running: SockudoServer[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => server.close({ gracePeriodMs: 100 })));
});

async function startNode(transport?: ReturnType<typeof createMemoryTransport>): Promise<number> {
  const server = createServer({ host: '127.0.0.1', port: 0, apps: [APP], transport });
  running.push(server);
  return (await server.listen()).port;
}

function options(argv: string[]): BenchOptions {
  const parsed = parseBenchOptions(argv);
  if (parsed === undefined) throw new Error('no options');
  return parsed;
}

describe('H1', () => {
  it('splits the clients across two clustered nodes and counts every delivery', async () => {
    const bus = createMemoryBus();
    const a = await startNode(createMemoryTransport(bus));
    const b = await startNode(createMemoryTransport(bus));
    const argv = ['--scenario', 'H1', '--port', `${a}`, '--port-b', `${b}`, '--clients', '20'];
    const figures = await runFanOut(options([...argv, '--duration', '1', '--inflight', '2']));
    expect(figures.subscribers).toBe(20);
    expect(figures.triggersAccepted).toBeGreaterThan(0);
    expect(figures.deliveriesExpected).toBe((figures.triggersAccepted as number) * 20);
    expect(figures.deliveriesReceived).toBe(figures.deliveriesExpected);
  });

  it('sees the lost half when the second node is not in the cluster', async () => {
    const a = await startNode();
    const b = await startNode();
    const argv = ['--scenario', 'H1', '--port', `${a}`, '--port-b', `${b}`, '--clients', '4'];
    const figures = await runFanOut(options([...argv, '--duration', '1', '--inflight', '1']));
    expect(figures.deliveriesExpected).toBe((figures.triggersAccepted as number) * 4);
    // Node B's two clients never hear of the events triggered on node A.
    expect(figures.deliveriesReceived).toBe((figures.triggersAccepted as number) * 2);
  });
});

describe('P1', () => {
  it('churns presence users and finds every member event exactly once', async () => {
    const port = await startNode();
    const figures = await runPresenceChurn(
      options(['--scenario', 'P1', '--port', `${port}`, '--clients', '10', '--duration', '1']),
    );
    expect(figures.memberEventProblem).toBeUndefined();
    expect(figures.users).toBe(10);
    expect(figures.joins).toBeGreaterThan(10);
    expect(figures.leaves).toBe(figures.joins);
    expect(figures.memberAddedSeen).toBe(figures.joins);
    expect(figures.memberRemovedSeen).toBe(figures.leaves);
    expect(figures.membersAtEnd).toBe(2);
  });

  it('fails the connection when the app secret is wrong', async () => {
    const port = await startNode();
    const argv = ['--scenario', 'P1', '--port', `${port}`, '--clients', '2', '--duration', '1'];
    await expect(runPresenceChurn(options([...argv, '--secret', 'not-the-secret']))).rejects.toThrow(
      /subscription_error|pusher:error/,
    );
  });
});
