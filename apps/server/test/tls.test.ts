// `ssl.enabled`: the binary serves wss:// and https:// with a certificate generated here by openssl
// (self-signed for CN/IP 127.0.0.1), pusher-js connects over wss and the pusher SDK triggers over https.

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { join } from 'node:path';
import Pusher from 'pusher';
import PusherJs from 'pusher-js';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from './helpers.js';
import { type SockudoProcess, startSockudo } from './sockudo-process.js';

const APP = { id: 'tls-app', key: 'tls-key', secret: 'tls-secret' };

const running: SockudoProcess[] = [];
const clients: PusherJs[] = [];
const savedRejectUnauthorized = process.env.NODE_TLS_REJECT_UNAUTHORIZED;
afterEach(async () => {
  for (const client of clients.splice(0)) client.disconnect();
  await Promise.all(running.splice(0).map((p) => p.stop()));
  restoreRejectUnauthorized();
});

function restoreRejectUnauthorized(): void {
  if (savedRejectUnauthorized === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
  else process.env.NODE_TLS_REJECT_UNAUTHORIZED = savedRejectUnauthorized;
}

beforeAll(() => {
  try {
    execFileSync('openssl', ['version'], { stdio: 'pipe' });
  } catch (error) {
    throw new Error(
      `these tests generate their certificate with the openssl CLI, which is not usable: ${error}`,
    );
  }
});

/** Writes `cert.pem` and `key.pem` (encrypted with `passphrase` when given) into `dir`. */
function selfSigned(dir: string, passphrase?: string): { cert: string; key: string } {
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      ...(passphrase === undefined ? ['-nodes'] : ['-passout', `pass:${passphrase}`]),
      '-keyout',
      key,
      '-out',
      cert,
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-days',
      '1',
    ],
    { stdio: 'pipe' },
  );
  return { cert, key };
}

function config(ssl: Record<string, unknown>): object {
  return {
    host: '127.0.0.1',
    port: 0,
    app_manager: { driver: 'memory', array: { apps: [APP] } },
    ssl: { enabled: true, ...ssl },
  };
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

/** pusher-js over wss subscribes, and an event triggered with the pusher SDK over https arrives. */
async function roundTrip(port: number, certPath: string): Promise<void> {
  // pusher-js's node build opens wss:// with faye-websocket's `tls.connect`, passing no TLS options
  // and no agent, so there is no way to hand it our CA; NODE_EXTRA_CA_CERTS is read only at process
  // start. tls.connect reads NODE_TLS_REJECT_UNAUTHORIZED on every call, so it is set only until the
  // socket is subscribed (afterEach restores it too). The https trigger below runs with verification
  // back on and trusts the certificate through its agent.
  process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
  const pusher = new PusherJs(APP.key, {
    wsHost: '127.0.0.1',
    wssPort: port,
    forceTLS: true,
    // pusher-js names its WebSocket transport 'ws' whether or not it uses TLS; forceTLS makes it wss://
    // ('wss' is not a transport name: with it, pusher-js finds no transport and fails at once).
    enabledTransports: ['ws'],
    disableStats: true,
    cluster: 'mt1',
  });
  clients.push(pusher);
  const channel = pusher.subscribe('secure-news');
  await within(5000, 'subscription_succeeded over wss', (ok) =>
    channel.bind('pusher:subscription_succeeded', () => ok(null)),
  );
  restoreRejectUnauthorized();
  const received = within<unknown>(5000, 'the event over wss', (ok) => channel.bind('headline', ok));

  const backend = new Pusher({
    appId: APP.id,
    key: APP.key,
    secret: APP.secret,
    host: '127.0.0.1',
    port: String(port),
    useTLS: true,
    // Trusts exactly the self-signed certificate: a verified https connection.
    agent: new Agent({ ca: readFileSync(certPath) }),
  });
  const response = await backend.trigger('secure-news', 'headline', { text: 'encrypted in transit' });
  expect(response.status).toBe(200);
  expect(await received).toEqual({ text: 'encrypted in transit' });
}

describe('sockudo start with ssl.enabled', () => {
  it('serves wss:// to pusher-js and https:// to the pusher SDK', async () => {
    const cwd = tempDir();
    const { cert, key } = selfSigned(cwd);
    const dir = tempDir({ 'sockudo.json': config({ cert_path: cert, key_path: key }) });
    const server = await startSockudo(['-c', 'sockudo.json'], { cwd: dir });
    running.push(server);
    expect(server.output()).toContain('Sockudo listening on https://127.0.0.1:');
    await roundTrip(server.port, cert);
  });

  it('opens a passphrase-protected key with ssl.passphrase (relative paths resolve against the cwd)', async () => {
    const cwd = tempDir();
    selfSigned(cwd, 'open sesame');
    const pem = readFileSync(join(cwd, 'key.pem'), 'utf8');
    expect(pem).toContain('ENCRYPTED PRIVATE KEY');
    const configDir = tempDir({
      'sockudo.json': config({ cert_path: 'cert.pem', key_path: 'key.pem', passphrase: 'open sesame' }),
    });
    const server = await startSockudo(['-c', join(configDir, 'sockudo.json')], { cwd });
    running.push(server);
    await roundTrip(server.port, join(cwd, 'cert.pem'));
  });

  it('exits 1 naming ssl.cert_path when the certificate file does not exist', async () => {
    const cwd = tempDir();
    const { key } = selfSigned(cwd);
    const dir = tempDir({ 'sockudo.json': config({ cert_path: join(cwd, 'missing.pem'), key_path: key }) });
    const start = startSockudo(['-c', 'sockudo.json'], { cwd: dir });
    await expect(start).rejects.toThrow(/exited with 1 before listening[\s\S]*ssl\.cert_path/);
  });
});
