import { describe, expect, it } from 'vitest';
import { BenchError } from '../src/bench-error.js';
import { s1NodeConfig } from '../src/s1-node-config.js';
import { isS1Invocation, parseS1Options, type S1Options, splitArguments } from '../src/s1-options.js';

const BIN = '/repo/apps/server/dist/bin.js';

function parse(argv: string[]): S1Options {
  const options = parseS1Options(argv, BIN);
  if (options === undefined) throw new Error('no options');
  return options;
}

describe('isS1Invocation', () => {
  it.each([
    [['s1'], true],
    [['S1', '--nodes', '4'], true],
    [['--scenario', 'S1'], true],
    [['--nodes', '4', '--scenario', 's1'], true],
    [['--scenario=S1'], true],
    [['--scenario', 'F1'], false],
    [['--label', 's1', '--scenario', 'F1'], false],
    [[], false],
  ])('%j → %s', (argv, expected) => {
    expect(isS1Invocation(argv)).toBe(expected);
  });
});

describe('parseS1Options', () => {
  it('has the defaults of the S1 brief', () => {
    const options = parse(['s1']);
    expect(options).toMatchObject({
      scenario: 'S1',
      nodes: 1,
      driver: 'redis',
      routing: 'interest',
      placement: 'spread',
      triggerTo: 'spread',
      channels: 2000,
      channelType: 'private',
      rate: 2000,
      batch: 10,
      duration: 20,
      warmup: 5,
      payload: 100,
      nodeArgs: [],
      serverBin: BIN,
      redisUrl: 'redis://127.0.0.1:6379',
      shardedPubsub: true,
      natsMonitorUrl: 'http://127.0.0.1:8222',
      broker: 'shared',
    });
    expect(parse(['--broker', 'private', '--driver', 'nats']).broker).toBe('private');
    expect(options.clusterNodes).toEqual([
      '127.0.0.1:7000',
      '127.0.0.1:7001',
      '127.0.0.1:7002',
      '127.0.0.1:7003',
      '127.0.0.1:7004',
      '127.0.0.1:7005',
    ]);
    expect(options.prefix).toMatch(/^s1_[a-z0-9]+_\d+_[a-z0-9]+$/);
  });

  it('gives every run its own prefix unless one is asked for', () => {
    expect(parse([]).prefix).not.toBe(parse([]).prefix);
    expect(parse(['--prefix', 'mine']).prefix).toBe('mine');
  });

  it('reads the cluster shape and the diagnostics', () => {
    const options = parse([
      '--scenario',
      'S1',
      '--nodes',
      '8',
      '--driver',
      'redis-cluster',
      '--routing',
      'broadcast',
      '--placement',
      'local',
      '--sharded-pubsub',
      'false',
      '--node-args',
      '--cpu-prof --cpu-prof-dir=/tmp/x',
      '--batch',
      '10',
      '--seed',
      '42',
    ]);
    expect(options).toMatchObject({
      nodes: 8,
      driver: 'redis_cluster',
      routing: 'broadcast',
      placement: 'local',
      // --placement local puts the triggers on node 0 too, unless told otherwise.
      triggerTo: 'node0',
      shardedPubsub: false,
      nodeArgs: ['--cpu-prof', '--cpu-prof-dir=/tmp/x'],
      batch: 10,
      seed: 42,
    });
    expect(parse(['--placement', 'local', '--trigger-to', 'spread']).triggerTo).toBe('spread');
    expect(parse(['--trigger-to', 'node0']).placement).toBe('spread');
  });

  it('returns undefined for --help', () => {
    expect(parseS1Options(['s1', '--help'], BIN)).toBeUndefined();
  });

  it.each([
    [['--nodes', '0']],
    [['--nodes', '2.5']],
    [['--nodes', '']],
    [['--driver', 'kafka']],
    [['--routing', 'sometimes']],
    [['--placement', 'random']],
    [['--batch', '11']],
    [['--rate', '0']],
    [['--sharded-pubsub', 'yes']],
    [['--prefix', 'a:b']],
    [['--prefix', 'has space']],
    [['--redis-url', 'redis://10.0.0.5:6379']],
    [['--redis-url', 'http://127.0.0.1:6379']],
    [['--nats-monitor-url', 'http://example.com:8222']],
    [['--cluster-nodes', '127.0.0.1']],
    [['--cluster-nodes', '192.168.1.2:7000']],
    [['--scenario', 'F1']],
    [['--broker', 'mine']],
    [['--broker', 'private', '--driver', 'rabbitmq']],
    [['--clients', '10']],
  ])('rejects %j', (argv) => {
    expect(() => parseS1Options(argv, BIN)).toThrow(BenchError);
  });
});

describe('splitArguments', () => {
  it('splits on whitespace and keeps quoted parts together', () => {
    expect(splitArguments('  --cpu-prof   --cpu-prof-dir=/tmp/x ')).toEqual([
      '--cpu-prof',
      '--cpu-prof-dir=/tmp/x',
    ]);
    expect(splitArguments(`--title "two words" --x='a b' ''`)).toEqual([
      '--title',
      'two words',
      '--x=a b',
      '',
    ]);
    expect(() => splitArguments('--x "open')).toThrow(BenchError);
    expect(splitArguments('')).toEqual([]);
  });
});

describe('s1NodeConfig', () => {
  it('joins the nodes with the chosen driver under the run prefix, metrics off, no silent fallback', () => {
    const redis = s1NodeConfig(parse(['--prefix', 'p1', '--routing', 'broadcast']));
    expect(redis).toMatchObject({
      host: '127.0.0.1',
      port: 0,
      metrics: { enabled: false },
      adapter: {
        driver: 'redis',
        routing: 'broadcast',
        fallback_to_local: false,
        redis: { prefix: 'p1:', redis_pub_options: { url: 'redis://127.0.0.1:6379' } },
      },
    });
    expect(s1NodeConfig(parse(['--prefix', 'p2', '--driver', 'redis_cluster'])).adapter).toMatchObject({
      driver: 'redis_cluster',
      cluster: { prefix: 'p2:', use_sharded_pubsub: true, nodes: expect.arrayContaining(['127.0.0.1:7000']) },
    });
    expect(s1NodeConfig(parse(['--prefix', 'p3', '--driver', 'nats'])).adapter).toMatchObject({
      nats: { servers: ['nats://127.0.0.1:4222'], prefix: 'p3' },
    });
    expect(s1NodeConfig(parse(['--prefix', 'p4', '--driver', 'rabbitmq'])).adapter).toMatchObject({
      rabbitmq: { url: 'amqp://guest:guest@127.0.0.1:5672/%2f', prefix: 'p4' },
    });
  });
});
