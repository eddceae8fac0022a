// Helpers of the real-process driver tests: run the binary to completion, start nodes that are stopped
// after each test, and connect the real pusher-js client and Pusher SDK to them.

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import Pusher from 'pusher';
import PusherJs from 'pusher-js';
import { afterEach } from 'vitest';
import { BIN, type SockudoProcess, startSockudo, TEST_METRICS_ENV } from './sockudo-process.js';

/** What a finished `sockudo` run printed, and how it exited. */
export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `sockudo ...args` to completion; the environment holds only PATH, HOME and `env`. */
export function runSockudo(
  args: string[],
  options: { env?: Record<string, string>; cwd?: string; timeoutMs?: number } = {},
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: options.cwd,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...TEST_METRICS_ENV, ...options.env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(
          `sockudo ${args.join(' ')} did not exit within ${options.timeoutMs ?? 15_000} ms:\n${stdout}${stderr}`,
        ),
      );
    }, options.timeoutMs ?? 15_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A short random suffix, so prefixes and table names of one run never meet another's. */
export function uniqueId(): string {
  return randomBytes(4).toString('hex');
}

const running: SockudoProcess[] = [];
const clients: PusherJs[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.disconnect();
  await Promise.all(running.splice(0).map((node) => node.stop()));
});

/** `sockudo start ...args`, stopped after the test. */
export async function startNode(...args: Parameters<typeof startSockudo>): Promise<SockudoProcess> {
  const node = await startSockudo(...args);
  running.push(node);
  return node;
}

/** Resolves with what `executor` passes on, or rejects after `ms` naming `what`. */
export function within<T>(
  ms: number,
  what: string,
  executor: (resolve: (value: T) => void) => void,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
    executor((value) => {
      clearTimeout(timer);
      resolve(value);
    });
  });
}

/** A pusher-js client of `port`, disconnected after the test. */
export function client(port: number, key: string): PusherJs {
  const pusher = new PusherJs(key, {
    wsHost: '127.0.0.1',
    wsPort: port,
    forceTLS: false,
    enabledTransports: ['ws'],
    disableStats: true,
    cluster: 'mt1',
  });
  clients.push(pusher);
  return pusher;
}

/** The Pusher server SDK pointed at `port`. */
export function backend(port: number, app: { id: string; key: string; secret: string }): Pusher {
  return new Pusher({
    appId: app.id,
    key: app.key,
    secret: app.secret,
    host: '127.0.0.1',
    port: String(port),
    useTLS: false,
  });
}

/**
 * Subscribes a client of `subscriberPort` to a channel, triggers a signed event through the HTTP API of
 * `triggerPort` (another node, or the same one) and resolves with the data that arrived.
 */
export async function triggerAcross(
  subscriberPort: number,
  triggerPort: number,
  app: { id: string; key: string; secret: string },
): Promise<unknown> {
  const channelName = `drivers-${uniqueId()}`;
  const channel = client(subscriberPort, app.key).subscribe(channelName);
  await within(5000, 'pusher:subscription_succeeded', (ok) =>
    channel.bind('pusher:subscription_succeeded', () => ok(null)),
  );
  const received = within<unknown>(5000, 'the triggered event', (ok) => channel.bind('greeting', ok));
  const response = await backend(triggerPort, app).trigger(channelName, 'greeting', { hello: 'drivers' });
  if (response.status !== 200) throw new Error(`trigger answered ${response.status}`);
  return received;
}

/** Connects with `key` and resolves with the code of the pusher:error the server answers. */
export async function refusedCode(port: number, key: string): Promise<number | undefined> {
  const error = await within<{ error?: { data?: { code?: number } } }>(5000, 'pusher:error', (ok) =>
    client(port, key).connection.bind('error', ok),
  );
  return error.error?.data?.code;
}
