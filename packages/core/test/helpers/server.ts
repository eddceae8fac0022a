// Starts real Sockudo nodes on 127.0.0.1 with an OS-chosen port, and the backend (the official
// `pusher` Node SDK) that talks to them. Every node started here is closed by `stopServers()`.

import { createServer, type ServerOptions, type SockudoServer } from '@sockudo/core';
import Pusher from 'pusher';

/** A fixed 32-byte master key for encrypted channels, shared by backends and auth handlers. */
export const MASTER_KEY = Buffer.alloc(32, 7).toString('base64');

export interface TestApp {
  id: string;
  key: string;
  secret: string;
  [setting: string]: unknown;
}

/** The app every test server serves unless told otherwise. */
export const APP: TestApp = { id: 'app-1', key: 'app-key', secret: 'app-secret' };

export interface TestServer {
  server: SockudoServer;
  port: number;
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** The first app in `apps`. */
  app: TestApp;
  /** A `pusher` SDK client for the first app (or `app`), with the encryption master key. */
  backend(app?: TestApp): Pusher;
}

const running = new Set<SockudoServer>();

/** Starts a node serving `apps` (default: {@link APP}) and listening on 127.0.0.1:0. */
export async function startServer(
  options: Omit<ServerOptions, 'apps'> & { apps?: TestApp[] } = {},
): Promise<TestServer> {
  const apps = options.apps ?? [APP];
  // The whole suite runs on either WebSocket engine: SOCKUDO_TEST_WEBSOCKET_ENGINE=lean|ws.
  const engine = process.env.SOCKUDO_TEST_WEBSOCKET_ENGINE as ServerOptions['websocketEngine'];
  const server = createServer({ websocketEngine: engine, ...options, host: '127.0.0.1', port: 0, apps });
  running.add(server);
  const { port } = await server.listen();
  return {
    server,
    port,
    url: `http://127.0.0.1:${port}`,
    app: apps[0]!,
    backend: (app = apps[0]!) => createBackend(port, app),
  };
}

/** The official server SDK pointed at a local node. */
export function createBackend(port: number, app: TestApp = APP): Pusher {
  return new Pusher({
    appId: app.id,
    key: app.key,
    secret: app.secret,
    host: '127.0.0.1',
    port: String(port),
    useTLS: false,
    encryptionMasterKeyBase64: MASTER_KEY,
  });
}

/** Closes every node started with {@link startServer}. */
export async function stopServers(gracePeriodMs = 1_000): Promise<void> {
  const servers = [...running];
  running.clear();
  await Promise.all(servers.map((server) => server.close({ gracePeriodMs })));
}
