// Two real `sockudo start` processes joined by this package, loaded the way a user's install loads it:
// by package name from the node_modules next to config.json (here a symlink to this folder). A
// pusher-js client on node B receives what the Pusher SDK triggers on node A, and presence membership
// is one list across both nodes.

import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Pusher from 'pusher';
import PusherJs from 'pusher-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PG_URL, requirePostgres } from '../postgres.js';

const require = createRequire(import.meta.url);
/** The workspace's built `sockudo` binary. */
const BIN = join(dirname(require.resolve('@sockudo/server/package.json')), 'dist/bin.js');
const PACKAGE_DIRECTORY = fileURLToPath(new URL('../..', import.meta.url));
// Events up to 64 KB, so one trigger crosses NOTIFY's 8000-byte limit and travels in chunks.
const APP = { id: 'e2e-app', key: 'e2e-key', secret: 'e2e-secret', max_event_payload_in_kb: 64 };

interface Node {
  port: number;
  child: ChildProcess;
  output(): string;
}

const children: ChildProcess[] = [];
const clients: PusherJs[] = [];
let folder = '';

function startNode(cwd: string): Promise<Node> {
  const child = spawn(process.execPath, [BIN, 'start', '--config', 'config.json'], {
    cwd,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      METRICS_HOST: '127.0.0.1',
      METRICS_PORT: '0',
      // config.json reads the connection string from the environment, as a deployment would.
      PG_NOTIFY_URL: PG_URL,
    },
  });
  children.push(child);
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`sockudo did not start within 15 s:\n${output}`)),
      15_000,
    );
    const onData = () => {
      const match = /Sockudo listening on http:\/\/[^:]+:(\d+)/.exec(output);
      if (!match) return;
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      resolve({ port: Number(match[1]), child, output: () => output });
    };
    child.stdout?.on('data', onData);
    child.on('close', (code) => {
      clearTimeout(timer);
      reject(new Error(`sockudo exited with ${code} before listening:\n${output}`));
    });
  });
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('close', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
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

function backend(port: number): Pusher {
  return new Pusher({
    appId: APP.id,
    key: APP.key,
    secret: APP.secret,
    host: '127.0.0.1',
    port: String(port),
    useTLS: false,
  });
}

function client(port: number, userId: string): PusherJs {
  const signer = backend(port);
  const pusher = new PusherJs(APP.key, {
    wsHost: '127.0.0.1',
    wsPort: port,
    forceTLS: false,
    enabledTransports: ['ws'],
    disableStats: true,
    cluster: 'mt1',
    channelAuthorization: {
      endpoint: '/unused',
      transport: 'ajax',
      customHandler: ({ socketId, channelName }, callback) =>
        callback(null, signer.authorizeChannel(socketId, channelName, { user_id: userId, user_info: {} })),
    },
  });
  clients.push(pusher);
  return pusher;
}

describe('two sockudo nodes over sockudo-adapter-pg-notify', () => {
  let a: Node;
  let b: Node;

  beforeAll(async () => {
    await requirePostgres();
    folder = mkdtempSync(join(tmpdir(), 'sockudo-pg-notify-e2e-'));
    // What `npm i sockudo-adapter-pg-notify` next to config.json leaves: node_modules/<name>.
    mkdirSync(join(folder, 'node_modules'));
    symlinkSync(PACKAGE_DIRECTORY, join(folder, 'node_modules/sockudo-adapter-pg-notify'), 'dir');
    writeFileSync(
      join(folder, 'config.json'),
      JSON.stringify({
        host: '127.0.0.1',
        port: 0,
        adapter: {
          driver: 'sockudo-adapter-pg-notify',
          options: { url: `\${PG_NOTIFY_URL}`, prefix: `sockudo-e2e-${randomUUID()}` },
          fallback_to_local: false,
          cluster_health: { heartbeat_interval_ms: 500, node_timeout_ms: 3000 },
        },
        app_manager: { driver: 'memory', array: { apps: [APP] } },
      }),
    );
    [a, b] = await Promise.all([startNode(folder), startNode(folder)]);
  }, 40_000);

  afterAll(async () => {
    for (const pusher of clients.splice(0)) pusher.disconnect();
    await Promise.all(children.splice(0).map(stop));
    if (folder !== '') rmSync(folder, { recursive: true, force: true });
  });

  it('both nodes run the package adapter', () => {
    for (const node of [a, b]) {
      expect(node.output()).toMatch(/Sockudo listening on .*adapter.*sockudo-adapter-pg-notify/);
    }
  });

  it('an event triggered through the HTTP API of node A reaches a pusher-js client on node B', async () => {
    const pusher = client(b.port, 'reader');
    const channel = pusher.subscribe('news');
    await within(10_000, 'subscription on node B', (ok) =>
      channel.bind('pusher:subscription_succeeded', () => ok(null)),
    );
    const received = within<unknown>(10_000, 'the event on node B', (ok) => channel.bind('headline', ok));
    await backend(a.port).trigger('news', 'headline', { text: 'from node A', big: 'ü'.repeat(20_000) });
    expect(await received).toEqual({ text: 'from node A', big: 'ü'.repeat(20_000) });
  });

  it('presence membership is cluster-wide', async () => {
    const alice = client(a.port, 'alice').subscribe('presence-room');
    await within(10_000, 'alice joins on node A', (ok) =>
      alice.bind('pusher:subscription_succeeded', () => ok(null)),
    );
    const aliceSeesBob = within<{ id: string }>(10_000, 'member_added on node A', (ok) =>
      alice.bind('pusher:member_added', ok),
    );
    // A V1 transport gives no moment at which node B has surely heard of alice's join (NOTIFY reaches
    // it when it reaches it), so wait for node B to know her before bob joins there.
    const deadline = Date.now() + 10_000;
    for (;;) {
      const response = await backend(b.port).get({ path: '/channels/presence-room/users' });
      const { users } = (await response.json()) as { users: Array<{ id: string }> };
      if (users.some((user) => user.id === 'alice')) break;
      if (Date.now() > deadline) throw new Error('node B never learned that alice joined on node A');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const bob = client(b.port, 'bob').subscribe('presence-room');
    const bobsView = await within<{ count: number; each(fn: (member: { id: string }) => void): void }>(
      10_000,
      'bob joins on node B',
      (ok) => bob.bind('pusher:subscription_succeeded', ok),
    );
    const ids: string[] = [];
    bobsView.each((member) => ids.push(member.id));
    expect(ids.sort()).toEqual(['alice', 'bob']);
    expect((await aliceSeesBob).id).toBe('bob');

    // The HTTP API of either node answers for the whole cluster.
    for (const node of [a, b]) {
      const response = await backend(node.port).get({ path: '/channels/presence-room/users' });
      const body = (await response.json()) as { users: Array<{ id: string }> };
      expect(body.users.map((user) => user.id).sort()).toEqual(['alice', 'bob']);
    }
  });
});
