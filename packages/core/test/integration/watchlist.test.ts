// Watchlist events: a signed-in user with a watchlist first gets the current online/offline status
// of the users it watches, then `online` when one signs in on a first socket and `offline` when one's
// last socket goes. More than 100 ids: sign-in succeeds and pusher:error 4302 follows.

import { afterEach, describe, expect, it } from 'vitest';
import { RawClient } from '../helpers/clients.js';
import {
  cleanupFeatures,
  featureApp,
  rawSignin,
  signedInPusher,
  waitForConnectionCount,
} from '../helpers/features.js';
import { startServer } from '../helpers/server.js';
import { waitUntil } from '../helpers/wait.js';

afterEach(cleanupFeatures);

const watchlistApp = () => featureApp({ enable_watchlist_events: true });

type WatchlistEvent = { name: 'online' | 'offline'; user_ids: string[] };

/** The watchlist entries (in order) of every `pusher_internal:watchlist_events` a raw client got. */
function watchlistEntries(client: RawClient): WatchlistEvent[] {
  return client.all('pusher_internal:watchlist_events').flatMap((f) => f.payload.events as WatchlistEvent[]);
}

/** A control frame after everything the server has done so far: a subscribe round trip. */
let controlCounter = 0;
async function roundTrip(client: RawClient): Promise<void> {
  controlCounter += 1;
  const reply = await client.subscribe(`control-${controlCounter}`);
  expect(reply.event).toBe('pusher_internal:subscription_succeeded');
}

describe('watchlist events', () => {
  it('sends the current status of the watchlist right after signin_success', async () => {
    const app = watchlistApp();
    const { port, backend } = await startServer({ apps: [app] });
    const b = backend();
    const carol = await RawClient.established(port, app.key);
    expect((await rawSignin(carol, b, { id: 'carol' })).event).toBe('pusher:signin_success');

    const alice = await RawClient.established(port, app.key);
    const reply = await rawSignin(alice, b, { id: 'alice', watchlist: ['bob', 'carol', 'dave'] });
    expect(reply.event).toBe('pusher:signin_success');
    const status = await alice.waitFor('pusher_internal:watchlist_events');

    // The first frame after signin_success is the initial status.
    const signinIndex = alice.frames.indexOf(reply);
    expect(alice.frames[signinIndex + 1]).toBe(status);
    expect(status.channel).toBeUndefined();
    const events = status.payload.events as WatchlistEvent[];
    const online = events.filter((e) => e.name === 'online').flatMap((e) => e.user_ids);
    const offline = events.filter((e) => e.name === 'offline').flatMap((e) => e.user_ids);
    expect(online).toEqual(['carol']);
    expect(offline.sort()).toEqual(['bob', 'dave']);
  });

  it('reports online on a watched user’s first socket and offline only after their last socket closes', async () => {
    const app = watchlistApp();
    const { port, backend } = await startServer({ apps: [app] });
    const b = backend();
    const alice = await RawClient.established(port, app.key);
    await rawSignin(alice, b, { id: 'alice', watchlist: ['bob', 'erin'] });
    await alice.waitFor('pusher_internal:watchlist_events'); // initial: both offline
    expect(watchlistEntries(alice)).toEqual([{ name: 'offline', user_ids: ['bob', 'erin'] }]);

    // Bob signs in on a first socket: online.
    const bob1 = await RawClient.established(port, app.key);
    let from = alice.mark();
    await rawSignin(bob1, b, { id: 'bob' });
    const online = await alice.waitFor('pusher_internal:watchlist_events', { from });
    expect(online.payload.events).toEqual([{ name: 'online', user_ids: ['bob'] }]);

    // A second socket of bob: no second online.
    const bob2 = await RawClient.established(port, app.key);
    await rawSignin(bob2, b, { id: 'bob' });
    await roundTrip(alice);
    // Closing the first of bob's two sockets: still online, no offline.
    from = alice.mark();
    bob1.close();
    await waitForConnectionCount(port, 2); // alice and bob2: bob1's close is fully processed
    // Control: erin (also watched) signs in; her online must be the next watchlist frame.
    const erin = await RawClient.established(port, app.key);
    await rawSignin(erin, b, { id: 'erin' });
    const next = await alice.waitFor('pusher_internal:watchlist_events', { from });
    expect(next.payload.events).toEqual([{ name: 'online', user_ids: ['erin'] }]);

    // Bob's last socket closes: offline.
    from = alice.mark();
    bob2.close();
    const offline = await alice.waitFor('pusher_internal:watchlist_events', { from });
    expect(offline.payload.events).toEqual([{ name: 'offline', user_ids: ['bob'] }]);

    expect(watchlistEntries(alice)).toEqual([
      { name: 'offline', user_ids: ['bob', 'erin'] },
      { name: 'online', user_ids: ['bob'] },
      { name: 'online', user_ids: ['erin'] },
      { name: 'offline', user_ids: ['bob'] },
    ]);
  });

  it('surfaces the events on pusher.user.watchlist in pusher-js', async () => {
    const app = watchlistApp();
    const { port, backend } = await startServer({ apps: [app] });
    const b = backend();
    const seen: Array<{ name: string; user_ids: string[] }> = [];
    const alice = await signedInPusher(port, app, b, { id: 'alice', watchlist: ['bob'] });
    // pusher-js emits the initial status too; bind as early as we can and wait for bob's online.
    alice.user.watchlist.bind('online', (e: { name: string; user_ids: string[] }) => seen.push(e));
    alice.user.watchlist.bind('offline', (e: { name: string; user_ids: string[] }) => seen.push(e));
    const bob = await signedInPusher(port, app, b, { id: 'bob' });
    await waitUntil(() => seen.some((e) => e.name === 'online'), 'pusher.user.watchlist "online"');
    expect(seen.filter((e) => e.name === 'online')).toEqual([{ name: 'online', user_ids: ['bob'] }]);
    const onlineAt = seen.findIndex((e) => e.name === 'online');
    bob.disconnect();
    await waitUntil(
      () => seen.slice(onlineAt + 1).some((e) => e.name === 'offline'),
      'pusher.user.watchlist "offline" for bob after his "online"',
    );
    expect(seen.at(-1)).toEqual({ name: 'offline', user_ids: ['bob'] });
  });

  it('does not tell users that are not watching, nor the user itself', async () => {
    const app = watchlistApp();
    const { port, backend } = await startServer({ apps: [app] });
    const b = backend();
    const watcher = await RawClient.established(port, app.key);
    await rawSignin(watcher, b, { id: 'watcher', watchlist: ['bob'] });
    const bystander = await RawClient.established(port, app.key);
    await rawSignin(bystander, b, { id: 'bystander', watchlist: ['someone-else'] });
    await bystander.waitFor('pusher_internal:watchlist_events'); // its own initial status

    const bob = await RawClient.established(port, app.key);
    await rawSignin(bob, b, { id: 'bob', watchlist: ['watcher'] });
    await watcher.waitFor(
      (f) => f.event === 'pusher_internal:watchlist_events' && f.payload.events[0].name === 'online',
    );
    await roundTrip(bystander);
    await roundTrip(bob);
    expect(watchlistEntries(bystander)).toEqual([{ name: 'offline', user_ids: ['someone-else'] }]);
    // Bob only got the status of his own watchlist (watcher is online), never news about himself.
    expect(watchlistEntries(bob)).toEqual([{ name: 'online', user_ids: ['watcher'] }]);
  });

  it('sends no watchlist events when the app has not enabled them', async () => {
    const app = featureApp(); // enable_watchlist_events defaults to false
    const { port, backend } = await startServer({ apps: [app] });
    const b = backend();
    const alice = await RawClient.established(port, app.key);
    expect((await rawSignin(alice, b, { id: 'alice', watchlist: ['bob'] })).event).toBe(
      'pusher:signin_success',
    );
    const bob = await RawClient.established(port, app.key);
    await rawSignin(bob, b, { id: 'bob' });
    await roundTrip(alice);
    expect(alice.all('pusher_internal:watchlist_events')).toEqual([]);
  });

  it('accepts a watchlist of 101 ids: sign-in succeeds, 4302 follows, and the first 100 are watched', async () => {
    const app = watchlistApp();
    const { port, backend } = await startServer({ apps: [app] });
    const b = backend();
    const ids = Array.from({ length: 101 }, (_, i) => `user-${i}`);
    const alice = await RawClient.established(port, app.key);
    const reply = await rawSignin(alice, b, { id: 'alice', watchlist: ids });
    expect(reply.event).toBe('pusher:signin_success');
    const error = await alice.waitFor('pusher:error');
    expect(error.payload.code).toBe(4302);
    expect(alice.ws.readyState).toBe(alice.ws.OPEN);

    const status = await alice.waitFor('pusher_internal:watchlist_events');
    const listed = (status.payload.events as WatchlistEvent[]).flatMap((e) => e.user_ids);
    expect(listed).toEqual(ids.slice(0, 100));

    // user-99 is watched, user-100 (the 101st) is not.
    let from = alice.mark();
    const u99 = await RawClient.established(port, app.key);
    await rawSignin(u99, b, { id: 'user-99' });
    const online = await alice.waitFor('pusher_internal:watchlist_events', { from });
    expect(online.payload.events).toEqual([{ name: 'online', user_ids: ['user-99'] }]);
    from = alice.mark();
    const u100 = await RawClient.established(port, app.key);
    await rawSignin(u100, b, { id: 'user-100' });
    await roundTrip(alice);
    expect(
      alice.all('pusher_internal:watchlist_events').filter((f) => alice.frames.indexOf(f) >= from),
    ).toEqual([]);
  });

  it('does not send 4302 for exactly 100 ids', async () => {
    const app = watchlistApp();
    const { port, backend } = await startServer({ apps: [app] });
    const alice = await RawClient.established(port, app.key);
    const ids = Array.from({ length: 100 }, (_, i) => `user-${i}`);
    expect((await rawSignin(alice, backend(), { id: 'alice', watchlist: ids })).event).toBe(
      'pusher:signin_success',
    );
    await alice.waitFor('pusher_internal:watchlist_events');
    await roundTrip(alice);
    expect(alice.all('pusher:error')).toEqual([]);
  });
});
