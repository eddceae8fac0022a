// A Sockudo node over a given app manager, and the two SDKs a user would point at it: pusher-js as the
// client and the `pusher` Node SDK as the backend. Every node and client made here is closed by stopAll().

import { createServer as createHttpServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type AppManagerV1,
  createServer,
  type SockudoServer,
  withTimeout as withDeadline,
} from '@sockudo/core';
import Pusher from 'pusher';
import PusherJs from 'pusher-js';

const closers: Array<() => Promise<void> | void> = [];

/** Closes every node and client started by these helpers. */
export async function stopAll(): Promise<void> {
  for (const close of closers.splice(0).reverse()) {
    try {
      await close();
    } catch {
      // already closed
    }
  }
}

export function withTimeout<T>(promise: Promise<T>, what: string, ms = 5000): Promise<T> {
  return withDeadline(promise, ms, () => new Error(`${what} did not happen within ${ms} ms`));
}

/** Starts a node on 127.0.0.1 with an OS-chosen port, serving the apps of `appManager` only. */
export async function startNode(appManager: AppManagerV1): Promise<{ server: SockudoServer; port: number }> {
  const server = createServer({ host: '127.0.0.1', port: 0, appManager });
  closers.push(() => server.close());
  const { port } = await server.listen();
  return { server, port };
}

/** A pusher-js client for `key`, over plain ws to the local node. */
export function pusherClient(port: number, key: string): PusherJs {
  const client = new PusherJs(key, {
    wsHost: '127.0.0.1',
    wsPort: port,
    forceTLS: false,
    enabledTransports: ['ws'],
    disableStats: true,
    cluster: 'mt1',
  });
  closers.push(() => client.disconnect());
  return client;
}

/** The official backend SDK, signing with the app's secret. */
export function pusherBackend(port: number, app: { id: string; key: string; secret: string }): Pusher {
  return new Pusher({
    appId: app.id,
    key: app.key,
    secret: app.secret,
    host: '127.0.0.1',
    port: String(port),
    useTLS: false,
  });
}

/** Resolves when the client is connected. */
export function connected(client: PusherJs): Promise<void> {
  return withTimeout(
    new Promise<void>((resolve) => {
      if (client.connection.state === 'connected') return resolve();
      client.connection.bind('connected', () => resolve());
    }),
    'pusher-js connecting',
  );
}

/** The code of the first pusher:error the client reports (pusher-js passes it to connection 'error'). */
export function refusalCode(client: PusherJs): Promise<number> {
  return withTimeout(
    new Promise<number>((resolve) => {
      client.connection.bind(
        'error',
        (error: { error?: { data?: { code?: unknown } }; data?: { code?: unknown } }) => {
          const code = error?.error?.data?.code ?? error?.data?.code;
          if (typeof code === 'number') resolve(code);
        },
      );
    }),
    'a pusher:error from the server',
  );
}

/** Subscribes, triggers `event` from the backend, and resolves with the data the client received. */
export async function roundTrip(
  client: PusherJs,
  backend: Pusher,
  channelName: string,
  data: unknown,
): Promise<unknown> {
  const channel = client.subscribe(channelName);
  await withTimeout(
    new Promise<void>((resolve, reject) => {
      channel.bind('pusher:subscription_succeeded', () => resolve());
      channel.bind('pusher:subscription_error', (error: unknown) => reject(new Error(JSON.stringify(error))));
    }),
    `subscribing to ${channelName}`,
  );
  const received = new Promise<unknown>((resolve) => channel.bind('greeting', resolve));
  const response = await backend.trigger(channelName, 'greeting', data);
  if (response.status !== 200) throw new Error(`trigger answered ${response.status}`);
  return withTimeout(received, 'the triggered event reaching pusher-js');
}

/** The status a WebSocket upgrade to `/app/{key}` is answered with when it is refused before upgrading. */
export function upgradeStatus(port: number, key: string): Promise<number> {
  return withTimeout(
    new Promise<number>((resolve, reject) => {
      const req = request({
        host: '127.0.0.1',
        port,
        path: `/app/${encodeURIComponent(key)}?protocol=7`,
        headers: {
          Connection: 'Upgrade',
          Upgrade: 'websocket',
          'Sec-WebSocket-Version': '13',
          'Sec-WebSocket-Key': Buffer.alloc(16, 1).toString('base64'),
        },
      });
      req.on('upgrade', (_res, socket) => {
        socket.destroy();
        resolve(101);
      });
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    }),
    'the upgrade answer',
  );
}

/** A TCP port on 127.0.0.1 that nothing listens on. */
export function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createHttpServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export { watchProcessErrors } from './process-errors.js';
