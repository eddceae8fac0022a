// One frame, two wires: the V1 copy is the Pusher frame byte for byte, the V2 copy renames protocol
// events and puts extras last; event names come out of any frame, escapes included.

import { describe, expect, it } from 'vitest';
import { channelEventFrame, errorFrame, eventFrame, rawChannelEventFrame } from '../../src/wire/frames.js';
import {
  frameEventName,
  hasExtras,
  v1Frame,
  v2FieldsOf,
  v2Frame,
  withExtras,
  withV2Fields,
} from '../../src/wire/v2-frames.js';

describe('v2 frames', () => {
  it('leave Pusher frames without extras untouched for V1, and rename only protocol events for V2', () => {
    const event = channelEventFrame('order.created', 'orders', '{"id":1}');
    expect(v1Frame(event)).toBe(event);
    expect(v2Frame(event)).toBe(event);
    expect(v2Frame(eventFrame('pusher:connection_established', { socket_id: '1.2' }))).toBe(
      '{"event":"sockudo:connection_established","data":"{\\"socket_id\\":\\"1.2\\"}"}',
    );
    expect(v2Frame(channelEventFrame('pusher_internal:member_added', 'presence-a', '{}'))).toBe(
      '{"event":"sockudo_internal:member_added","channel":"presence-a","data":"{}"}',
    );
    expect(v2Frame(errorFrame(4001, 'no'))).toBe(
      '{"event":"sockudo:error","data":{"code":4001,"message":"no"}}',
    );
    expect(v2Frame(channelEventFrame('client-pusher:x', 'private-a', '{}'))).toContain('"client-pusher:x"');
  });

  it('carry extras first across the cluster, strip them for V1 and put them last for V2', () => {
    const base = channelEventFrame('e', 'c', 'hello', 'u1');
    const extras = '{"headers":{"k":"},\\"x"},"echo":false}';
    const carried = withExtras(base, extras);
    expect(hasExtras(carried)).toBe(true);
    expect(hasExtras(base)).toBe(false);
    expect(JSON.parse(carried)).toEqual({ ...JSON.parse(base), extras: JSON.parse(extras) });
    expect(v1Frame(carried)).toBe(base);
    expect(v2Frame(carried)).toBe(`${base.slice(0, -1)},"extras":${extras}}`);
    expect(Object.keys(JSON.parse(v2Frame(carried)))).toEqual([
      'event',
      'channel',
      'data',
      'user_id',
      'extras',
    ]);
    const internal = withExtras(channelEventFrame('pusher:cache_miss', 'cache-a', ''), '{}');
    expect(v2Frame(internal)).toBe(
      '{"event":"sockudo:cache_miss","channel":"cache-a","data":"","extras":{}}',
    );
  });

  it('read the event name of any frame', () => {
    expect(frameEventName(channelEventFrame('order.created', 'c', ''))).toBe('order.created');
    expect(frameEventName(channelEventFrame('a"b\\c', 'c', ''))).toBe('a"b\\c');
    expect(frameEventName(withExtras(channelEventFrame('x', 'c', ''), '{"echo":true}'))).toBe('x');
    expect(frameEventName(rawChannelEventFrame('client-ü', 'private-c', '{"event":"no"}'))).toBe('client-ü');
    expect(frameEventName('{"channel":"c","event":"late"}')).toBeUndefined();
    expect(frameEventName('{"event":"unterminated')).toBeUndefined();
  });

  it('carry a message_id, stream_id and serial before extras, in Rust Sockudo order, whatever order they come', async () => {
    const base = channelEventFrame('e', 'c', 'x,"serial":1}');
    const carried = withV2Fields(withExtras(base, '{"echo":false}'), {
      serial: '12',
      stream_id: '"s-1"',
      message_id: '"m\\"1"',
    });
    expect(hasExtras(carried)).toBe(true);
    expect(v1Frame(carried)).toBe(base);
    expect(v2Frame(carried)).toBe(
      `${base.slice(0, -1)},"message_id":"m\\"1","stream_id":"s-1","serial":12,"extras":{"echo":false}}`,
    );
    expect(Object.keys(JSON.parse(v2Frame(carried)))).toEqual([
      'event',
      'channel',
      'data',
      'message_id',
      'stream_id',
      'serial',
      'extras',
    ]);
    expect(v2FieldsOf(carried).get('serial')).toBe('12');
    expect(frameEventName(carried)).toBe('e');
    // Given again, a field is replaced, not repeated.
    expect(v2Frame(withV2Fields(carried, { serial: '13' }))).toContain('"serial":13,"extras"');
    expect(v2FieldsOf(base).size).toBe(0);
  });
});
