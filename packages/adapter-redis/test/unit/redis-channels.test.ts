import { ConfigError } from '@sockudo/core';
import { Command } from 'ioredis';
import { describe, expect, it } from 'vitest';
import {
  createRedisClusterTransport,
  DEFAULT_REDIS_PREFIX,
  redisChannels,
  redisClusterChannels,
} from '../../src/index.js';

const slot = (name: string) => new Command('spublish', [name]).getSlot();

describe('redis channel names', () => {
  it('are prefix#broadcast, #requests and #responses, with Rust Sockudo’s default prefix', () => {
    expect(DEFAULT_REDIS_PREFIX).toBe('sockudo_adapter:');
    expect(redisChannels(DEFAULT_REDIS_PREFIX)).toEqual({
      broadcast: 'sockudo_adapter:#broadcast',
      requests: 'sockudo_adapter:#requests',
      responses: 'sockudo_adapter:#responses',
      routedPrefix: 'sockudo_adapter:#r#',
    });
  });

  it('put routing keys of a cluster on channels without a hash tag, so they spread over the slots', () => {
    const { routedPrefix } = redisClusterChannels(DEFAULT_REDIS_PREFIX);
    expect(routedPrefix).toBe('sockudo_adapter:#r#');
    const slots = new Set(
      Array.from({ length: 200 }, (_, i) => slot(`${routedPrefix}c.app.private-user-${i}`)),
    );
    expect(slots.size).toBeGreaterThan(150);
  });

  it('share one hash slot in a cluster, whatever the prefix', () => {
    for (const prefix of [DEFAULT_REDIS_PREFIX, 'a', 'x{y}z', '{app}:', 'sockudo-test-1b2c']) {
      const channels = redisClusterChannels(prefix);
      expect(channels.broadcast).toBe(`{${prefix}}#broadcast`);
      expect(
        new Set([slot(channels.broadcast), slot(channels.requests), slot(channels.responses)]).size,
      ).toBe(1);
    }
    // Different prefixes usually land on different slots, so clusters spread over the shards.
    expect(slot(redisClusterChannels('one').broadcast)).not.toBe(slot(redisClusterChannels('two').broadcast));
  });

  it('refuse a cluster prefix that cannot be a hash tag', () => {
    expect(() => redisClusterChannels('')).toThrow(ConfigError);
    expect(() => redisClusterChannels('}x')).toThrow(ConfigError);
  });
});

describe('createRedisClusterTransport options', () => {
  it('requires at least one node', () => {
    expect(() => createRedisClusterTransport({ nodes: [] })).toThrow(ConfigError);
    expect(() => createRedisClusterTransport({} as never)).toThrow(/`nodes` must list at least one/);
  });

  it('rejects a prefix that cannot be a hash tag before connecting', () => {
    expect(() => createRedisClusterTransport({ nodes: ['127.0.0.1:7000'], prefix: '' })).toThrow(ConfigError);
  });
});
