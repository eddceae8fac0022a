import { describe, expect, it } from 'vitest';
import {
  type ChannelInfo,
  classifyChannel,
  DEFAULT_MAX_CHANNEL_NAME_LENGTH,
  isCacheChannel,
  isEncryptedChannel,
  isPresenceChannel,
  isPrivateChannel,
  isServerToUserChannel,
  SERVER_TO_USER_PREFIX,
  userIdFromServerToUserChannel,
  validateChannelName,
  validateChannelNameForApi,
} from '../src/index.js';

describe('classifyChannel', () => {
  const table: Array<[string, ChannelInfo]> = [
    ['my-channel', { type: 'public', cache: false, requiresAuth: false }],
    ['cache-news', { type: 'public', cache: true, requiresAuth: false }],
    ['private-chat', { type: 'private', cache: false, requiresAuth: true }],
    ['private-cache-chat', { type: 'private', cache: true, requiresAuth: true }],
    ['private-encrypted-secrets', { type: 'encrypted', cache: false, requiresAuth: true }],
    ['private-encrypted-cache-secrets', { type: 'encrypted', cache: true, requiresAuth: true }],
    ['presence-room', { type: 'presence', cache: false, requiresAuth: true }],
    ['presence-cache-room', { type: 'presence', cache: true, requiresAuth: true }],
    // Prefixes are anchored: these merely contain a prefix.
    ['my-cache-news', { type: 'public', cache: false, requiresAuth: false }],
    ['not-private-chat', { type: 'public', cache: false, requiresAuth: false }],
    ['xpresence-room', { type: 'public', cache: false, requiresAuth: false }],
    ['private-chat-cache-', { type: 'private', cache: false, requiresAuth: true }],
    // Case matters, as in Pusher.
    ['Private-chat', { type: 'public', cache: false, requiresAuth: false }],
    // A bare prefix still has the prefix's type (validation decides whether it is acceptable).
    ['private-', { type: 'private', cache: false, requiresAuth: true }],
    ['private', { type: 'public', cache: false, requiresAuth: false }],
    ['private-encrypted', { type: 'private', cache: false, requiresAuth: true }],
  ];

  it.each(table)('%s', (name, expected) => {
    expect(classifyChannel(name)).toEqual(expected);
  });

  it('returns a fresh object each time', () => {
    const first = classifyChannel('private-a');
    first.cache = true;
    expect(classifyChannel('private-a').cache).toBe(false);
  });

  it('agrees with the predicates', () => {
    for (const [name, info] of table) {
      expect(isPresenceChannel(name)).toBe(info.type === 'presence');
      expect(isPrivateChannel(name)).toBe(info.type === 'private' || info.type === 'encrypted');
      expect(isEncryptedChannel(name)).toBe(info.type === 'encrypted');
      expect(isCacheChannel(name)).toBe(info.cache);
    }
  });
});

describe('server-to-user channels', () => {
  it('recognises the prefix and extracts the user id', () => {
    expect(SERVER_TO_USER_PREFIX).toBe('#server-to-user-');
    expect(isServerToUserChannel('#server-to-user-42')).toBe(true);
    expect(userIdFromServerToUserChannel('#server-to-user-42')).toBe('42');
    expect(userIdFromServerToUserChannel('#server-to-user-a-b')).toBe('a-b');
  });

  it('rejects other names and an empty id', () => {
    for (const name of ['#server-to-user-', 'server-to-user-42', 'x#server-to-user-42', 'private-42']) {
      expect(isServerToUserChannel(name)).toBe(false);
      expect(userIdFromServerToUserChannel(name)).toBeUndefined();
    }
  });
});

describe('validateChannelName', () => {
  it('accepts every allowed character', () => {
    expect(validateChannelName('AZaz09_-=@,.;')).toBeUndefined();
    expect(validateChannelName('presence-room-1')).toBeUndefined();
  });

  it('defaults to the 164-character limit', () => {
    expect(DEFAULT_MAX_CHANNEL_NAME_LENGTH).toBe(164);
    expect(validateChannelName('a'.repeat(164))).toBeUndefined();
    expect(validateChannelName('a'.repeat(165))).toBe('Channel name is 165 characters long (max 164)');
  });

  it('takes a configurable limit', () => {
    expect(validateChannelName('a'.repeat(200), 200)).toBeUndefined();
    expect(validateChannelName('a'.repeat(201), 200)).toBeDefined();
    expect(validateChannelName('abcd', 3)).toBeDefined();
  });

  it('rejects empty names and non-strings', () => {
    expect(validateChannelName('')).toBe('Channel name must not be empty');
    for (const bad of [undefined, null, 1, {}, ['a']]) {
      expect(validateChannelName(bad)).toBe('Channel name must be a string');
    }
  });

  it.each(['a b', 'a:b', 'a/b', 'a*b', 'é', 'a\nb', 'a|b', 'a\u0000b', '[meta]a'])('rejects %j', (name) => {
    expect(validateChannelName(name)).toMatch(/may only contain/);
  });

  it("rejects '#', including server-to-user channels", () => {
    expect(validateChannelName('#server-to-user-42')).toMatch(/'#'/);
    expect(validateChannelName('a#b')).toMatch(/'#'/);
  });
});

describe('validateChannelNameForApi', () => {
  it('accepts server-to-user channels', () => {
    expect(validateChannelNameForApi('#server-to-user-42')).toBeUndefined();
    expect(validateChannelNameForApi('#server-to-user-user@example.com')).toBeUndefined();
  });

  it('rejects server-to-user channels without a usable id', () => {
    expect(validateChannelNameForApi('#server-to-user-')).toBeDefined();
    expect(validateChannelNameForApi('#server-to-user-a b')).toBeDefined();
    expect(validateChannelNameForApi(`#server-to-user-${'1'.repeat(200)}`)).toBeDefined();
  });

  it('applies the ordinary rules to everything else', () => {
    expect(validateChannelNameForApi('private-a')).toBeUndefined();
    expect(validateChannelNameForApi('#other')).toBeDefined();
    expect(validateChannelNameForApi('a'.repeat(165))).toBeDefined();
    expect(validateChannelNameForApi('a'.repeat(165), 200)).toBeUndefined();
    expect(validateChannelNameForApi(5)).toBe('Channel name must be a string');
  });
});
