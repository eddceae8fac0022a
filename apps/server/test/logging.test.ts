// The real `sockudo` binary, with a config full of recognizable secrets, driven through good and bad
// traffic and through failed starts: no secret may reach stdout or stderr, in text or JSON logs.

import { type ChildProcess, spawn } from 'node:child_process';
import { request } from 'node:http';
import PusherJs from 'pusher-js';
import { afterEach, describe, expect, it } from 'vitest';
import { backend, triggerAcross, within } from './driver-helpers.js';
import { tempDir } from './helpers.js';
import { BIN, TEST_METRICS_ENV } from './sockudo-process.js';

const APP_SECRET = 'AppSecretLeakCanary7f3a';
const DB_PASSWORD = 'DbPasswordLeakCanary91c2';
const REDIS_PASSWORD = 'RedisPasswordLeakCanary5b8e';
const SECRETS = [APP_SECRET, DB_PASSWORD, REDIS_PASSWORD];
const APP = { id: 'leak-app', key: 'leak-key', secret: APP_SECRET };

interface Run {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

const children: ChildProcess[] = [];
const clients: PusherJs[] = [];
afterEach(() => {
  for (const client of clients.splice(0)) client.disconnect();
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

function run(config: object, env: Record<string, string>, args: string[] = []): Run {
  const cwd = tempDir({ 'sockudo.json': config });
  const child = spawn(
    process.execPath,
    [BIN, 'start', '-c', 'sockudo.json', '--host', '127.0.0.1', '--port', '0', ...args],
    {
      cwd,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...TEST_METRICS_ENV, ...env },
    },
  );
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

async function listeningPort(node: Run): Promise<number> {
  return within<number>(15_000, `"Sockudo listening" in:\n${node.stdout()}${node.stderr()}`, (ok) => {
    const check = () => {
      const match = /Sockudo listening on http:\/\/[^:]+:(\d+)/.exec(node.stdout());
      if (match) {
        node.child.stdout?.off('data', check);
        ok(Number(match[1]));
      }
    };
    node.child.stdout?.on('data', check);
    check();
  });
}

function pusherClient(port: number, key: string, options: Record<string, unknown> = {}): PusherJs {
  const client = new PusherJs(key, {
    wsHost: '127.0.0.1',
    wsPort: port,
    forceTLS: false,
    enabledTransports: ['ws'],
    disableStats: true,
    cluster: 'mt1',
    ...options,
  });
  clients.push(client);
  return client;
}

function httpStatus(port: number, path: string): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path }, (response) => {
      response.resume();
      resolve(response.statusCode);
    })
      .on('error', reject)
      .end();
  });
}

/** Asserts the output holds no secret and, for JSON, is one object per line with level, time and msg. */
function expectSafeOutput(node: Run, format: 'text' | 'json'): void {
  const output = node.stdout() + node.stderr();
  for (const secret of SECRETS) expect(output, `${secret} leaked`).not.toContain(secret);
  const lines = node
    .stdout()
    .split('\n')
    .filter((line) => line !== '');
  expect(lines.length).toBeGreaterThan(0);
  for (const line of lines) {
    if (format === 'json') {
      const entry = JSON.parse(line) as Record<string, unknown>;
      expect(typeof entry.level, line).toBe('string');
      expect(typeof entry.time, line).toBe('string');
      expect(typeof entry.msg, line).toBe('string');
      expect(Number.isNaN(Date.parse(String(entry.time)))).toBe(false);
    } else {
      expect(() => JSON.parse(line)).toThrow();
    }
  }
}

const servingConfig = {
  debug: true,
  app_manager: { driver: 'memory', array: { apps: [{ ...APP, enable_client_messages: true }] } },
  database: {
    mysql: { host: '127.0.0.1', port: 3306, username: 'root', password: DB_PASSWORD },
    // The Redis of the machine needs no password; the URL carries one all the same.
    redis: { url: `redis://:${REDIS_PASSWORD}@127.0.0.1:6379` },
  },
  cache: { driver: 'redis' },
  rate_limiter: { driver: 'redis' },
};

describe.each(['text', 'json'] as const)('LOG_OUTPUT_FORMAT=%s', (format) => {
  it('never prints a secret while serving good and bad traffic, and logs in the chosen format', async () => {
    const node = run(servingConfig, { LOG_OUTPUT_FORMAT: format });
    const port = await listeningPort(node);

    // A good trigger, delivered.
    expect(await triggerAcross(port, port, APP)).toEqual({ hello: 'drivers' });
    // A trigger signed with the wrong secret.
    const wrong = backend(port, { ...APP, secret: 'not-the-secret' });
    await expect(wrong.trigger('leaks', 'ev', {})).rejects.toMatchObject({ status: 401 });
    // An API call with a bad signature, and an unknown app.
    expect(await httpStatus(port, `/apps/${APP.id}/channels?auth_key=${APP.key}&auth_signature=bad`)).toBe(
      401,
    );
    const unknown = await within<{ error?: { data?: { code?: number } } }>(5000, 'pusher:error', (ok) =>
      pusherClient(port, 'no-such-key').connection.bind('error', ok),
    );
    expect(unknown.error?.data?.code).toBe(4001);
    // A private channel with a forged signature.
    const forged = pusherClient(port, APP.key, {
      channelAuthorization: {
        customHandler: (_params: unknown, callback: (error: Error | null, auth: unknown) => void) =>
          callback(null, { auth: `${APP.key}:${'0'.repeat(64)}` }),
      },
    });
    const refused = forged.subscribe('private-secret-room');
    await within(5000, 'pusher:subscription_error', (ok) => refused.bind('pusher:subscription_error', ok));

    node.child.kill('SIGTERM');
    expect(await node.exited).toBe(0);
    expectSafeOutput(node, format);
    expect(node.stdout()).toContain('Sockudo stopped');
  });

  it.each([
    [
      'an unreachable Redis adapter whose URL has a password',
      {
        adapter: {
          driver: 'redis',
          fallback_to_local: false,
          redis: { redis_pub_options: { url: `redis://:${REDIS_PASSWORD}@127.0.0.1:1` } },
        },
        database: { redis: { url: `redis://:${REDIS_PASSWORD}@127.0.0.1:1` } },
      },
    ],
    [
      'a MySQL app manager with the wrong password',
      {
        app_manager: { driver: 'mysql' },
        database: { mysql: { host: '127.0.0.1', port: 3306, username: 'root', password: DB_PASSWORD } },
      },
    ],
  ])('never prints a secret when the start fails: %s', async (_name, config) => {
    const node = run(
      { debug: true, ...config, app_manager: { ...config.app_manager, array: { apps: [APP] } } },
      {
        LOG_OUTPUT_FORMAT: format,
      },
    );
    expect(await node.exited).toBe(1);
    expect(node.stdout()).toContain('failed to start');
    expectSafeOutput(node, format);
  });
});

describe('LOG_LEVEL', () => {
  it('exits 1 before listening, naming LOG_LEVEL and the levels, for an unknown level', async () => {
    const node = run({ app_manager: { driver: 'memory', array: { apps: [APP] } } }, { LOG_LEVEL: 'verbose' });
    expect(await node.exited).toBe(1);
    expect(node.stderr()).toContain(
      'LOG_LEVEL (env): expected one of trace, debug, info, warn, error, fatal, silent, got "verbose"',
    );
    expect(node.stdout()).not.toContain('listening');
  });
});

describe('sockudo start --workers 2', () => {
  it('logs each worker with a worker binding, and the primary without one', async () => {
    const node = run(
      { app_manager: { driver: 'memory', array: { apps: [APP] } } },
      { LOG_OUTPUT_FORMAT: 'json' },
      ['--workers', '2'],
    );
    await listeningPort(node);
    // Worker 1 serves the metrics port and takes stop requests once that is up.
    await within(10_000, 'the metrics port', (ok) => {
      const check = () => node.stdout().includes('Metrics on') && ok(null);
      node.child.stdout?.on('data', check);
      check();
    });
    node.child.kill('SIGTERM');
    expect(await node.exited).toBe(0);
    expectSafeOutput(node, 'json');
    const entries = node
      .stdout()
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as { worker?: number; msg: string });
    const ready = entries.filter((entry) => /^worker \d ready on/.test(entry.msg));
    expect(ready.map((entry) => entry.worker).sort()).toEqual([1, 2]);
    expect(entries.find((entry) => entry.msg.startsWith('Sockudo listening'))?.worker).toBeUndefined();
  });
});
