// Chunking is pure logic: every notification fits NOTIFY's limit and the pieces join back exactly.

import { describe, expect, it } from 'vitest';
import { channelName, MAX_CHANNEL_BYTES, sockudoDriver } from '../../src/index.js';
import { encodeMessage, MAX_NOTIFY_BYTES, MessageAssembler, splitUtf8 } from '../../src/notify-payloads.js';

describe('notify payloads', () => {
  it('sends a message that fits as one notification', () => {
    expect(encodeMessage('b', 'hello', 0)).toEqual(['bhello']);
    expect(encodeMessage('r', 'x'.repeat(MAX_NOTIFY_BYTES - 1), 0)).toHaveLength(1);
    expect(encodeMessage('r', 'x'.repeat(MAX_NOTIFY_BYTES), 0)).toHaveLength(2);
  });

  it('splits on UTF-8 bytes, never inside a surrogate pair, and joins back exactly', () => {
    const text = `a${'😀é日'.repeat(5000)}`;
    const pieces = splitUtf8(text, 1000);
    expect(pieces.join('')).toBe(text);
    for (const piece of pieces) {
      expect(Buffer.byteLength(piece)).toBeLessThanOrEqual(1000);
      expect(Buffer.from(piece, 'utf8').toString('utf8')).toBe(piece); // no lone surrogate
    }
  });

  it('every chunk of a large message fits, and the assembler returns the message once complete', () => {
    const payload = `${'ü€😀x\n"'.repeat(40_000)}`;
    const notifications = encodeMessage('q', payload, 7);
    expect(notifications.length).toBeGreaterThan(20);
    for (const notification of notifications) {
      expect(Buffer.byteLength(notification)).toBeLessThanOrEqual(MAX_NOTIFY_BYTES);
    }
    const assembler = new MessageAssembler();
    const shuffled = [...notifications.slice(1), notifications[0]!];
    const results = shuffled.map((notification) => assembler.accept(42, notification));
    expect(results.slice(0, -1).every((result) => result === undefined)).toBe(true);
    expect(results.at(-1)).toEqual({ kind: 'q', payload });
  });

  it('keeps chunks of different senders apart and drops the oldest partial message beyond its bound', () => {
    const assembler = new MessageAssembler(1);
    const [a0, a1] = encodeMessage('b', 'a'.repeat(MAX_NOTIFY_BYTES + 10), 1);
    const [b0, b1] = encodeMessage('b', 'b'.repeat(MAX_NOTIFY_BYTES + 10), 1);
    expect(assembler.accept(1, a0!)).toBeUndefined();
    expect(assembler.accept(2, b0!)).toBeUndefined(); // over the bound: sender 1's partial message goes
    expect(assembler.accept(2, b1!)?.payload).toBe('b'.repeat(MAX_NOTIFY_BYTES + 10));
    expect(assembler.accept(1, a1!)).toBeUndefined(); // its first chunk was dropped
  });
});

describe('channel names', () => {
  it('uses the prefix as is when it fits, hashes it deterministically when it does not', () => {
    expect(channelName('sockudo')).toBe('sockudo');
    const long = 'p'.repeat(MAX_CHANNEL_BYTES + 1);
    expect(channelName(long)).toMatch(/^sockudo_[0-9a-f]{48}$/);
    expect(channelName(long)).toBe(channelName(long));
    expect(() => channelName('')).toThrow(/prefix must be a non-empty string/);
  });
});

describe('sockudoDriver', () => {
  const context = {
    logger: { debug() {}, info() {}, warn() {}, error() {} },
    configKey: 'adapter.driver',
    optionsKey: 'adapter.options',
    baseDirectory: '.',
    serverVersion: 'test',
  };

  it('is a specVersion 1 adapter driver whose create() returns a TransportV1', () => {
    expect(sockudoDriver.specVersion).toBe(1);
    expect(sockudoDriver.kind).toBe('adapter');
    const transport = sockudoDriver.create({ url: 'postgres://127.0.0.1/test', prefix: 'x' }, context);
    expect(transport).toMatchObject({ specVersion: 1 });
  });

  it('rejects wrong options, naming them under adapter.options', () => {
    expect(() => sockudoDriver.create({ url: 'redis://x' }, context)).toThrow(
      'adapter.options.url: expected a postgres:// connection string',
    );
    expect(() => sockudoDriver.create({ prefix: 3 }, context)).toThrow(
      'adapter.options.prefix: expected a non-empty string, got 3',
    );
    expect(() => sockudoDriver.create({ connect_timeout_ms: -1 }, context)).toThrow(
      'adapter.options.connect_timeout_ms: expected a positive integer, got -1',
    );
  });
});
