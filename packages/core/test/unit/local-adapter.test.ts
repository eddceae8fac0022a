// LocalAdapter: the channel index, presence counted per user (not per socket), and the summaries the
// HTTP API reads.

import { LocalAdapter, type SocketHandle } from '@sockudo/core';
import { describe, expect, it } from 'vitest';

interface FakeSocket extends SocketHandle {
  sent: string[];
  closedWith: Array<[number, string]>;
}

function socket(id: string, appId = 'app-1', userId?: string): FakeSocket {
  const sent: string[] = [];
  const closedWith: Array<[number, string]> = [];
  return {
    id,
    appId,
    userId,
    sent,
    closedWith,
    send(frame) {
      sent.push(frame.toString());
    },
    close(code, reason) {
      closedWith.push([code, reason]);
    },
  };
}

const member = (userId: string, userInfo: unknown = {}) => ({ userId, userInfo });

describe('LocalAdapter sockets', () => {
  it('counts sockets per node and per app, once per id', async () => {
    const adapter = new LocalAdapter();
    const a = socket('1.1');
    const b = socket('1.2');
    const c = socket('2.1', 'app-2');
    adapter.addSocket(a);
    adapter.addSocket(a); // idempotent
    adapter.addSocket(b);
    adapter.addSocket(c);
    expect(adapter.localSocketCount()).toBe(3);
    expect(await adapter.getSocketCount('app-1')).toEqual({ value: 2, complete: true });
    expect(await adapter.getSocketCount('app-2')).toEqual({ value: 1, complete: true });
    expect([...adapter.localSockets()].map((s) => s.id).sort()).toEqual(['1.1', '1.2', '2.1']);

    adapter.removeSocket(a);
    adapter.removeSocket(a); // idempotent
    expect(adapter.localSocketCount()).toBe(2);
    expect(await adapter.getSocketCount('app-1')).toEqual({ value: 1, complete: true });
    expect(await adapter.getSocketCount('nobody')).toEqual({ value: 0, complete: true });
  });
});

describe('LocalAdapter channels', () => {
  it('reports occupied on the first join and vacated on the last leave', async () => {
    const adapter = new LocalAdapter();
    const a = socket('1.1');
    const b = socket('1.2');
    expect(await adapter.join(a, 'news')).toEqual({
      channelOccupied: true,
      memberAdded: false,
      subscriptionCount: 1,
    });
    expect(await adapter.join(b, 'news')).toEqual({
      channelOccupied: false,
      memberAdded: false,
      subscriptionCount: 2,
    });
    expect(await adapter.getChannelSocketCount('app-1', 'news')).toEqual({ value: 2, complete: true });

    expect(await adapter.leave(a, 'news')).toEqual({
      left: true,
      channelVacated: false,
      memberRemoved: undefined,
      subscriptionCount: 1,
    });
    expect(await adapter.leave(b, 'news')).toEqual({
      left: true,
      channelVacated: true,
      memberRemoved: undefined,
      subscriptionCount: 0,
    });
    expect(await adapter.getChannelSocketCount('app-1', 'news')).toEqual({ value: 0, complete: true });
  });

  it('answers left: false for a socket that was not in the channel', async () => {
    const adapter = new LocalAdapter();
    const a = socket('1.1');
    const b = socket('1.2');
    expect((await adapter.leave(a, 'news')).left).toBe(false);
    await adapter.join(b, 'news');
    const result = await adapter.leave(a, 'news');
    expect(result).toEqual({
      left: false,
      channelVacated: false,
      memberRemoved: undefined,
      subscriptionCount: 1,
    });
  });

  it('keeps apps apart', async () => {
    const adapter = new LocalAdapter();
    const a = socket('1.1', 'app-1');
    const b = socket('2.1', 'app-2');
    await adapter.join(a, 'news');
    await adapter.join(b, 'news');
    await adapter.broadcast('app-1', 'news', '{"event":"x"}');
    expect(a.sent).toEqual(['{"event":"x"}']);
    expect(b.sent).toEqual([]);
    expect((await adapter.getChannels('app-2')).value.get('news')).toEqual({ subscriptionCount: 1 });
  });

  it('broadcasts to every subscriber except the excluded socket', async () => {
    const adapter = new LocalAdapter();
    const [a, b, c, outsider] = [socket('1.1'), socket('1.2'), socket('1.3'), socket('1.4')];
    for (const s of [a, b, c]) await adapter.join(s, 'news');
    await adapter.join(outsider, 'other');
    await adapter.broadcast('app-1', 'news', 'frame-1', '1.2');
    await adapter.broadcast('app-1', 'news', 'frame-2');
    await adapter.broadcast('app-1', 'nobody-here', 'frame-3');
    expect(a.sent).toEqual(['frame-1', 'frame-2']);
    expect(b.sent).toEqual(['frame-2']);
    expect(c.sent).toEqual(['frame-1', 'frame-2']);
    expect(outsider.sent).toEqual([]);
  });

  it('lists channels with subscription counts, user counts for presence, and a prefix filter', async () => {
    const adapter = new LocalAdapter();
    const [a, b, c] = [socket('1.1'), socket('1.2'), socket('1.3')];
    await adapter.join(a, 'news');
    await adapter.join(b, 'news');
    await adapter.join(a, 'presence-room', member('u1'));
    await adapter.join(b, 'presence-room', member('u1'));
    await adapter.join(c, 'presence-room', member('u2'));

    const all = await adapter.getChannels('app-1');
    expect(all.complete).toBe(true);
    expect(Object.fromEntries(all.value)).toEqual({
      news: { subscriptionCount: 2 },
      'presence-room': { subscriptionCount: 3, userCount: 2 },
    });
    const presence = await adapter.getChannels('app-1', 'presence-');
    expect([...presence.value.keys()]).toEqual(['presence-room']);
    expect((await adapter.getChannels('unknown-app')).value.size).toBe(0);
  });
});

describe('LocalAdapter presence', () => {
  it("adds a member on the user's first socket and removes them after the last", async () => {
    const adapter = new LocalAdapter();
    const [tab1, tab2, other] = [socket('1.1'), socket('1.2'), socket('1.3')];

    expect((await adapter.join(tab1, 'presence-room', member('alice', { n: 1 }))).memberAdded).toBe(true);
    expect((await adapter.join(tab2, 'presence-room', member('alice', { n: 1 }))).memberAdded).toBe(false);
    expect((await adapter.join(other, 'presence-room', member('bob'))).memberAdded).toBe(true);
    expect([...(await adapter.getPresenceMembers('app-1', 'presence-room')).keys()].sort()).toEqual([
      'alice',
      'bob',
    ]);
    expect(await adapter.isPresenceMember('app-1', 'presence-room', 'alice')).toBe(true);

    const first = await adapter.leave(tab1, 'presence-room', 'alice');
    expect(first.memberRemoved).toBeUndefined();
    expect(await adapter.isPresenceMember('app-1', 'presence-room', 'alice')).toBe(true);

    const last = await adapter.leave(tab2, 'presence-room', 'alice');
    expect(last.memberRemoved).toEqual({ userId: 'alice', userInfo: { n: 1 } });
    expect(await adapter.isPresenceMember('app-1', 'presence-room', 'alice')).toBe(false);
    expect([...(await adapter.getPresenceMembers('app-1', 'presence-room')).keys()]).toEqual(['bob']);

    const bobLeaves = await adapter.leave(other, 'presence-room', 'bob');
    expect(bobLeaves).toMatchObject({ channelVacated: true, memberRemoved: { userId: 'bob' } });
    expect((await adapter.getPresenceMembers('app-1', 'presence-room')).size).toBe(0);
  });

  it("keeps the latest tab's user_info", async () => {
    const adapter = new LocalAdapter();
    await adapter.join(socket('1.1'), 'presence-room', member('alice', { status: 'old' }));
    await adapter.join(socket('1.2'), 'presence-room', member('alice', { status: 'new' }));
    expect((await adapter.getPresenceMembers('app-1', 'presence-room')).get('alice')).toEqual({
      status: 'new',
    });
  });

  it('does not remove a member when a socket leaves with a user id it never joined as', async () => {
    const adapter = new LocalAdapter();
    const tab = socket('1.1');
    await adapter.join(tab, 'presence-room', member('alice'));
    await adapter.join(socket('1.2'), 'presence-room', member('bob'));
    const result = await adapter.leave(tab, 'presence-room', 'bob');
    expect(result.memberRemoved).toBeUndefined();
    expect(await adapter.isPresenceMember('app-1', 'presence-room', 'bob')).toBe(true);
  });

  it('counts a user once per channel, and separately in each channel', async () => {
    const adapter = new LocalAdapter();
    const [a, b] = [socket('1.1'), socket('1.2')];
    await adapter.join(a, 'presence-one', member('u'));
    await adapter.join(b, 'presence-one', member('u'));
    expect((await adapter.join(a, 'presence-two', member('u'))).memberAdded).toBe(true);
    const channels = (await adapter.getChannels('app-1', 'presence-')).value;
    expect(channels.get('presence-one')).toEqual({ subscriptionCount: 2, userCount: 1 });
    expect(channels.get('presence-two')).toEqual({ subscriptionCount: 1, userCount: 1 });
  });
});

describe('LocalAdapter users', () => {
  it('indexes signed-in sockets by user: online on the first, offline after the last', async () => {
    const adapter = new LocalAdapter();
    const [a, b, anonymous] = [socket('1.1', 'app-1', 'u1'), socket('1.2', 'app-1', 'u1'), socket('1.3')];
    expect(await adapter.addUser(a)).toEqual({ online: true });
    expect(await adapter.addUser(b)).toEqual({ online: false });
    expect(await adapter.addUser(anonymous)).toEqual({ online: false });
    expect(await adapter.onlineUsers('app-1', ['u1', 'u2'])).toEqual(new Set(['u1']));

    await adapter.sendToUser('app-1', 'u1', 'hello');
    expect([a.sent, b.sent, anonymous.sent]).toEqual([['hello'], ['hello'], []]);

    expect(await adapter.removeUser(a)).toEqual({ offline: false });
    expect(await adapter.removeUser(b)).toEqual({ offline: true });
    expect(await adapter.removeUser(b)).toEqual({ offline: false });
    expect(await adapter.onlineUsers('app-1', ['u1'])).toEqual(new Set());
  });

  it("closes every signed-in socket of a user with 4009 and no one else's", async () => {
    const adapter = new LocalAdapter();
    const [a, b, other] = [
      socket('1.1', 'app-1', 'u1'),
      socket('1.2', 'app-1', 'u1'),
      socket('1.3', 'app-1', 'u2'),
    ];
    for (const s of [a, b, other]) await adapter.addUser(s);
    await adapter.terminateUser('app-1', 'u1');
    expect(a.closedWith.map(([code]) => code)).toEqual([4009]);
    expect(b.closedWith.map(([code]) => code)).toEqual([4009]);
    expect(other.closedWith).toEqual([]);
  });
});
