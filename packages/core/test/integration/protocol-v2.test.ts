// Sockudo's protocol V2 over a raw `ws` client speaking @sockudo/client's frames: `?protocol=2` gets
// `sockudo:` / `sockudo_internal:` protocol events and accepts either prefix, while a Pusher socket in
// the same channels keeps receiving the exact Pusher frames.

import { afterEach, describe, expect, it } from 'vitest';
import { cleanup } from '../helpers/cleanup.js';
import { RawClient, upgradeStatus } from '../helpers/clients.js';
import { APP, startServer } from '../helpers/server.js';

afterEach(cleanup);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('protocol V2 sockets', () => {
  it('open with sockudo:connection_established and answer sockudo:ping', async () => {
    const { port } = await startServer({ activityTimeout: 30 });
    const v2 = await RawClient.v2(port);
    const established = v2.frames[0]!;
    expect(established.event).toBe('sockudo:connection_established');
    expect(JSON.parse(established.data as string)).toEqual({ socket_id: v2.socketId, activity_timeout: 30 });
    // Rust Sockudo stamps each message to one V2 socket with a fresh message_id (ping and pong aside).
    expect(Object.keys(JSON.parse(established.raw))).toEqual(['event', 'data', 'message_id']);
    expect((established as unknown as { message_id: string }).message_id).toMatch(UUID);
    v2.send({ event: 'sockudo:ping', data: {} });
    expect((await v2.waitFor('sockudo:pong')).raw).toBe('{"event":"sockudo:pong","data":"{}"}');
    // The Pusher name is accepted from a V2 socket too, and answered in V2 form.
    const from = v2.mark();
    v2.send({ event: 'pusher:ping', data: {} });
    await v2.waitFor('sockudo:pong', { from });
    expect(v2.all((f) => f.event.startsWith('pusher'))).toEqual([]);
  });

  it('subscribe with either prefix; presence events reach each wire in its own form', async () => {
    const { port, backend } = await startServer();
    const sdk = backend();
    const v1 = await RawClient.established(port);
    const v2 = await RawClient.v2(port);
    const auth = (client: { socketId: string }, userId: string) =>
      sdk.authorizeChannel(client.socketId, 'presence-room', { user_id: userId, user_info: { n: userId } });

    const v2Ack = await v2.subscribe('presence-room', auth(v2, 'u2'), 'sockudo');
    expect(v2Ack.event).toBe('sockudo_internal:subscription_succeeded');
    expect((v2Ack as unknown as { message_id: string }).message_id).toMatch(UUID);
    expect(v2Ack.payload).toEqual({ presence: { ids: ['u2'], hash: { u2: { n: 'u2' } }, count: 1 } });
    await v1.subscribe('presence-room', auth(v1, 'u1'));
    const added = await v2.waitFor('sockudo_internal:member_added');
    expect(added.raw).toBe(
      '{"event":"sockudo_internal:member_added","channel":"presence-room","data":"{\\"user_id\\":\\"u1\\",\\"user_info\\":{\\"n\\":\\"u1\\"}}"}',
    );
    // A V2 socket may also subscribe with the Pusher name.
    v2.send({ event: 'pusher:subscribe', data: { channel: 'news' } });
    await v2.waitFor('sockudo_internal:subscription_succeeded', { channel: 'news' });

    v2.close();
    const removed = await v1.waitFor('pusher_internal:member_removed');
    expect(removed.raw).toBe(
      '{"event":"pusher_internal:member_removed","channel":"presence-room","data":"{\\"user_id\\":\\"u2\\"}"}',
    );
  });

  it('deliver channel events under their own name, the same frame on both wires', async () => {
    const { port, backend } = await startServer();
    const v1 = await RawClient.established(port);
    const v2 = await RawClient.v2(port);
    await v1.subscribe('orders');
    await v2.subscribe('orders', undefined, 'sockudo');
    await backend().trigger('orders', 'order.created', { id: 7 });
    const [a, b] = await Promise.all([v1.waitFor('order.created'), v2.waitFor('order.created')]);
    expect(a.raw).toBe('{"event":"order.created","channel":"orders","data":"{\\"id\\":7}"}');
    expect(b.raw).toBe(a.raw);
  });

  it('report errors as sockudo:error, cache misses as sockudo:cache_miss', async () => {
    const { port } = await startServer();
    const v2 = await RawClient.v2(port);
    v2.send({ event: 'sockudo:subscribe', data: {} });
    const error = await v2.waitFor('sockudo:error');
    expect(error.data).toEqual({ code: 4300, message: 'pusher:subscribe needs data.channel' });
    v2.send({ event: 'sockudo:subscribe', data: { channel: 'private-x', auth: 'nope' } });
    await v2.waitFor('sockudo:subscription_error', { channel: 'private-x' });
    await v2.subscribe('cache-prices', undefined, 'sockudo');
    await v2.waitFor('sockudo:cache_miss', { channel: 'cache-prices' });
    expect(v2.all((f) => f.event.startsWith('pusher'))).toEqual([]);
  });

  it('receive signin_success and a 4009 close as sockudo: events', async () => {
    const app = { ...APP, enable_user_authentication: true };
    const { port, backend } = await startServer({ apps: [app], userAuthenticationTimeout: 60 });
    const v2 = await RawClient.v2(port);
    const { auth, user_data } = backend().authenticateUser(v2.socketId, { id: 'alice' });
    v2.send({ event: 'sockudo:signin', data: { auth, user_data } });
    await v2.waitFor('sockudo:signin_success');
    await backend().terminateUserConnections('alice');
    const error = await v2.waitFor('sockudo:error');
    expect(error.data).toMatchObject({ code: 4009 });
    expect((await v2.waitForClose()).code).toBe(4009);
  });

  it('Pusher sockets that ask for nothing new see nothing new', async () => {
    const { port } = await startServer();
    for (const query of ['protocol=7', 'protocol=1', 'protocol=22', 'protocol=abc&echo_messages=maybe']) {
      const status = await upgradeStatus(port, `/app/${APP.key}?${query}`);
      expect(status, query).toBe(101);
    }
    const v1 = await RawClient.established(port);
    expect(v1.frames[0]!.event).toBe('pusher:connection_established');
    // A Pusher socket may use the V2 names too (Rust Sockudo accepts both), and is answered in Pusher form.
    v1.send({ event: 'sockudo:ping', data: {} });
    expect((await v1.waitFor('pusher:pong')).raw).toBe('{"event":"pusher:pong","data":"{}"}');
  });

  it('refuse an unknown V2 wire format or echo_messages value with 400', async () => {
    const { port } = await startServer();
    const path = `/app/${APP.key}`;
    expect(await upgradeStatus(port, `${path}?protocol=2&format=messagepack`)).toBe(400);
    expect(await upgradeStatus(port, `${path}?protocol=2&format=protobuf`)).toBe(400);
    expect(await upgradeStatus(port, `${path}?protocol=2&echo_messages=yes`)).toBe(400);
    expect(await upgradeStatus(port, `${path}?protocol=2&format=json&echo_messages=false`)).toBe(101);
    expect(await upgradeStatus(port, `${path}?protocol=2&format=JSON`)).toBe(101);
  });

  it('refuse an unknown app key with sockudo:error 4001', async () => {
    const { port } = await startServer();
    const url = `ws://127.0.0.1:${port}/app/nope?protocol=2`;
    const { default: WebSocket } = await import('ws');
    const ws = new WebSocket(url);
    const first = await new Promise<string>((resolve, reject) => {
      ws.once('message', (data) => resolve(data.toString()));
      ws.once('error', reject);
    });
    ws.terminate();
    expect(JSON.parse(first)).toEqual({
      event: 'sockudo:error',
      data: { code: 4001, message: 'App key nope does not exist' },
    });
  });
});
