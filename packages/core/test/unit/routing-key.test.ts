import { describe, expect, it } from 'vitest';
import {
  channelRoutingKey,
  escapeToken,
  MAX_ROUTING_KEY_LENGTH,
  userRoutingKey,
} from '../../src/adapter/routing-key.js';

const ALPHABET = /^[A-Za-z0-9_\-=@,;%.]+$/;

describe('routing keys', () => {
  it('keep the safe characters of Pusher channel names as they are', () => {
    expect(channelRoutingKey('app-1', 'private-user_42=@,;')).toBe('c.app-1.private-user_42=@,;');
    expect(userRoutingKey('app-1', 'user-7')).toBe('u.app-1.user-7');
  });

  it('escape dots, wildcards, whitespace, hash tags and non-ASCII, so tokens stay tokens', () => {
    expect(escapeToken('App.Models.User.1')).toBe('App%2EModels%2EUser%2E1');
    expect(escapeToken('a*b>c d#e{f}g%')).toBe('a%2Ab%3Ec%20d%23e%7Bf%7Dg%25');
    expect(escapeToken('é')).toBe('%C3%A9');
    expect(escapeToken('')).toBe('%');
    for (const key of [channelRoutingKey('a.b', 'presence-x.y'), userRoutingKey('{x}', ' ')]) {
      expect(key).toMatch(ALPHABET);
      expect(key.split('.')).toHaveLength(3);
    }
  });

  it('are distinct for distinct (app, name) pairs, across kinds too', () => {
    const keys = new Set([
      channelRoutingKey('a.b', 'c'),
      channelRoutingKey('a', 'b.c'),
      channelRoutingKey('a%2Eb', 'c'),
      userRoutingKey('a.b', 'c'),
      channelRoutingKey('', 'x'),
      channelRoutingKey('%', 'x'),
    ]);
    expect(keys.size).toBe(6);
  });

  it('hash keys that would be longer than the limit, deterministically', () => {
    const long = 'é'.repeat(400);
    const key = channelRoutingKey('app', long);
    expect(key.length).toBeLessThanOrEqual(MAX_ROUTING_KEY_LENGTH);
    expect(key).toMatch(/^c\.h\.[0-9a-f]{64}$/);
    expect(channelRoutingKey('app', long)).toBe(key);
    expect(channelRoutingKey('app', `${long}x`)).not.toBe(key);
  });
});
