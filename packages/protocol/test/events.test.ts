import { describe, expect, it } from 'vitest';
import {
  CLIENT_EVENT_PREFIX,
  DEFAULT_ACTIVITY_TIMEOUT,
  isClientEvent,
  isReservedEventName,
  PONG_TIMEOUT,
  PROTOCOL_VERSION,
  PusherEvent,
} from '../src/index.js';

describe('events', () => {
  it('has the protocol constants', () => {
    expect(PROTOCOL_VERSION).toBe(7);
    expect(DEFAULT_ACTIVITY_TIMEOUT).toBe(120);
    expect(PONG_TIMEOUT).toBe(30);
    expect(CLIENT_EVENT_PREFIX).toBe('client-');
  });

  it('names every protocol event in a reserved namespace', () => {
    for (const name of Object.values(PusherEvent)) expect(isReservedEventName(name)).toBe(true);
    expect(PusherEvent.SubscriptionSucceeded).toBe('pusher_internal:subscription_succeeded');
    expect(PusherEvent.ConnectionEstablished).toBe('pusher:connection_established');
  });

  it('recognises client events', () => {
    expect(isClientEvent('client-typing')).toBe(true);
    expect(isClientEvent('client-')).toBe(true);
    expect(isClientEvent('my-client-typing')).toBe(false);
    expect(isClientEvent('Client-typing')).toBe(false);
    expect(isClientEvent('pusher:ping')).toBe(false);
  });

  it('recognises reserved names by anchored prefix', () => {
    expect(isReservedEventName('pusher:anything')).toBe(true);
    expect(isReservedEventName('pusher_internal:x')).toBe(true);
    expect(isReservedEventName('pusher-foo')).toBe(false);
    expect(isReservedEventName('my-pusher:x')).toBe(false);
    expect(isReservedEventName('client-x')).toBe(false);
  });
});
