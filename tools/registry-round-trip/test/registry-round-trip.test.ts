// The release path end to end: every public workspace package is published with `pnpm -r publish` (what
// `changeset publish` runs) to a throwaway verdaccio, then installed from it with plain npm in folders
// outside the workspace and run: `sockudo start` from a global install, and examples/custom-server from a
// fresh project. Real Redis, MariaDB, pusher-js and the `pusher` SDK throughout.

import { randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connected, pusherBackend, pusherClient, roundTrip, stopAll } from '@sockudo/test-helpers/end-to-end';
import { RABBITMQ_URL, REDIS_URL, requireRabbitMq, requireService } from '@sockudo/test-helpers/services';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, run, type ServerProcess, startServer } from './processes.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const HERE = fileURLToPath(new URL('../', import.meta.url));
const INSTALL_TIMEOUT_MS = 240_000;

interface Manifest {
  name: string;
  version: string;
  private?: boolean;
  main?: string;
  types?: string;
  bin?: Record<string, string>;
  publishConfig?: Record<string, unknown>;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  dist?: { tarball: string };
}

const readManifest = (dir: string): Manifest => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));

/** Every package `pnpm -r publish` will publish: the non-private ones under packages/ and apps/. */
const publishable = ['packages', 'apps'].flatMap((parent) =>
  readdirSync(join(REPO, parent))
    .map((name) => join(REPO, parent, name))
    .filter((dir) => existsSync(join(dir, 'package.json')))
    .map((dir) => ({ dir, manifest: readManifest(dir) }))
    .filter(({ manifest }) => !manifest.private),
);
const versionOf = new Map(publishable.map(({ manifest }) => [manifest.name, manifest.version]));
const serverVersion = versionOf.get('@sockudo/server');

const id = randomBytes(6).toString('hex');
const app = { id: `app-${id}`, key: `key-${id}`, secret: `secret-${id}` };
const table = `registry_round_trip_${id}`;

let root = '';
let registry = '';
let env: NodeJS.ProcessEnv = {};
let publishEnv: NodeJS.ProcessEnv = {};
let published = false;
let verdaccio: ServerProcess | undefined;
const servers: ServerProcess[] = [];
const timings: string[] = [];

async function timed<T>(step: string, work: () => Promise<T>): Promise<T> {
  const started = Date.now();
  try {
    return await work();
  } finally {
    timings.push(`${step}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
}

/** npm with the temporary userconfig and cache, against the local registry only. */
async function npm(args: string[], cwd: string): Promise<string> {
  try {
    return await run('npm', [...args, '--registry', registry], { cwd, env, timeoutMs: INSTALL_TIMEOUT_MS });
  } catch (error) {
    // An uplink failure shows up in npm's output only as a 404; the registry's log says why.
    throw new Error(
      `${(error as Error).message}\nThe registry's log:\n${verdaccio?.output().slice(-20_000)}`,
    );
  }
}

function requirePublished(): void {
  if (!published) throw new Error('the packages were not published (see the publish test above)');
}

/** The app table the custom server reads, created and dropped with the app manager installed from the registry. */
function appTableScript(dir: string, action: 'create' | 'drop'): Promise<string> {
  const script = `
    import { createMysqlAppManager } from '@sockudo/app-manager-mysql';
    import { APP_DEFAULTS } from '@sockudo/core';
    const e = process.env;
    const apps = createMysqlAppManager({ host: '127.0.0.1', user: 'root', password: '', database: 'test', table: e.TABLE });
    if (e.ACTION === 'create') {
      await apps.migrate();
      await apps.createApp({ ...APP_DEFAULTS, id: e.APP_ID, key: e.APP_KEY, secret: e.APP_SECRET });
    } else {
      await apps.pool.query('DROP TABLE IF EXISTS \`' + e.TABLE + '\`');
    }
    await apps.close();`;
  return run(process.execPath, ['--input-type=module', '-e', script], {
    cwd: dir,
    env: cleanEnv({ TABLE: table, ACTION: action, APP_ID: app.id, APP_KEY: app.key, APP_SECRET: app.secret }),
    timeoutMs: 30_000,
  });
}

beforeAll(async () => {
  await requireService('Redis', REDIS_URL);
  await requireRabbitMq();
  await requireService('MariaDB', 'tcp://127.0.0.1:3306', 3306);

  // dist/ and the files the manifest points at (a dist/ left over from another layout is not enough).
  const unbuilt = publishable.filter(({ dir, manifest }) =>
    ['dist', manifest.main, manifest.types, ...Object.values(manifest.bin ?? {})]
      .filter((file): file is string => file !== undefined)
      .some((file) => !existsSync(join(dir, file))),
  );
  if (unbuilt.length > 0) {
    throw new Error(
      `not built (dist/, main, types or bin missing): ${unbuilt.map(({ manifest }) => manifest.name).join(', ')}. ` +
        'Run `pnpm -w build` first (`turbo run test` builds them, as they are devDependencies of this package).',
    );
  }
  // npm packs a package's own README.md and LICENSE whatever `files` says; the registry page needs both.
  const undocumented = publishable.filter(
    ({ dir }) => !existsSync(join(dir, 'README.md')) || !existsSync(join(dir, 'LICENSE')),
  );
  if (undocumented.length > 0) {
    throw new Error(
      `README.md or LICENSE missing in: ${undocumented.map(({ manifest }) => manifest.name).join(', ')} (copy the root LICENSE)`,
    );
  }
  // A package missing here would be published unbuilt or stale when turbo runs this test alone.
  const devDependencies = Object.keys(readManifest(HERE).devDependencies ?? {});
  const notDependedOn = [...versionOf.keys()].filter((name) => !devDependencies.includes(name));
  if (notDependedOn.length > 0) {
    throw new Error(
      `tools/registry-round-trip/package.json must list ${notDependedOn.join(', ')} as "workspace:*" devDependencies`,
    );
  }

  root = mkdtempSync(join(realpathSync(tmpdir()), 'sockudo-registry-'));
  if (!relative(REPO, root).startsWith('..')) {
    throw new Error(`the temporary folder ${root} is inside the workspace ${REPO}: set TMPDIR elsewhere`);
  }
  writeFileSync(
    join(root, 'verdaccio.yaml'),
    [
      `storage: ${join(root, 'storage')}`,
      'auth:',
      '  htpasswd:',
      `    file: ${join(root, 'htpasswd')}`,
      '    max_users: 1',
      'uplinks:',
      '  npmjs:',
      '    url: https://registry.npmjs.org/',
      '    timeout: 60s',
      // The defaults (2 failures, then 5 minutes offline) would turn one network hiccup into a failed run.
      '    max_fails: 20',
      '    fail_timeout: 2s',
      'packages:',
      // Never proxied: what is installed as @sockudo/* is what this test published, or nothing.
      "  '@sockudo/*':",
      '    access: $all',
      '    publish: $authenticated',
      "  '**':",
      '    access: $all',
      '    publish: $authenticated',
      '    proxy: npmjs',
      'web:',
      '  enable: false',
      'log: { type: stdout, format: pretty, level: warn }',
      '',
    ].join('\n'),
  );
  verdaccio = await timed('start the registry', () =>
    startServer(process.execPath, [join(HERE, 'test/start-verdaccio.mjs'), join(root, 'verdaccio.yaml')], {
      cwd: root,
      env: cleanEnv(),
      ready: /registry listening on (http:\/\/127\.0\.0\.1:(\d+)\/)/,
    }),
  );
  registry = verdaccio.url;

  // One user, created over the registry's API, so nothing is written to ~/.npmrc.
  const response = await fetch(`${registry}-/user/org.couchdb.user:round-trip`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'round-trip', password: randomBytes(12).toString('hex'), type: 'user' }),
  });
  const body = (await response.json()) as { token?: string };
  if (!response.ok || !body.token) {
    throw new Error(`creating a registry user answered ${response.status}: ${JSON.stringify(body)}`);
  }
  // Installs go anonymously, as a user's would (verdaccio's legacy token costs a bcrypt check per
  // request); only the publish carries the token.
  const settings = [`registry=${registry}`, 'update-notifier=false', 'fund=false', 'audit=false'];
  const npmrc = (name: string, lines: string[]) => {
    writeFileSync(join(root, name), `${lines.join('\n')}\n`);
    return cleanEnv({
      npm_config_userconfig: join(root, name),
      npm_config_globalconfig: join(root, 'global-npmrc'),
      npm_config_cache: join(root, 'npm-cache'),
    });
  };
  env = npmrc('npmrc', settings);
  publishEnv = npmrc('publish-npmrc', [
    ...settings,
    `${registry.replace(/^http:/, '')}:_authToken=${body.token}`,
  ]);
}, 60_000);

afterAll(async () => {
  // Every step runs even when one fails, so no process, table or folder is left behind.
  const failures: unknown[] = [];
  const attempt = async (work: () => unknown) => {
    try {
      await work();
    } catch (error) {
      failures.push(error);
    }
  };
  await attempt(stopAll);
  await Promise.all(servers.splice(0).map((server) => attempt(() => server.stop())));
  if (existsSync(join(root, 'app', 'node_modules', '@sockudo', 'app-manager-mysql'))) {
    await attempt(() => appTableScript(join(root, 'app'), 'drop'));
  }
  await attempt(() => verdaccio?.stop());
  if (root) await attempt(() => rmSync(root, { recursive: true, force: true }));
  console.log(`registry round trip timings:\n  ${timings.join('\n  ')}`);
  if (failures.length > 0) throw new AggregateError(failures, 'cleaning up after the round trip failed');
}, 60_000);

describe('the packages install from a registry', () => {
  it('pnpm -r publish publishes every public package, with workspace: ranges rewritten to versions', async () => {
    expect(new URL(registry).hostname).toBe('127.0.0.1'); // never the real npm registry
    for (const { manifest } of publishable) {
      expect(manifest.publishConfig?.registry, `${manifest.name} publishConfig.registry`).toBeUndefined();
    }
    await timed('pnpm -r publish', () =>
      run('pnpm', ['-r', 'publish', '--registry', registry, '--no-git-checks'], {
        cwd: REPO,
        env: publishEnv,
        timeoutMs: INSTALL_TIMEOUT_MS,
      }),
    );

    for (const { manifest: local } of publishable) {
      const response = await fetch(`${registry}${local.name.replace('/', '%2f')}`);
      expect(response.status, `${local.name} on the registry`).toBe(200);
      const document = (await response.json()) as { versions: Record<string, Manifest> };
      const remote = document.versions[local.version];
      expect(remote, `${local.name}@${local.version} on the registry`).toBeDefined();
      expect(remote.dist?.tarball.startsWith(registry)).toBe(true);
      for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies'] as const) {
        for (const [name, range] of Object.entries(local[field] ?? {})) {
          const target = versionOf.get(name);
          const expected = !range.startsWith('workspace:')
            ? range
            : range === 'workspace:*'
              ? target
              : range.replace(/^workspace:([~^])$/, `$1${target}`);
          expect(remote[field]?.[name], `${local.name} ${field}.${name} (was ${range})`).toBe(expected);
        }
      }
      expect(JSON.stringify(remote), `${local.name} published manifest`).not.toContain('workspace:');
    }
    published = true;
  }, 300_000);

  it('npm i -g @sockudo/server installs the sockudo command, which serves pusher-js', async () => {
    requirePublished();
    const prefix = join(root, 'global');
    await timed('npm i -g @sockudo/server', () =>
      npm(['install', '--global', '--prefix', prefix, '@sockudo/server'], root),
    );
    const bin = join(prefix, 'bin', 'sockudo');
    expect(realpathSync(bin).startsWith(prefix + sep), `${bin} points into the install prefix`).toBe(true);
    expect((await run(bin, ['--version'], { cwd: root, env: cleanEnv(), timeoutMs: 30_000 })).trim()).toBe(
      serverVersion,
    );

    const sockudo = await startServer(bin, ['start', '--host', '127.0.0.1', '--port', '0'], {
      cwd: root,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        METRICS_HOST: '127.0.0.1',
        METRICS_PORT: '0',
        SOCKUDO_DEFAULT_APP_ID: app.id,
        SOCKUDO_DEFAULT_APP_KEY: app.key,
        SOCKUDO_DEFAULT_APP_SECRET: app.secret,
      },
      ready: /Sockudo listening on (http:\/\/127\.0\.0\.1:(\d+))/,
    });
    servers.push(sockudo);
    const client = pusherClient(sockudo.port, app.key);
    await connected(client);
    const data = await roundTrip(client, pusherBackend(sockudo.port, app), 'installed', { from: 'npm' });
    expect(data, sockudo.output()).toEqual({ from: 'npm' });
    expect(await sockudo.stop(), sockudo.output()).toBe(0);
  }, 300_000);

  // The global install carries every built-in driver's package: two nodes over each broker deliver
  // across each other (redis broadcast-style channels, RabbitMQ routed by interest).
  const drivers = [
    { driver: 'redis', adapter: { redis: { prefix: `registry-round-trip-${id}:` } }, env: { REDIS_URL } },
    {
      driver: 'rabbitmq',
      adapter: { rabbitmq: { prefix: `registry-round-trip-${id}` } },
      env: { RABBITMQ_URL },
    },
  ] as const;
  for (const { driver, adapter, env } of drivers) {
    it(`the installed sockudo loads its ${driver} driver: two nodes deliver across each other`, async () => {
      requirePublished();
      const bin = join(root, 'global', 'bin', 'sockudo');
      if (!existsSync(bin)) throw new Error(`${bin} is missing: the global install above failed`);
      const config = join(root, `cluster-${driver}.json`);
      writeFileSync(config, JSON.stringify({ adapter: { driver, ...adapter } }));
      const start = () =>
        startServer(bin, ['start', '--config', config, '--host', '127.0.0.1', '--port', '0'], {
          cwd: root,
          env: {
            PATH: process.env.PATH,
            HOME: process.env.HOME,
            ...env,
            METRICS_HOST: '127.0.0.1',
            METRICS_PORT: '0',
            SOCKUDO_DEFAULT_APP_ID: app.id,
            SOCKUDO_DEFAULT_APP_KEY: app.key,
            SOCKUDO_DEFAULT_APP_SECRET: app.secret,
          },
          ready: /Sockudo listening on (http:\/\/127\.0\.0\.1:(\d+))/,
        });
      const [a, b] = await Promise.all([start(), start()]);
      servers.push(a, b);
      expect(a.output()).toContain(`adapter=${driver}`);
      const client = pusherClient(a.port, app.key);
      await connected(client);
      const data = await roundTrip(client, pusherBackend(b.port, app), `cluster-${driver}`, { node: 'b' });
      expect(data, `${a.output()}\n${b.output()}`).toEqual({ node: 'b' });
      client.disconnect();
      expect(await a.stop(), a.output()).toBe(0);
      expect(await b.stop(), b.output()).toBe(0);
    }, 60_000);
  }

  it('a fresh npm project installs core, adapter-redis and app-manager-mysql and runs examples/custom-server', async () => {
    requirePublished();
    const dir = join(root, 'app');
    mkdirSync(dir);
    await npm(['init', '-y'], dir);
    await timed('npm i core adapter-redis app-manager-mysql', () =>
      npm(['install', '@sockudo/core', '@sockudo/adapter-redis', '@sockudo/app-manager-mysql'], dir),
    );
    for (const name of ['@sockudo/core', '@sockudo/adapter-redis', '@sockudo/app-manager-mysql']) {
      const installed = join(dir, 'node_modules', name);
      expect(realpathSync(installed).startsWith(dir + sep), `${name} is a real install, not a link`).toBe(
        true,
      );
      expect(readManifest(installed).version).toBe(versionOf.get(name));
    }
    writeFileSync(
      join(dir, 'server.mjs'),
      readFileSync(join(REPO, 'examples/custom-server/server.mjs'), 'utf8'),
    );
    await appTableScript(dir, 'create');

    const serverEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      PORT: '0',
      REDIS_URL,
      REDIS_PREFIX: `registry-round-trip-${id}:`,
      DATABASE_MYSQL_DATABASE: 'test',
      DATABASE_MYSQL_TABLE_NAME: table,
    };
    const start = () =>
      startServer(process.execPath, ['server.mjs'], {
        cwd: dir,
        env: serverEnv,
        ready: /custom server listening on (http:\/\/127\.0\.0\.1:(\d+))/,
      });
    const [a, b] = await Promise.all([start(), start()]);
    servers.push(a, b);
    const client = pusherClient(a.port, app.key);
    await connected(client);
    const data = await roundTrip(client, pusherBackend(b.port, app), 'custom', { across: 'redis' });
    expect(data, `${a.output()}\n${b.output()}`).toEqual({ across: 'redis' });
  }, 300_000);
});
