// The WebSocket endpoint itself: handshake, heartbeat, refusals with Pusher's close codes, and how a
// socket survives malformed input.

import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { cleanup } from '../helpers/cleanup.js';
import {
  connectPusherJs,
  createPusherJs,
  RawClient,
  upgradeStatus,
  waitForState,
  wsUrl,
} from '../helpers/clients.js';
import { httpRequest } from '../helpers/http.js';
import { APP, startServer, type TestApp } from '../helpers/server.js';
import { waitUntil, withTimeout } from '../helpers/wait.js';

afterEach(cleanup);

/** Waits for the `pusher:error` then the close that refuse a connection, and returns both codes. */
async function refusal(
  client: RawClient,
): Promise<{ errorCode: number; closeCode: number; message: string }> {
  const error = await client.waitFor('pusher:error');
  const closed = await client.waitForClose();
  return { errorCode: error.payload.code, closeCode: closed.code, message: error.payload.message };
}

describe('handshake', () => {
  it('sends pusher:connection_established with a socket id and the activity timeout', async () => {
    const { port } = await startServer({ activityTimeout: 42 });
    const client = await RawClient.connect(port);
    const frame = await client.waitFor('pusher:connection_established');

    expect(client.frames[0]).toBe(frame); // the very first frame
    expect(typeof frame.data).toBe('string'); // double-encoded, as the protocol requires
    expect(frame.payload).toEqual({ socket_id: expect.stringMatching(/^\d+\.\d+$/), activity_timeout: 42 });
  });

  it('defaults the activity timeout to 120 s and gives every socket its own id', async () => {
    const { port } = await startServer();
    const a = await RawClient.established(port);
    const b = await RawClient.established(port);
    expect(a.activityTimeout).toBe(120);
    expect(a.socketId).toMatch(/^\d+\.\d+$/);
    expect(b.socketId).not.toBe(a.socketId);
  });

  it('lets pusher-js connect and report the socket id', async () => {
    const { port } = await startServer();
    const pusher = await connectPusherJs(port);
    expect(pusher.connection.state).toBe('connected');
    expect(pusher.connection.socket_id).toMatch(/^\d+\.\d+$/);
  });

  it('accepts a connection without protocol/client/version query parameters', async () => {
    const { port } = await startServer();
    const ws = new WebSocket(`ws://127.0.0.1:${port}/app/${APP.key}`);
    const first = await withTimeout(
      new Promise<string>((resolve, reject) => {
        ws.once('message', (data) => resolve(data.toString()));
        ws.once('error', reject);
      }),
      'the first frame',
    );
    ws.terminate();
    expect(JSON.parse(first).event).toBe('pusher:connection_established');
  });

  it('answers pusher:ping with pusher:pong', async () => {
    const { port } = await startServer();
    const client = await RawClient.established(port);
    const pong = await client.ping();
    expect(pong.event).toBe('pusher:pong');
    // and again: the answer is per ping, not once per connection
    expect((await client.ping()).event).toBe('pusher:pong');
    expect(client.all('pusher:pong')).toHaveLength(2);
  });
});

describe('heartbeat', () => {
  it('pings an idle client and closes it with 4201 when no pong comes back', async () => {
    const { port } = await startServer({ activityTimeout: 1, pongTimeout: 1 });
    const client = await RawClient.established(port);

    const ping = await client.waitFor('pusher:ping');
    expect(ping.event).toBe('pusher:ping');
    const closed = await client.waitForClose();
    expect(closed.code).toBe(4201);
    const error = client.all('pusher:error').at(-1);
    expect(error?.payload.code).toBe(4201);
    // the ping came before the close, and only one ping was sent
    expect(client.all('pusher:ping')).toHaveLength(1);
  });

  it('keeps a client that answers pusher:ping with pusher:pong', async () => {
    const { port } = await startServer({ activityTimeout: 1, pongTimeout: 1 });
    const client = await RawClient.established(port);
    client.ws.on('message', (data) => {
      if (JSON.parse(data.toString()).event === 'pusher:ping')
        client.send({ event: 'pusher:pong', data: {} });
    });
    // Three pings need more than three activity timeouts plus pong timeouts: the socket survived them.
    await waitUntil(() => client.all('pusher:ping').length >= 3, 'three server pings', 10_000);
    expect(client.ws.readyState).toBe(WebSocket.OPEN);
    expect((await client.ping()).event).toBe('pusher:pong');
    expect(client.all('pusher:error')).toEqual([]);
  });
});

describe('refused connections', () => {
  it('refuses an unknown app key with pusher:error 4001 and close 4001', async () => {
    const { port } = await startServer();
    const client = await RawClient.connect(port, 'no-such-key');
    const { errorCode, closeCode } = await refusal(client);
    expect(errorCode).toBe(4001);
    expect(closeCode).toBe(4001);
    expect(client.all('pusher:connection_established')).toEqual([]);
  });

  it('makes pusher-js report error 4001 and stop reconnecting for an unknown key', async () => {
    const { port } = await startServer();
    const pusher = createPusherJs(port, { key: 'no-such-key' });
    const errors: any[] = [];
    pusher.connection.bind('error', (error: unknown) => errors.push(error));
    await waitForState(pusher, 'disconnected');

    const codes = errors.map((e) => e?.error?.data?.code ?? e?.data?.code);
    expect(codes).toContain(4001);
    expect(pusher.connection.socket_id).toBeUndefined();
  });

  it('refuses a disabled app with 4003', async () => {
    const disabled: TestApp = { id: 'off', key: 'off-key', secret: 'off-secret', enabled: false };
    const { port } = await startServer({ apps: [APP, disabled] });
    const client = await RawClient.connect(port, disabled.key);
    const { errorCode, closeCode } = await refusal(client);
    expect([errorCode, closeCode]).toEqual([4003, 4003]);
  });

  it("refuses a socket over the app's max_connections with 4004 and admits again after one leaves", async () => {
    const limited: TestApp = { ...APP, max_connections: 1 };
    const { port } = await startServer({ apps: [limited] });
    const first = await RawClient.established(port);

    const second = await RawClient.connect(port);
    const { errorCode, closeCode } = await refusal(second);
    expect([errorCode, closeCode]).toEqual([4004, 4004]);
    expect((await first.ping()).event).toBe('pusher:pong'); // the admitted one is unaffected

    first.close();
    await first.waitForClose();
    const third = await waitUntil(async () => {
      const candidate = await RawClient.connect(port);
      const frame = await candidate.waitFor(
        (f) => f.event === 'pusher:connection_established' || f.event === 'pusher:error',
      );
      return frame.event === 'pusher:connection_established' ? candidate : undefined;
    }, 'a connection to be admitted after the first left');
    expect(third.all('pusher:error')).toEqual([]);
  });

  it("refuses a socket over the server's maxConnections with 4100, whatever the app", async () => {
    const other: TestApp = { id: 'app-2', key: 'key-2', secret: 'secret-2' };
    const { port } = await startServer({ apps: [APP, other], maxConnections: 1 });
    await RawClient.established(port);
    const client = await RawClient.connect(port, other.key);
    const { errorCode, closeCode } = await refusal(client);
    expect([errorCode, closeCode]).toEqual([4100, 4100]);
  });

  it('refuses an Origin the app does not allow with 4009 and accepts an allowed one', async () => {
    const strict: TestApp = {
      ...APP,
      allowed_origins: ['https://good.example', 'https://*.trusted.example'],
    };
    const { port } = await startServer({ apps: [strict] });
    const open = (origin: string) => {
      const ws = new WebSocket(wsUrl(port), { origin });
      const frames: any[] = [];
      ws.on('message', (d) => frames.push(JSON.parse(d.toString())));
      ws.on('error', () => {});
      return {
        ws,
        frames,
        closed: withTimeout(
          new Promise<number>((resolve) => ws.on('close', (code) => resolve(code))),
          `close for ${origin}`,
        ),
      };
    };
    const bad = open('https://evil.example');
    expect(await bad.closed).toBe(4009);
    expect(bad.frames.map((f) => [f.event, f.data?.code])).toEqual([['pusher:error', 4009]]);

    for (const origin of ['https://good.example', 'https://app.trusted.example']) {
      const good = open(origin);
      await waitUntil(() => good.frames.length > 0, `a first frame for ${origin}`);
      expect(good.frames[0].event).toBe('pusher:connection_established');
      good.ws.terminate();
    }
  });

  it.each([['/'], ['/app'], ['/app/'], ['/apps/app-key'], ['/app/app-key/extra'], ['/socket']])(
    'answers an upgrade of %s with HTTP 404',
    async (path) => {
      const { port } = await startServer();
      expect(await upgradeStatus(port, path)).toBe(404);
      // control: the right path upgrades on the same server
      expect(await upgradeStatus(port, `/app/${APP.key}`)).toBe(101);
    },
  );
});

describe('malformed input', () => {
  const cases: Array<[string, string | Buffer, boolean]> = [
    ['malformed JSON', '{"event":"pusher:ping",', false],
    ['a JSON string', '"pusher:ping"', false],
    ['a JSON number', '42', false],
    ['JSON null', 'null', false],
    ['a JSON array', '[{"event":"pusher:ping"}]', false],
    ['an object without an event', '{"data":{}}', false],
    ['an object with a non-string event', '{"event":7}', false],
    ['a binary frame', Buffer.from(JSON.stringify({ event: 'pusher:ping', data: {} })), true],
  ];

  it.each(cases)('answers %s with pusher:error 4300 and keeps the socket usable', async (_, data, binary) => {
    const { port } = await startServer();
    const client = await RawClient.established(port);
    const from = client.mark();
    client.sendRaw(data, binary);
    const error = await client.waitFor('pusher:error', { from });
    expect(error.payload).toEqual({ code: 4300, message: expect.any(String) });
    expect(error.payload.message.length).toBeGreaterThan(0);

    expect((await client.ping()).event).toBe('pusher:pong');
    expect(client.all('pusher:pong')).toHaveLength(1); // the bad frame was not taken for a ping
    expect(client.ws.readyState).toBe(WebSocket.OPEN);
  });

  it('answers a frame over websocketMaxPayloadKb with 4300 and keeps the socket usable', async () => {
    const { port } = await startServer({ websocketMaxPayloadKb: 1 });
    const client = await RawClient.established(port);
    const from = client.mark();
    // A valid ping, padded past 1 KB: it must be refused for its size, not answered.
    client.send({ event: 'pusher:ping', data: { padding: 'x'.repeat(2048) } });
    const error = await client.waitFor('pusher:error', { from });
    expect(error.payload.code).toBe(4300);
    expect(client.all('pusher:pong')).toEqual([]);

    expect((await client.ping()).event).toBe('pusher:pong');
    expect(client.all('pusher:pong')).toHaveLength(1);
  });

  it('survives a frame far over the limit: that socket is dropped, the server keeps serving', async () => {
    const { port } = await startServer({ websocketMaxPayloadKb: 1 });
    const bystander = await RawClient.established(port);
    const abuser = await RawClient.established(port);
    abuser.sendRaw(JSON.stringify({ event: 'pusher:ping', data: 'x'.repeat(4 * 1024 * 1024) }));
    const closed = await abuser.waitForClose();
    expect(closed.code).toBe(1009); // "message too big", from the WebSocket layer

    expect((await bystander.ping()).event).toBe('pusher:pong');
    const newcomer = await RawClient.established(port);
    expect((await newcomer.ping()).event).toBe('pusher:pong');
    expect((await httpRequest(port, 'GET', '/ready')).status).toBe(200);
  });
});

describe('robustness', () => {
  it('causes no unhandled rejection or uncaught exception under hostile input', async () => {
    const problems: unknown[] = [];
    const onProblem = (reason: unknown) => problems.push(reason);
    process.on('unhandledRejection', onProblem);
    process.on('uncaughtException', onProblem);
    try {
      const { port, backend } = await startServer({ websocketMaxPayloadKb: 1 });
      const client = await RawClient.established(port);
      const hostile: unknown[] = [
        { event: 'pusher:subscribe' },
        { event: 'pusher:subscribe', data: null },
        { event: 'pusher:subscribe', data: 'private-x' },
        { event: 'pusher:subscribe', data: { channel: 42 } },
        { event: 'pusher:subscribe', data: { channel: '' } },
        { event: 'pusher:subscribe', data: { channel: 'bad channel!' } },
        { event: 'pusher:subscribe', data: { channel: '#server-to-user-1' } },
        { event: 'pusher:subscribe', data: { channel: 'private-x', auth: { nested: true } } },
        { event: 'pusher:subscribe', data: { channel: 'private-x', auth: 'no-colon' } },
        {
          event: 'pusher:subscribe',
          data: { channel: 'presence-x', auth: 'a:b', channel_data: { user_id: 1 } },
        },
        {
          event: 'pusher:subscribe',
          data: { channel: 'presence-x', auth: 'a:b', channel_data: '{not json' },
        },
        { event: 'pusher:unsubscribe' },
        { event: 'pusher:unsubscribe', data: { channel: 'never-subscribed' } },
        { event: 'pusher:unsubscribe', data: 7 },
        { event: 'client-x' },
        { event: 'client-x', channel: 5, data: {} },
        { event: 'pusher:signin', data: null },
        { event: 'unknown:event', data: [1, 2, 3] },
      ];
      for (const message of hostile) client.send(message);
      client.sendRaw(Buffer.alloc(10), true);

      // A presence subscriber that vanishes mid-subscribe, and one that closes right after joining.
      for (let i = 0; i < 5; i++) {
        const quitter = await RawClient.established(port);
        const signed = backend().authorizeChannel(quitter.socketId, 'presence-x', { user_id: `q${i}` });
        quitter.send({ event: 'pusher:subscribe', data: { channel: 'presence-x', ...signed } });
        if (i % 2 === 0) quitter.ws.terminate();
        else quitter.close();
      }

      // An HTTP client that gives up half way through a body.
      await new Promise<void>((resolve) => {
        const req = request({
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: '/apps/app-1/events',
          headers: { 'Content-Length': '1000' },
        });
        req.on('error', () => resolve());
        req.write('{"name":"half');
        setTimeout(() => {
          req.destroy();
          resolve();
        }, 50);
      });

      expect((await client.ping()).event).toBe('pusher:pong');
      expect(client.ws.readyState).toBe(WebSocket.OPEN);
      await waitUntil(
        async () =>
          (
            await backend()
              .get({ path: '/channels/presence-x/users' })
              .then((r) => r.json())
          ).users.length === 0,
        'the quitters to leave presence-x',
      );
      expect(problems).toEqual([]);
    } finally {
      process.off('unhandledRejection', onProblem);
      process.off('uncaughtException', onProblem);
    }
  });
});
