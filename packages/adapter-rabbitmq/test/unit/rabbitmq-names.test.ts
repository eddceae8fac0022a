import { ConfigError } from '@sockudo/core';
import { describe, expect, it } from 'vitest';
import { parseAmqpUrl } from '../../src/amqp-url.js';
import { amqpRoutingKey, DEFAULT_RABBITMQ_PREFIX, rabbitMqExchanges } from '../../src/index.js';
import { nodeQueueName } from '../../src/rabbitmq-names.js';

describe('rabbitMqExchanges', () => {
  it('names the exchanges after the prefix and refuses prefixes the broker would not take', () => {
    expect(rabbitMqExchanges(DEFAULT_RABBITMQ_PREFIX)).toEqual({
      broadcast: 'sockudo_adapter.broadcast',
      routed: 'sockudo_adapter.routed',
    });
    expect(Buffer.byteLength(nodeQueueName('x'.repeat(213)))).toBe(255);
    for (const bad of ['', 'amq.x', 'x'.repeat(214)])
      expect(() => rabbitMqExchanges(bad)).toThrow(ConfigError);
  });
});

describe('amqpRoutingKey', () => {
  it('keeps keys of up to 255 bytes and hashes longer ones the same way on every node', () => {
    const fits = `c.${'a'.repeat(253)}`;
    expect(amqpRoutingKey(fits)).toBe(fits);
    const long = `${fits}b`;
    expect(amqpRoutingKey(long)).toBe(amqpRoutingKey(`${fits}b`));
    expect(amqpRoutingKey(long)).toMatch(/^%sha256\.[0-9a-f]{64}$/);
    expect(amqpRoutingKey(long)).not.toBe(amqpRoutingKey(`${fits}c`));
    // Counted in bytes: 128 two-byte characters do not fit.
    expect(amqpRoutingKey(`c.${'é'.repeat(127)}`)).toMatch(/^%sha256\./);
  });
});

describe('parseAmqpUrl', () => {
  it('asks for a 10 s heartbeat unless the URL chose one, and hides the password', () => {
    expect(parseAmqpUrl('amqp://guest:s%40cret@127.0.0.1:5672/%2f')).toEqual({
      href: 'amqp://guest:s%40cret@127.0.0.1:5672/%2f?heartbeat=10',
      display: 'amqp://guest:***@127.0.0.1:5672/%2f',
      password: 's@cret',
    });
    expect(parseAmqpUrl('amqps://host/vh?heartbeat=30').href).toBe('amqps://host/vh?heartbeat=30');
    expect(parseAmqpUrl('amqp://host').password).toBeUndefined();
    expect(() => parseAmqpUrl('http://host')).toThrow(/must start with amqp:\/\/ or amqps:\/\//);
  });
});
