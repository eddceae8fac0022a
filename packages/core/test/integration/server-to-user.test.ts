// Server-to-user messages (`sendToUser`, a trigger on `#server-to-user-<id>`) and
// `terminateUserConnections`: they reach exactly the signed-in sockets of one user.

import { afterEach, describe, expect, it } from 'vitest';
import { nextEvent, RawClient, record } from '../helpers/clients.js';
import {
  cleanupFeatures,
  disconnection,
  featureApp,
  rawSignin,
  rawSubscribe,
  signedInPusher,
} from '../helpers/features.js';
import { signedRequest } from '../helpers/http.js';
import { startServer } from '../helpers/server.js';

afterEach(cleanupFeatures);

describe('sendToUser', () => {
  it('reaches every signed-in socket of the user and no other user', async () => {
    const app = featureApp();
    const { port, backend } = await startServer({ apps: [app] });
    const b = backend();
    const aliceTab1 = await signedInPusher(port, app, b, { id: 'alice' });
    const aliceTab2 = await signedInPusher(port, app, b, { id: 'alice' });
    const bob = await signedInPusher(port, app, b, { id: 'bob' });
    const bobSaw = record(bob.user, 'notice');

    const first = nextEvent(aliceTab1.user, 'notice', 'notice at alice tab 1');
    const second = nextEvent(aliceTab2.user, 'notice', 'notice at alice tab 2');
    await b.sendToUser('alice', 'notice', { text: 'for alice' });
    expect((await first).data).toEqual({ text: 'for alice' });
    expect((await second).data).toEqual({ text: 'for alice' });

    // Bob gets his own message, and nothing before it.
    const control = nextEvent(bob.user, 'control', 'control at bob');
    await b.sendToUser('bob', 'control', {});
    await control;
    expect(bobSaw).toEqual([]);
  });

  it('does not reach a socket that is connected but not signed in, nor a presence member with that user_id', async () => {
    const app = featureApp();
    const { port, backend } = await startServer({ apps: [app] });
    const b = backend();
    const signed = await RawClient.established(port, app.key);
    expect((await rawSignin(signed, b, { id: 'alice' })).event).toBe('pusher:signin_success');
    // Same user id as a presence identity only: not signed in, so not a target.
    const member = await RawClient.established(port, app.key);
    expect((await rawSubscribe(member, 'presence-room', b, { user_id: 'alice' })).event).toBe(
      'pusher_internal:subscription_succeeded',
    );

    await b.sendToUser('alice', 'notice', { n: 1 });
    const frame = await signed.waitFor('notice');
    expect(frame.channel).toBe('#server-to-user-alice');
    expect(frame.payload).toEqual({ n: 1 });

    const from = member.mark();
    await b.trigger('presence-room', 'control', {});
    await member.waitFor('control', { from });
    expect(member.all('notice')).toEqual([]);
  });

  it('does not let a raw client subscribe to another user’s #server-to-user channel', async () => {
    const app = featureApp();
    const { port, backend } = await startServer({ apps: [app] });
    const b = backend();
    const alice = await RawClient.established(port, app.key);
    expect((await rawSignin(alice, b, { id: 'alice' })).event).toBe('pusher:signin_success');

    // Mallory: once unsigned, once signed in as herself.
    const mallory = await RawClient.established(port, app.key);
    const unsignedReply = await mallory.subscribe('#server-to-user-alice');
    expect(unsignedReply.event).toBe('pusher:subscription_error');
    expect((await rawSignin(mallory, b, { id: 'mallory' })).event).toBe('pusher:signin_success');
    const signedReply = await mallory.subscribe('#server-to-user-alice');
    expect(signedReply.event).toBe('pusher:subscription_error');
    expect(mallory.all('pusher:error').every((f) => f.payload.code === 4009)).toBe(true);

    // Her own channel works.
    expect((await mallory.subscribe('#server-to-user-mallory')).event).toBe(
      'pusher_internal:subscription_succeeded',
    );

    await b.sendToUser('alice', 'secret', { pin: 1234 });
    await alice.waitFor('secret');
    const from = mallory.mark();
    await b.sendToUser('mallory', 'control', {});
    await mallory.waitFor('control', { from });
    expect(mallory.all('secret')).toEqual([]);
  });

  it('honours socket_id on a #server-to-user trigger: the excluded socket of that user gets nothing', async () => {
    const app = featureApp();
    const { port, backend } = await startServer({ apps: [app] });
    const b = backend();
    const tab1 = await RawClient.established(port, app.key);
    const tab2 = await RawClient.established(port, app.key);
    for (const tab of [tab1, tab2])
      expect((await rawSignin(tab, b, { id: 'alice' })).event).toBe('pusher:signin_success');

    // The SDK refuses '#' in trigger(), so this is the signed request sendToUser makes, plus socket_id.
    const res = await signedRequest(port, {
      app,
      path: '/events',
      body: {
        name: 'notice',
        channels: ['#server-to-user-alice'],
        data: JSON.stringify({ n: 1 }),
        socket_id: tab1.socketId,
      },
    });
    expect(res.status).toBe(200);
    expect((await tab2.waitFor('notice')).payload).toEqual({ n: 1 });
    const from = tab1.mark();
    await b.sendToUser('alice', 'control', {});
    await tab1.waitFor('control', { from });
    expect(tab1.all('notice')).toEqual([]);
  });

  it('accepts sendToUser for a user with no sockets', async () => {
    const app = featureApp();
    const { backend } = await startServer({ apps: [app] });
    const response = await backend().sendToUser('nobody', 'notice', {});
    expect(response.status).toBe(200);
  });
});

describe('terminateUserConnections', () => {
  it('closes exactly the signed-in sockets of that user with 4009 and leaves everyone else connected', async () => {
    const app = featureApp();
    const { port, backend } = await startServer({ apps: [app] });
    const b = backend();
    const aliceTab1 = await RawClient.established(port, app.key);
    const aliceTab2 = await RawClient.established(port, app.key);
    for (const tab of [aliceTab1, aliceTab2]) {
      expect((await rawSignin(tab, b, { id: 'alice' })).event).toBe('pusher:signin_success');
    }
    const bob = await RawClient.established(port, app.key);
    expect((await rawSignin(bob, b, { id: 'bob' })).event).toBe('pusher:signin_success');
    const anonymous = await RawClient.established(port, app.key);
    // Alice's presence identity on a socket that never signed in: not a signed-in connection.
    const aliceUnsigned = await RawClient.established(port, app.key);
    await rawSubscribe(aliceUnsigned, 'presence-room', b, { user_id: 'alice' });

    const response = await b.terminateUserConnections('alice');
    expect(response.status).toBe(200);
    expect((await aliceTab1.waitForClose()).code).toBe(4009);
    expect((await aliceTab2.waitForClose()).code).toBe(4009);

    for (const survivor of [bob, anonymous, aliceUnsigned]) {
      await survivor.ping();
      expect(survivor.ws.readyState).toBe(survivor.ws.OPEN);
    }
  });

  it('disconnects signed-in pusher-js clients of that user, which report 4009 and stay disconnected', async () => {
    const app = featureApp();
    const { port, backend } = await startServer({ apps: [app] });
    const b = backend();
    const alice = await signedInPusher(port, app, b, { id: 'alice' });
    const bob = await signedInPusher(port, app, b, { id: 'bob' });
    const bobStates: string[] = [];
    bob.connection.bind('state_change', ({ current }: { current: string }) => bobStates.push(current));

    const gone = disconnection(alice);
    await b.terminateUserConnections('alice');
    expect((await gone).error?.code).toBe(4009);
    expect(['disconnected', 'failed']).toContain(alice.connection.state);

    // Bob is untouched and still gets his messages.
    const notice = nextEvent(bob.user, 'notice');
    await b.sendToUser('bob', 'notice', { still: 'here' });
    expect((await notice).data).toEqual({ still: 'here' });
    expect(bobStates).toEqual([]);
    expect(alice.connection.state).not.toBe('connected');
  });

  it('is a no-op for a user without signed-in sockets', async () => {
    const app = featureApp();
    const { port, backend } = await startServer({ apps: [app] });
    const someone = await RawClient.established(port, app.key);
    const response = await backend().terminateUserConnections('nobody');
    expect(response.status).toBe(200);
    await someone.ping();
  });
});
