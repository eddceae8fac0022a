// The broker counters against the machine's real Redis (6379), Redis Cluster (7000-7005) and a NATS
// server with monitoring that the test starts itself (the machine's NATS has none).
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { openBrokerProbe } from '../src/broker-stats.js';
import { clusterMasters, encodeCommand, parseReply, RedisCommandConnection } from '../src/redis-command.js';
import { parseS1Options, type S1Options } from '../src/s1-options.js';

function options(argv: string[]): S1Options {
  const parsed = parseS1Options(argv, '/unused/bin.js');
  if (parsed === undefined) throw new Error('no options');
  return parsed;
}

describe('RESP', () => {
  it('encodes commands as arrays of bulk strings', () => {
    expect(encodeCommand(['INFO', 'stats']).toString()).toBe('*2\r\n$4\r\nINFO\r\n$5\r\nstats\r\n');
    expect(encodeCommand(['SET', 'ключ', '']).toString()).toBe('*3\r\n$3\r\nSET\r\n$8\r\nключ\r\n$0\r\n\r\n');
  });

  it('parses each reply type, and waits for a reply that is not complete', () => {
    expect(parseReply(Buffer.from('+OK\r\n'), 0)).toEqual({ reply: 'OK', end: 5 });
    expect(parseReply(Buffer.from(':42\r\n'), 0)).toEqual({ reply: 42, end: 5 });
    expect(parseReply(Buffer.from('$-1\r\n'), 0)).toEqual({ reply: null, end: 5 });
    expect(parseReply(Buffer.from('$5\r\nhe\r\nl\r\n'), 0)).toEqual({ reply: 'he\r\nl', end: 11 });
    expect(parseReply(Buffer.from('*2\r\n$1\r\na\r\n:1\r\n'), 0)).toEqual({ reply: ['a', 1], end: 15 });
    expect(parseReply(Buffer.from('$5\r\nhel'), 0)).toBeUndefined();
    expect(parseReply(Buffer.from('*2\r\n$1\r\na\r\n'), 0)).toBeUndefined();
    expect(parseReply(Buffer.from('-ERR unknown\r\n'), 0)?.reply).toEqual(new Error('ERR unknown'));
  });

  it('finds the masters in CLUSTER NODES, not replicas or failed masters', () => {
    const nodes = [
      'a1 127.0.0.1:7003@17003 slave e5 0 1 3 connected',
      'b2 127.0.0.1:7001@17001 master - 0 1 2 connected 5461-10922',
      'c3 127.0.0.1:7000@17000 myself,master - 0 0 1 connected 0-5460',
      'd4 127.0.0.1:7009@17009 master,fail - 0 0 1 disconnected',
      'e5 127.0.0.1:7010@17010 master - 0 0 4 connected',
      '',
    ].join('\n');
    expect(clusterMasters(nodes)).toEqual(['127.0.0.1:7000', '127.0.0.1:7001']);
  });
});

describe('RedisCommandConnection against 127.0.0.1:6379', () => {
  it('answers commands in order and rejects an error reply', async () => {
    const connection = await RedisCommandConnection.open('redis://127.0.0.1:6379');
    try {
      const [pong, echo] = await Promise.all([connection.command('PING'), connection.command('ECHO', 'hé')]);
      expect(pong).toBe('PONG');
      expect(echo).toBe('hé');
      await expect(connection.command('NO-SUCH-COMMAND')).rejects.toThrow(/unknown command/i);
    } finally {
      connection.close();
    }
  });

  it('fails to open a port where nothing listens', async () => {
    await expect(RedisCommandConnection.open('redis://127.0.0.1:1')).rejects.toThrow(/cannot connect/);
  });
});

describe('openBrokerProbe', () => {
  it('redis: counts the bytes Redis sent a subscriber and the publishes, leaving its own INFO replies out', async () => {
    const probe = await openBrokerProbe(options(['--driver', 'redis']));
    const subscriber = await RedisCommandConnection.open('redis://127.0.0.1:6379');
    const publisher = await RedisCommandConnection.open('redis://127.0.0.1:6379');
    try {
      const channel = `s1-probe-${process.pid}-${Date.now()}`;
      await subscriber.command('SUBSCRIBE', channel);
      const before = await probe.sample();
      const message = 'x'.repeat(10_000);
      for (let n = 0; n < 10; n++) await publisher.command('PUBLISH', channel, message);
      const after = await probe.sample();
      expect(probe.note).toMatch(/total_net_output_bytes/);
      expect(before.shards).toHaveLength(1);
      // 10 messages of 10 KB went to the subscriber; the probe's own replies (a few KB each) are not in it,
      // though other users of this Redis may add a little.
      expect(after.outputBytes! - before.outputBytes!).toBeGreaterThanOrEqual(100_000);
      expect(after.outputBytes! - before.outputBytes!).toBeLessThan(150_000);
      expect(after.shards[0]!.publishes - before.shards[0]!.publishes).toBeGreaterThanOrEqual(10);
    } finally {
      probe.close();
      subscriber.close();
      publisher.close();
    }
  });

  it('redis_cluster: one entry per master of the cluster on 7000-7005', async () => {
    const probe = await openBrokerProbe(options(['--driver', 'redis_cluster']));
    try {
      const sample = await probe.sample();
      expect(sample.shards.map((shard) => shard.address)).toEqual([
        '127.0.0.1:7000',
        '127.0.0.1:7001',
        '127.0.0.1:7002',
      ]);
      expect(sample.outputBytes).toBe(sample.shards.reduce((sum, shard) => sum + shard.outputBytes, 0));
    } finally {
      probe.close();
    }
  });

  it('nats: null with the reason when no monitoring endpoint answers', async () => {
    const port = await freePort();
    const probe = await openBrokerProbe(
      options(['--driver', 'nats', '--nats-monitor-url', `http://127.0.0.1:${port}`]),
    );
    expect(probe.note).toMatch(/NATS monitoring not reachable/);
    expect((await probe.sample()).outputBytes).toBeNull();
  });

  it('rabbitmq: null with the reason when the management API does not answer', async () => {
    const port = await freePort();
    const url = `http://guest:guest@127.0.0.1:${port}`;
    const probe = await openBrokerProbe(options(['--driver', 'rabbitmq', '--rabbitmq-management-url', url]));
    expect(probe.note).toMatch(/RabbitMQ management API not reachable/);
    expect((await probe.sample()).outputBytes).toBeNull();
  });

  describe('nats with a monitoring endpoint', () => {
    let server: ChildProcess | undefined;
    afterAll(() => {
      server?.kill('SIGTERM');
    });

    it('reads out_bytes from /varz', async () => {
      const [port, monitorPort] = [await freePort(), await freePort()];
      server = spawn('nats-server', ['-a', '127.0.0.1', '-p', `${port}`, '-m', `${monitorPort}`], {
        stdio: 'ignore',
      });
      const monitorUrl = `http://127.0.0.1:${monitorPort}`;
      await waitFor(async () => (await fetch(`${monitorUrl}/varz`)).ok);
      const probe = await openBrokerProbe(options(['--driver', 'nats', '--nats-monitor-url', monitorUrl]));
      expect(probe.note).toMatch(/out_bytes/);
      const sample = await probe.sample();
      expect(typeof sample.outputBytes).toBe('number');
      expect(sample.shards).toEqual([]);
    });
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

async function waitFor(ready: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await ready()) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`not ready within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
