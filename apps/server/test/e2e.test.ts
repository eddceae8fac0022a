// The binary as a user runs it: no config at all, then a config file, with the real pusher-js client
// and the real Pusher Node SDK.

import Pusher from 'pusher';
import PusherJs from 'pusher-js';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from './helpers.js';
import { type SockudoProcess, startSockudo } from './sockudo-process.js';

const running: SockudoProcess[] = [];
const clients: PusherJs[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.disconnect();
  await Promise.all(running.splice(0).map((p) => p.stop()));
});

async function start(...args: Parameters<typeof startSockudo>): Promise<SockudoProcess> {
  const p = await startSockudo(...args);
  running.push(p);
  return p;
}

function client(port: number, key = 'app-key', options: Record<string, unknown> = {}): PusherJs {
  const c = new PusherJs(key, {
    wsHost: '127.0.0.1',
    wsPort: port,
    forceTLS: false,
    enabledTransports: ['ws'],
    disableStats: true,
    cluster: 'mt1',
    ...options,
  });
  clients.push(c);
  return c;
}

function within<T>(ms: number, what: string, executor: (resolve: (value: T) => void) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
    executor((value) => {
      clearTimeout(timer);
      resolve(value);
    });
  });
}

describe('sockudo start with no configuration', () => {
  it('serves app-key/app-id/app-secret: pusher-js connects and a signed trigger is delivered', async () => {
    const server = await start(['--host', '127.0.0.1', '--port', '0'], { cwd: tempDir() });
    expect(server.output()).toContain('default credentials in use');
    expect(server.output()).not.toContain('app-secret');

    const pusher = client(server.port);
    const channel = pusher.subscribe('my-channel');
    await within(5000, 'subscription_succeeded', (ok) =>
      channel.bind('pusher:subscription_succeeded', () => ok(null)),
    );
    const received = within(5000, 'my-event', (ok) => channel.bind('my-event', ok));
    const backend = new Pusher({
      appId: 'app-id',
      key: 'app-key',
      secret: 'app-secret',
      host: '127.0.0.1',
      port: String(server.port),
      useTLS: false,
    });
    const response = await backend.trigger('my-channel', 'my-event', { hello: 'world' });
    expect(response.status).toBe(200);
    expect(await received).toEqual({ hello: 'world' });
  });

  it('refuses an unknown key with 4001', async () => {
    const server = await start(['--host', '127.0.0.1', '--port', '0'], { cwd: tempDir() });
    const pusher = client(server.port, 'not-a-key');
    const states: string[] = [];
    pusher.connection.bind('state_change', (change: { current: string }) => states.push(change.current));
    // During the handshake pusher-js wraps the server's pusher:error in a WebSocketError.
    const error = await within<{ error?: { data?: { code?: number; message?: string } } }>(
      5000,
      'pusher:error',
      (ok) => pusher.connection.bind('error', ok),
    );
    expect(error.error?.data?.code).toBe(4001);
    expect(error.error?.data?.message).toContain('not-a-key');
    // 4001 is in the "do not reconnect" range: pusher-js stops trying instead of connecting again.
    await within(5000, 'disconnected', (ok) => {
      const poll = setInterval(() => {
        if (states.includes('disconnected')) {
          clearInterval(poll);
          ok(null);
        }
      }, 20);
    });
    expect(states).not.toContain('connected');
  });

  it('on SIGTERM closes sockets with 4200 and exits 0', async () => {
    const server = await start(['--host', '127.0.0.1', '--port', '0'], { cwd: tempDir() });
    const pusher = client(server.port);
    await within(5000, 'connected', (ok) => pusher.connection.bind('connected', () => ok(null)));
    const closed = within<{ data?: { code?: number } }>(5000, 'the 4200 error', (ok) =>
      pusher.connection.bind('error', ok),
    );
    server.child.kill('SIGTERM');
    expect((await closed).data?.code).toBe(4200);
    expect(await server.exited).toBe(0);
  });
});

describe('sockudo start -c config.json', () => {
  it('serves the apps of the file, in the flat and the policy form, with private and presence auth', async () => {
    const cwd = tempDir({
      'sockudo.json': {
        host: '127.0.0.1',
        port: 0,
        app_manager: {
          driver: 'memory',
          array: {
            apps: [
              { id: 'flat', key: 'flat-key', secret: 'flat-secret', enable_client_messages: true },
              {
                id: 'nested',
                key: 'nested-key',
                secret: 'nested-secret',
                policy: {
                  limits: { max_presence_members_per_channel: 5 },
                  features: { enable_client_messages: true },
                },
              },
            ],
          },
        },
      },
    });
    const server = await start(['-c', 'sockudo.json'], { cwd });
    expect(server.output()).not.toContain('default credentials');
    for (const [id, key, secret] of [
      ['flat', 'flat-key', 'flat-secret'],
      ['nested', 'nested-key', 'nested-secret'],
    ] as const) {
      const backend = new Pusher({
        appId: id,
        key,
        secret,
        host: '127.0.0.1',
        port: String(server.port),
        useTLS: false,
      });
      const pusher = client(server.port, key, {
        channelAuthorization: {
          customHandler: (
            { socketId, channelName }: { socketId: string; channelName: string },
            callback: (error: Error | null, auth: unknown) => void,
          ) =>
            callback(
              null,
              backend.authorizeChannel(socketId, channelName, { user_id: `u-${id}`, user_info: {} }),
            ),
        },
      });
      const presence = pusher.subscribe('presence-room');
      const members = await within<{ count: number; me: { id: string } }>(5000, `${id} presence`, (ok) =>
        presence.bind('pusher:subscription_succeeded', ok),
      );
      expect(members.count).toBe(1);
      expect(members.me.id).toBe(`u-${id}`);
      const got = within(5000, `${id} event`, (ok) => presence.bind('ev', ok));
      await backend.trigger('presence-room', 'ev', { app: id });
      expect(await got).toEqual({ app: id });
    }
  });
});

describe('sockudo start: Prometheus metrics', () => {
  it('serves /metrics on its own port, and the counters move with real traffic', async () => {
    const server = await start(['--host', '127.0.0.1', '--port', '0'], { cwd: tempDir() });
    // The metrics port opens right after the main one.
    const match = await within<RegExpExecArray>(5000, 'the metrics address', (ok) => {
      const poll = setInterval(() => {
        const found = /Metrics on http:\/\/127\.0\.0\.1:(\d+)\/metrics/.exec(server.output());
        if (found) {
          clearInterval(poll);
          ok(found);
        }
      }, 20);
    });
    const scrape = async () => (await fetch(`http://127.0.0.1:${match[1]}/metrics`)).text();

    const pusher = client(server.port);
    const channel = pusher.subscribe('metered');
    await within(5000, 'subscription_succeeded', (ok) =>
      channel.bind('pusher:subscription_succeeded', () => ok(null)),
    );
    const got = within(5000, 'event', (ok) => channel.bind('ev', ok));
    const backend = new Pusher({
      appId: 'app-id',
      key: 'app-key',
      secret: 'app-secret',
      host: '127.0.0.1',
      port: String(server.port),
      useTLS: false,
    });
    await backend.trigger('metered', 'ev', { n: 1 });
    await got;
    const text = await scrape();
    expect(text).toMatch(/^sockudo_connected\{app_id="app-id"\} 1$/m);
    expect(text).toMatch(/^sockudo_deliveries_total\{app_id="app-id"\} 1$/m);
    expect(text).toMatch(
      /^sockudo_http_calls_received_total\{[^}]*route="\/apps\/:id\/events"[^}]*status="200"[^}]*\} 1$/m,
    );
  });

  it('keeps serving clients when the metrics port is taken', async () => {
    const { createServer: createNetServer } = await import('node:net');
    const blocker = createNetServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const taken = (blocker.address() as { port: number }).port;
    try {
      const server = await start(['--host', '127.0.0.1', '--port', '0'], {
        cwd: tempDir(),
        env: { METRICS_HOST: '127.0.0.1', METRICS_PORT: String(taken) },
      });
      await within(5000, 'the metrics error', (ok) => {
        const poll = setInterval(() => {
          if (server.output().includes('continuing without metrics')) {
            clearInterval(poll);
            ok(null);
          }
        }, 20);
      });
      const up = await fetch(`http://127.0.0.1:${server.port}/up`);
      expect(up.status).toBe(200);
      await up.text();
    } finally {
      blocker.close();
    }
  });
});
