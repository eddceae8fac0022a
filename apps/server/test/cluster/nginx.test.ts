// deploy/nginx/nginx.conf, run for real: a copy rendered with this test's ports, nginx in the
// foreground with a temp prefix, two `sockudo start` instances (redis adapter) behind it.

import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '@sockudo/test-helpers/services';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { redisBroker } from './brokers.js';
import { apiGet, backendFor, httpStatus, startCluster, testApp } from './nodes.js';
import { Scope, tempDir } from './scope.js';
import { flush, is, type Tab, Tabs } from './tabs.js';
import { eventually, uid, withTimeout } from './waits.js';

const EXAMPLE = fileURLToPath(new URL('../../../../deploy/nginx/nginx.conf', import.meta.url));

/**
 * The example config with the test's listen port and upstream instances. Everything else is kept as
 * shipped; the test adds only what a throwaway nginx in a temp prefix needs (logs and temp files in the
 * prefix, and `user root` when run as root so the workers may use that directory).
 */
function renderNginxConf(example: string, listenPort: number, upstreamPorts: number[]): string {
  let conf = example;
  const upstream = /upstream sockudo \{([\s\S]*?)\}/.exec(conf);
  if (!upstream) throw new Error('deploy/nginx/nginx.conf has no `upstream sockudo { ... }` block');
  const servers = upstreamPorts.map((port) => `    server 127.0.0.1:${port};`).join('\n');
  const body = upstream[1]!.replace(/^\s*server\s+[^;]+;.*$/gm, '').replace(/^\s*\n/gm, '');
  conf = conf.replace(upstream[0], `upstream sockudo {\n${servers}\n${body}  }`);
  if (!/^\s*listen\s+80;/m.test(conf)) throw new Error('deploy/nginx/nginx.conf does not `listen 80;`');
  conf = conf.replace(/^(\s*)listen\s+80;/m, `$1listen 127.0.0.1:${listenPort};`);
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
    .map((kind) => `  ${kind}_temp_path temp/${kind};`)
    .join('\n');
  conf = conf.replace(/^http \{$/m, `http {\n${temp}\n`);
  if (process.getuid?.() === 0) conf = `user root;\n${conf}`;
  return conf;
}

function requireNginx(): void {
  const probe = spawnSync('nginx', ['-v'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new Error(
      'nginx is not installed (or not on PATH). Run `bash scripts/services.sh start`, which installs it with apt-get.',
    );
  }
}

describe('nginx in front of two instances (deploy/nginx/nginx.conf)', () => {
  const scope = new Scope();
  const tabs = new Tabs();
  afterEach(() => tabs.closeAll());
  afterAll(() => scope.close(), 30_000);

  it('balances pusher-js over both instances, and a trigger sent to either one reaches everyone', async () => {
    requireNginx();
    const broker = redisBroker();
    await broker.require();
    const app = testApp();
    const [one, two] = await startCluster(scope, 2, broker.adapter(`sockudo_test_${uid()}`), app);
    if (!one || !two) throw new Error('instances did not start');

    const prefix = tempDir(scope);
    for (const dir of ['logs', 'temp']) mkdirSync(join(prefix, dir));
    const port = await freePort();
    const confPath = join(prefix, 'nginx.conf');
    writeFileSync(confPath, renderNginxConf(readFileSync(EXAMPLE, 'utf8'), port, [one.port, two.port]));

    let output = '';
    const nginx: ChildProcess = spawn(
      'nginx',
      [
        '-p',
        prefix,
        '-c',
        confPath,
        '-e',
        join(prefix, 'logs/error.log'),
        '-g',
        `daemon off; pid ${join(prefix, 'nginx.pid')};`,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    nginx.stdout?.on('data', (chunk) => (output += chunk));
    nginx.stderr?.on('data', (chunk) => (output += chunk));
    const exited = new Promise<number | null>((resolve) => nginx.once('close', resolve));
    const killOnExit = () => nginx.kill('SIGKILL');
    process.once('exit', killOnExit);
    scope.defer(async () => {
      process.off('exit', killOnExit);
      if (nginx.exitCode !== null || nginx.signalCode !== null) return;
      nginx.kill('SIGTERM'); // fast shutdown; open WebSockets are cut
      await withTimeout(exited, 'nginx to stop').catch(() => nginx.kill('SIGKILL'));
    });
    const errorLog = () => {
      try {
        return readFileSync(join(prefix, 'logs/error.log'), 'utf8');
      } catch {
        return '';
      }
    };
    await eventually('nginx to proxy /up', async () => {
      if (nginx.exitCode !== null) {
        throw new Error(`nginx exited with ${nginx.exitCode}: ${output}\n${errorLog()}`);
      }
      expect(await httpStatus(port, '/up')).toBe(200);
    });

    // Clients (and this backend) only know the load balancer.
    const throughLb = backendFor(app, port);
    const lb = { ...one, name: 'nginx', port, backend: throughLb };
    const channel = `private-lb-${uid()}`;
    const clients: Tab[] = [];
    for (let i = 0; i < 4; i++) {
      const tab = await tabs.add(`lb-tab${i}`, lb);
      await tab.subscribe(channel);
      clients.push(tab);
    }
    // Round robin spread them over both instances.
    for (const instance of [one, two]) {
      const usage = (await (
        await fetch(`http://127.0.0.1:${instance.port}/usage`, { signal: AbortSignal.timeout(5000) })
      ).json()) as {
        connections: number;
      };
      expect(usage.connections, `connections on ${instance.name}`).toBeGreaterThan(0);
    }

    // A trigger sent straight to either instance reaches every client, whichever instance holds it.
    await one.backend.trigger(channel, 'hello', { via: 'one' });
    await two.backend.trigger(channel, 'hello', { via: 'two' });
    // And the HTTP API works through the load balancer too.
    await throughLb.trigger(channel, 'hello', { via: 'nginx' });
    await flush(channel, [one, two], clients);
    for (const tab of clients) {
      await tab.waitFor(
        is('hello', channel, (d) => d?.via === 'nginx'),
        'the trigger sent through nginx',
      );
      expect(
        tab
          .all(is('hello', channel))
          .map((m) => m.data.via)
          .sort(),
        tab.name,
      ).toEqual(['nginx', 'one', 'two']);
    }
    const info = await apiGet(lb, `/channels/${channel}`, { info: 'subscription_count' });
    expect(info).toEqual({ occupied: true, subscription_count: 4 });
    expect(clients.every((tab) => tab.state === 'connected')).toBe(true);
    expect(errorLog()).not.toMatch(/\[(emerg|alert|crit)\]/);
  }, 60_000);
});
