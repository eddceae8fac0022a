// User authentication (`pusher:signin`): pusher-js `signin()`, forged signatures, and apps that
// require every connection to sign in within `userAuthenticationTimeout` seconds.

import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { RawClient } from '../helpers/clients.js';
import {
  cleanupFeatures,
  connectAs,
  disconnection,
  featureApp,
  pusherErrors,
  pusherMessages,
  rawSignin,
  signedInPusher,
  signinSuccess,
} from '../helpers/features.js';
import { startServer } from '../helpers/server.js';
import { waitUntil } from '../helpers/wait.js';

afterEach(cleanupFeatures);

describe('pusher:signin with pusher-js', () => {
  it('signs in: pusher:signin_success carries the user data and pusher.user.user_data is set', async () => {
    const app = featureApp();
    const { port, backend } = await startServer({ apps: [app] });
    const user = { id: 'alice', user_info: { name: 'Alice' } };
    const pusher = await connectAs(port, app, backend(), user);
    const done = signinSuccess(pusher);
    pusher.signin();
    const data = (await done) as { user_data: string };

    expect(JSON.parse(data.user_data)).toEqual(user);
    await waitUntil(() => pusher.user.user_data, 'pusher.user.user_data to be set');
    expect(pusher.user.user_data).toEqual(user);
    expect(pusher.connection.state).toBe('connected');
  });

  it('answers a forged sign-in with pusher:error 4009 and does not sign the socket in', async () => {
    const app = featureApp();
    const { port, backend } = await startServer({ apps: [app] });
    const b = backend();
    const user = { id: 'mallory' };
    const pusher = await connectAs(port, app, b, user, {
      options: {
        userAuthentication: {
          customHandler: ({ socketId }: { socketId: string }, callback: (e: null, d: unknown) => void) => {
            const good = b.authenticateUser(socketId, user);
            // Same user data, signature for a different user: what a tampering client would send.
            const forged = b.authenticateUser(socketId, { id: 'admin' });
            callback(null, { auth: forged.auth, user_data: good.user_data });
          },
        },
      },
    });
    const errors = pusherErrors(pusher);
    const messages = pusherMessages(pusher);
    pusher.signin();
    await waitUntil(() => errors.length > 0, 'pusher-js to report pusher:error');

    expect(errors[0]!.code).toBe(4009);
    expect(messages.some((m) => m.event === 'pusher:signin_success')).toBe(false);
    expect(pusher.user.user_data).toBeNull();
    // Non-fatal: the socket stays open.
    expect(pusher.connection.state).toBe('connected');
  });

  it('refuses a sign-in signed with another app secret, and one without user_data.id', async () => {
    const app = featureApp();
    const other = featureApp();
    const { port, backend } = await startServer({ apps: [app, other] });
    const raw = await RawClient.established(port, app.key);

    const wrongSecret = await rawSignin(raw, backend(other), { id: 'alice' });
    expect(wrongSecret.event).toBe('pusher:error');
    expect(wrongSecret.payload.code).toBe(4009);

    // A correctly signed user_data without an id is refused as well.
    const from = raw.mark();
    const userData = JSON.stringify({ name: 'no id' });
    const signature = createHmac('sha256', app.secret)
      .update(`${raw.socketId}::user::${userData}`)
      .digest('hex');
    raw.send({ event: 'pusher:signin', data: { auth: `${app.key}:${signature}`, user_data: userData } });
    const noId = await raw.waitFor((f) => f.event === 'pusher:error' || f.event === 'pusher:signin_success', {
      from,
    });
    expect(noId.event).toBe('pusher:error');
    expect(noId.payload.code).toBe(4009);

    // After both failures a valid sign-in still works on the same socket.
    const ok = await rawSignin(raw, backend(), { id: 'alice' });
    expect(ok.event).toBe('pusher:signin_success');
  });

  it('refuses to sign a socket in as a second, different user', async () => {
    const app = featureApp();
    const { port, backend } = await startServer({ apps: [app] });
    const raw = await RawClient.established(port, app.key);
    expect((await rawSignin(raw, backend(), { id: 'alice' })).event).toBe('pusher:signin_success');
    const second = await rawSignin(raw, backend(), { id: 'bob' });
    expect(second.event).toBe('pusher:error');
    expect(second.payload.code).toBe(4009);
  });
});

describe('apps that require sign-in (enable_user_authentication)', () => {
  it('closes a socket that does not sign in within userAuthenticationTimeout with 4009, and keeps a signed-in one', async () => {
    const app = featureApp({ enable_user_authentication: true });
    const { port, backend } = await startServer({ apps: [app], userAuthenticationTimeout: 1 });

    // The signed-in client connects first, so its own deadline passes before the unsigned one's.
    const signed = await signedInPusher(port, app, backend(), { id: 'alice' });
    const states: string[] = [];
    signed.connection.bind('state_change', ({ current }: { current: string }) => states.push(current));

    const unsigned = await RawClient.established(port, app.key);
    const closed = await unsigned.waitForClose(5_000);
    expect(closed.code).toBe(4009);
    expect(unsigned.all('pusher:error').map((f) => f.payload.code)).toEqual([4009]);

    // The signed-in socket's deadline was earlier; it must still be connected and working.
    expect(signed.connection.state).toBe('connected');
    expect(states).toEqual([]);
    const pong = new Promise<void>((resolve) =>
      signed.connection.bind('message', (m: { event: string }) => {
        if (m.event === 'pusher:pong') resolve();
      }),
    );
    signed.send_event('pusher:ping', {});
    await pong;
  });

  it('tells pusher-js why it was closed (4009) and it does not reconnect', async () => {
    const app = featureApp({ enable_user_authentication: true });
    const { port, backend } = await startServer({ apps: [app], userAuthenticationTimeout: 1 });
    const pusher = await connectAs(port, app, backend(), { id: 'lazy' }); // never calls signin()
    const gone = await disconnection(pusher, 5_000);
    expect(gone.error?.code).toBe(4009);
    expect(['disconnected', 'failed']).toContain(pusher.connection.state);
  });

  it('does not close unsigned sockets of apps that do not require sign-in', async () => {
    const strict = featureApp({ enable_user_authentication: true });
    const relaxed = featureApp(); // enable_user_authentication defaults to false
    const { port } = await startServer({ apps: [strict, relaxed], userAuthenticationTimeout: 1 });
    const free = await RawClient.established(port, relaxed.key);
    const bound = await RawClient.established(port, strict.key);
    expect((await bound.waitForClose(5_000)).code).toBe(4009);
    // `free` connected before `bound`, so its deadline (if it had one) has passed too.
    await free.ping();
    expect(free.all('pusher:error')).toEqual([]);
  });
});
