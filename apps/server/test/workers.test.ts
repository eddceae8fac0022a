// `sockudo start --workers 2` as a user runs it: two worker processes on one port behave as one server
// (local adapter: the in-box IPC transport joins them), with the real pusher-js client and Pusher SDK.

import { EventEmitter } from 'node:events';
import { get } from 'node:http';
import Pusher from 'pusher';
import PusherJs from 'pusher-js';
import { afterEach, describe, expect, it } from 'vitest';
import { checkConfig } from '../src/index.js';
import { createIpcTransport, type IpcPeer, relayIpcTransport } from '../src/process/ipc-transport.js';
import { tempDir } from './helpers.js';
import { type SockudoProcess, startSockudo } from './sockudo-process.js';

const CLIENTS = 20;
const WAIT_MS = 10_000;

const running: SockudoProcess[] = [];
const clients: PusherJs[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.disconnect();
  await Promise.all(running.splice(0).map((p) => p.stop()));
});

async function start(): Promise<SockudoProcess> {
  const p = await startSockudo(['--host', '127.0.0.1', '--port', '0', '--workers', '2'], {
    cwd: tempDir(),
    timeoutMs: 20_000,
  });
  running.push(p);
  return p;
}

function backendFor(port: number): Pusher {
  return new Pusher({
    appId: 'app-id',
    key: 'app-key',
    secret: 'app-secret',
    host: '127.0.0.1',
    port: String(port),
    useTLS: false,
  });
}

function client(port: number, backend: Pusher, userId: string): PusherJs {
  const c = new PusherJs('app-key', {
    wsHost: '127.0.0.1',
    wsPort: port,
    forceTLS: false,
    enabledTransports: ['ws'],
    disableStats: true,
    cluster: 'mt1',
    channelAuthorization: {
      customHandler: (
        { socketId, channelName }: { socketId: string; channelName: string },
        callback: (error: Error | null, auth: unknown) => void,
      ) =>
        callback(null, backend.authorizeChannel(socketId, channelName, { user_id: userId, user_info: {} })),
    } as never,
  });
  clients.push(c);
  return c;
}

/** Resolves once `check()` is true (polled), or fails after `ms` naming `what`. */
function until(what: string, check: () => boolean | Promise<boolean>, ms = WAIT_MS): Promise<void> {
  const deadline = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const poll = async (): Promise<void> => {
      try {
        if (await check()) return resolve();
      } catch {
        // not yet
      }
      if (Date.now() > deadline) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(poll, 25);
    };
    void poll();
  });
}

/** GET over a fresh TCP connection (so successive requests can land on different workers). */
function freshGet(port: number, path: string): Promise<{ worker: string; body: string }> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path, agent: false }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ worker: String(response.headers['x-sockudo-worker']), body }));
    }).on('error', reject);
  });
}

interface Joined {
  pushers: PusherJs[];
  channels: ReturnType<PusherJs['subscribe']>[];
}

/** CLIENTS pusher-js clients, each subscribed to presence-room as its own user. */
async function joinAll(port: number, backend: Pusher): Promise<Joined> {
  const pushers: PusherJs[] = [];
  const channels: Joined['channels'] = [];
  let subscribed = 0;
  for (let i = 0; i < CLIENTS; i += 1) {
    const pusher = client(port, backend, `user-${i}`);
    const channel = pusher.subscribe('presence-room');
    channel.bind('pusher:subscription_succeeded', () => (subscribed += 1));
    pushers.push(pusher);
    channels.push(channel);
  }
  await until(`${CLIENTS} subscriptions`, () => subscribed === CLIENTS);
  return { pushers, channels };
}

/** Each worker's own connection count, from `GET /usage` over fresh connections until both answered. */
async function connectionsPerWorker(port: number): Promise<Map<string, number>> {
  const seen = new Map<string, number>();
  for (let attempt = 0; attempt < 100 && seen.size < 2; attempt += 1) {
    const { worker, body } = await freshGet(port, '/usage');
    seen.set(worker, (JSON.parse(body) as { connections: number }).connections);
  }
  return seen;
}

describe('sockudo start --workers 2 (local adapter)', () => {
  it('serves clients from both workers as one server: presence, user counts and triggers', async () => {
    const server = await start();
    expect(server.output()).toMatch(/Sockudo listening on http:\/\/127\.0\.0\.1:\d+ \(2 workers\)/);
    expect(server.output().match(/Sockudo listening on/g)).toHaveLength(1);
    const backend = backendFor(server.port);
    const { channels } = await joinAll(server.port, backend);

    // Both workers serve some of the clients.
    const perWorker = await connectionsPerWorker(server.port);
    expect([...perWorker.keys()].sort()).toEqual(['1', '2']);
    expect(perWorker.get('1')).toBeGreaterThan(0);
    expect(perWorker.get('2')).toBeGreaterThan(0);
    expect(perWorker.get('1')! + perWorker.get('2')!).toBe(CLIENTS);

    // Every client lists every member, whichever worker either is on.
    await until('every client to list all members', () =>
      channels.every(
        (channel) => (channel as unknown as { members: { count: number } }).members.count === CLIENTS,
      ),
    );

    // The HTTP API answers the same from either worker.
    for (let i = 0; i < 4; i += 1) {
      const users = await backend.get({ path: '/channels/presence-room/users' });
      const ids = ((await users.json()) as { users: Array<{ id: string }> }).users.map((u) => u.id).sort();
      expect(ids).toEqual(Array.from({ length: CLIENTS }, (_, n) => `user-${n}`).sort());
      const list = await backend.get({
        path: '/channels',
        params: { filter_by_prefix: 'presence-', info: 'user_count' },
      });
      expect(await list.json()).toEqual({ channels: { 'presence-room': { user_count: CLIENTS } } });
    }

    // Triggers sent over HTTP (landing on either worker) reach every client exactly once.
    const received = channels.map(() => [] as number[]);
    channels.forEach((channel, i) => {
      channel.bind('ev', (data: { n: number }) => received[i]!.push(data.n));
    });
    const TRIGGERS = 6;
    for (let n = 1; n <= TRIGGERS; n += 1) {
      const response = await backend.trigger('presence-room', 'ev', { n });
      expect(response.status).toBe(200);
    }
    await until('every trigger at every client', () => received.every((got) => got.length >= TRIGGERS));
    for (const got of received) expect([...got].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('on SIGTERM every client gets 4200 and the primary exits 0', async () => {
    const server = await start();
    const backend = backendFor(server.port);
    const { pushers } = await joinAll(server.port, backend);
    const perWorker = await connectionsPerWorker(server.port);
    expect(perWorker.size).toBe(2);

    // The first close code each client sees. (A client of the worker that closes first reconnects at
    // once, as 4200 asks, and may reach the other worker while it drains: it then sees 4200 again.)
    const codes: Array<number | undefined> = pushers.map(() => undefined);
    pushers.forEach((pusher, i) => {
      pusher.connection.bind('error', (error: { data?: { code?: number } }) => {
        codes[i] ??= error.data?.code;
      });
    });
    server.child.kill('SIGTERM');
    await until('4200 at every client', () => codes.every((code) => code !== undefined));
    expect(codes).toEqual(Array(CLIENTS).fill(4200));
    expect(await server.exited).toBe(0);
    expect(server.output()).toContain('Sockudo stopped');
  });

  it('restarts a worker that crashes, and the restarted worker serves again', async () => {
    const server = await start();
    const pid = Number(/worker 2 ready on \S+ .*\bpid=(\d+)/.exec(server.output())?.[1]);
    expect(pid).toBeGreaterThan(0);
    process.kill(pid, 'SIGKILL');
    await until('the restart', () => /worker 2 \(pid \d+\) is serving again/.test(server.output()));
    expect(server.output()).toContain(`worker 2 (pid ${pid}) exited with signal SIGKILL; restarting`);
    const perWorker = await connectionsPerWorker(server.port);
    expect([...perWorker.keys()].sort()).toEqual(['1', '2']);
    expect(await server.stop()).toBe(0);
  });
});

describe('the in-box IPC transport', () => {
  /** A worker's `process` and the primary's `worker` for it, joined like a real IPC channel. */
  function pair(primary: EventEmitter): { channel: EventEmitter & { send: unknown }; peer: IpcPeer } {
    const channel = Object.assign(new EventEmitter(), {
      connected: true,
      send(message: unknown, callback?: (error: Error | null) => void) {
        setImmediate(() => {
          primary.emit('message', peer, structuredClone(message));
          callback?.(null);
        });
        return true;
      },
    });
    const peer: IpcPeer = {
      isConnected: () => true,
      send(message, callback) {
        setImmediate(() => {
          channel.emit('message', structuredClone(message));
          callback?.(null);
        });
        return true;
      },
    };
    return { channel, peer };
  }

  it('relays every message to every worker, the sender included, and ignores other IPC', async () => {
    const primary = new EventEmitter();
    const a = pair(primary);
    const b = pair(primary);
    const stop = relayIpcTransport(() => [a.peer, b.peer], primary as never);
    const got: string[] = [];
    const handlers = (name: string) => ({
      onBroadcast: (p: Uint8Array | string) => got.push(`${name} b ${p}`),
      onRequest: (p: Uint8Array | string) => got.push(`${name} q ${p}`),
      onResponse: (p: Uint8Array | string) => got.push(`${name} r ${p}`),
    });
    const ta = createIpcTransport(a.channel as never);
    const tb = createIpcTransport(b.channel as never);
    await ta.start(handlers('a'));
    await tb.start(handlers('b'));
    await ta.publishBroadcast('x');
    await tb.publishRequest('y');
    await ta.publishResponse('z');
    a.channel.emit('message', { tag: 'something else', k: 'b', p: 'no' });
    await until('six deliveries', () => got.length === 6);
    expect(got.sort()).toEqual(['a b x', 'a q y', 'a r z', 'b b x', 'b q y', 'b r z']);
    await tb.close();
    await ta.publishBroadcast('after');
    await until('one more delivery', () => got.length === 7);
    expect(got.at(-1)).toBe('a b after');
    stop();
  });

  it('fails to publish once the channel to the primary is closed', async () => {
    const channel = Object.assign(new EventEmitter(), { connected: false, send: () => true });
    const transport = createIpcTransport(channel as never);
    await expect(transport.publishBroadcast('x')).rejects.toThrow(/IPC channel/);
    await expect(transport.checkHealth()).rejects.toThrow(/IPC channel/);
  });
});

describe('the workers setting', () => {
  const workers = (env: Record<string, string>, flags: { workers?: string } = {}) =>
    checkConfig({ cwd: tempDir(), env, flags });

  it('defaults to 1, takes SOCKUDO_WORKERS and --workers, and reads auto as 0', () => {
    expect(workers({}).config?.workers).toBe(1);
    expect(workers({ SOCKUDO_WORKERS: '4' }).config?.workers).toBe(4);
    expect(workers({ SOCKUDO_WORKERS: 'auto' }).config?.workers).toBe(0);
    expect(workers({ SOCKUDO_WORKERS: '4' }, { workers: 'AUTO' }).config?.workers).toBe(0);
    expect(workers({}, { workers: '2' }).config?.workers).toBe(2);
  });

  it('rejects anything else, naming the flag or variable', () => {
    expect(workers({}, { workers: 'many' }).errors.map((e) => e.message)).toEqual([
      '--workers: expected a non-negative integer or "auto", got "many"',
    ]);
    expect(workers({ SOCKUDO_WORKERS: '-1' }).errors[0]?.message).toContain('SOCKUDO_WORKERS');
  });
});
