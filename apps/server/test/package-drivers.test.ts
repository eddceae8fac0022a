// Drivers named by package (`"driver": "sockudo-adapter-x"`): the naming rule, the resolver, the plans,
// the module contract checks against real fixture packages in a temp node_modules, and the real
// `sockudo` binary failing (and starting) with them.

import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, realpathSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { silentLogger } from '@sockudo/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { isPackageDriverName } from '../src/config/driver-names.js';
import { planDrivers } from '../src/config/plan/driver-plan.js';
import type { PackageDriverPlan } from '../src/config/plan/plans.js';
import { createDrivers } from '../src/drivers/driver-registry.js';
import { DriverStartupError } from '../src/drivers/driver-startup-error.js';
import { createPackageDriver, SUPPORTED_DRIVER_SPEC_VERSIONS } from '../src/drivers/package-driver.js';
import {
  exportsTarget,
  PackageEntryError,
  PackageNotFoundError,
  resolvePackage,
  splitSpecifier,
} from '../src/drivers/package-resolver.js';
import { checkConfig, type ResolvedConfig } from '../src/index.js';
import { tempDir } from './helpers.js';
import { BIN, startSockudo, TEST_METRICS_ENV } from './sockudo-process.js';

/** Files of a package `name` in `node_modules` of the directory they are written to. */
function fixturePackage(
  name: string,
  source: string,
  manifest: Record<string, unknown> = { type: 'module', exports: { '.': { import: './index.js' } } },
  entry = 'index.js',
): Record<string, string | object> {
  return {
    [`node_modules/${name}/package.json`]: { name, version: '1.2.3', ...manifest },
    [`node_modules/${name}/${entry}`]: source,
  };
}

/** A self-contained cache driver (no imports), recording `create`'s arguments in `options.marker`. */
const CACHE_DRIVER = `
import { writeFileSync } from 'node:fs';
const store = new Map();
export const sockudoDriver = {
  specVersion: 1,
  kind: 'cache',
  create(options, context) {
    if (typeof options.marker !== 'string') throw new Error('cache.options.marker: expected a file path');
    writeFileSync(options.marker, JSON.stringify({ options, configKey: context.configKey, optionsKey: context.optionsKey }));
    return {
      specVersion: 1,
      async get(key) { return store.get(key); },
      async set(key, value) { store.set(key, value); },
      async delete(key) { store.delete(key); },
      async checkHealth() {},
      async close() {},
    };
  },
};
`;

function driverSource(fields: string): string {
  return `export const sockudoDriver = { ${fields} };\n`;
}

function plan<Kind extends PackageDriverPlan['kind']>(
  kind: Kind,
  name: string,
  options: Record<string, unknown> = {},
): PackageDriverPlan<Kind> {
  return {
    driver: 'package',
    kind,
    package: name,
    configKey: `${kind}.driver`,
    optionsKey: `${kind}.options`,
    options,
    address: `package ${name}`,
    secrets: [],
  };
}

async function failure(promise: Promise<unknown>): Promise<DriverStartupError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(DriverStartupError);
  return error as DriverStartupError;
}

describe('isPackageDriverName', () => {
  it('takes scoped names and names with a hyphen, never a built-in name or a plain word', () => {
    for (const name of ['sockudo-adapter-pg-notify', '@acme/sockudo-cache', '@acme/cache', 'a-b.c_d~e']) {
      expect(isPackageDriverName(name), name).toBe(true);
    }
    for (const name of ['redis-cluster', 'kafka', 'redis', 'Sockudo-Adapter', '-x', '@acme', '../x', 'a b']) {
      expect(isPackageDriverName(name), name).toBe(false);
    }
  });
});

describe('package resolver', () => {
  it('splits a specifier into the package name and the exports subpath', () => {
    expect(splitSpecifier('sockudo-adapter-x')).toEqual({ name: 'sockudo-adapter-x', subpath: '.' });
    expect(splitSpecifier('@acme/x')).toEqual({ name: '@acme/x', subpath: '.' });
    expect(splitSpecifier('@acme/x/driver')).toEqual({ name: '@acme/x', subpath: './driver' });
  });

  it('reads exports with the import conditions, in the order the package lists them', () => {
    expect(exportsTarget('./main.js', '.')).toBe('./main.js');
    expect(exportsTarget({ '.': { require: './c.cjs', import: './e.js' } }, '.')).toBe('./e.js');
    expect(exportsTarget({ '.': { default: './d.js', import: './e.js' } }, '.')).toBe('./d.js');
    expect(exportsTarget({ types: './x.d.ts', import: './e.js' }, '.')).toBe('./e.js');
    expect(exportsTarget({ '.': [{ worker: './w.js' }, './f.js'] }, '.')).toBe('./f.js');
    expect(exportsTarget({ './drivers/*': './dist/*.js' }, './drivers/cache')).toBe('./dist/cache.js');
    expect(exportsTarget({ '.': { require: './c.cjs' } }, '.')).toBeUndefined();
    expect(exportsTarget({ './other': './o.js' }, '.')).toBeUndefined();
  });

  it('finds an import-only package (which createRequire().resolve cannot) and returns a file URL', () => {
    const dir = tempDir(fixturePackage('sockudo-cache-x', CACHE_DRIVER));
    const resolved = resolvePackage('sockudo-cache-x', [dir]);
    const directory = realpathSync(join(dir, 'node_modules/sockudo-cache-x'));
    expect(resolved).toEqual({
      name: 'sockudo-cache-x',
      directory,
      url: pathToFileURL(join(directory, 'index.js')).href,
      foundFrom: dir,
      version: '1.2.3',
    });
  });

  it('falls back to main, then index.js, for a package without exports', () => {
    const dir = tempDir({
      ...fixturePackage('with-main', 'export {};', { main: 'lib/entry' }, 'lib/entry.js'),
      ...fixturePackage('bare-index', 'export {};', {}),
    });
    expect(resolvePackage('with-main', [dir]).url).toMatch(/with-main\/lib\/entry\.js$/);
    expect(resolvePackage('bare-index', [dir]).url).toMatch(/bare-index\/index\.js$/);
  });

  it('resolves scoped packages and exported subpaths', () => {
    const dir = tempDir(
      fixturePackage('@acme/drivers', 'export {};', { exports: { './queue': './queue.js' } }, 'queue.js'),
    );
    expect(resolvePackage('@acme/drivers/queue', [dir]).url).toMatch(/@acme\/drivers\/queue\.js$/);
    expect(() => resolvePackage('@acme/drivers', [dir])).toThrow(PackageEntryError);
    expect(() => resolvePackage('@acme/drivers', [dir])).toThrow(/"exports" has no main entry/);
  });

  it('tries the directories in order: the first that has the package wins', () => {
    const configDir = tempDir(fixturePackage('sockudo-queue-x', 'export const from = "config";'));
    const cwd = tempDir({
      ...fixturePackage('sockudo-queue-x', 'export const from = "cwd";'),
      ...fixturePackage('only-in-cwd', 'export {};'),
    });
    expect(resolvePackage('sockudo-queue-x', [configDir, cwd]).foundFrom).toBe(configDir);
    expect(resolvePackage('only-in-cwd', [configDir, cwd]).foundFrom).toBe(cwd);
  });

  it('walks up node_modules from each directory, as a global install next to sockudo needs', () => {
    // npm i -g @sockudo/server sockudo-adapter-x: both live in <prefix>/lib/node_modules.
    const prefix = tempDir({
      'lib/node_modules/@sockudo/server/package.json': { name: '@sockudo/server' },
      ...Object.fromEntries(
        Object.entries(fixturePackage('sockudo-adapter-x', 'export {};')).map(([path, content]) => [
          `lib/${path}`,
          content,
        ]),
      ),
    });
    const server = join(prefix, 'lib/node_modules/@sockudo/server');
    const elsewhere = tempDir();
    const resolved = resolvePackage('sockudo-adapter-x', [elsewhere, server]);
    expect(resolved.directory).toBe(realpathSync(join(prefix, 'lib/node_modules/sockudo-adapter-x')));
  });

  it('follows a symlinked package to its real directory', () => {
    const real = tempDir({
      'package.json': { name: 'sockudo-adapter-linked', main: 'main.js' },
      'main.js': '',
    });
    const dir = tempDir();
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(real, join(dir, 'node_modules/sockudo-adapter-linked'), 'dir');
    expect(resolvePackage('sockudo-adapter-linked', [dir]).directory).toBe(realpathSync(real));
  });

  it('says where it looked when no directory has the package', () => {
    const a = tempDir();
    const b = tempDir();
    let error: unknown;
    try {
      resolvePackage('sockudo-adapter-missing', [a, b, a]);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(PackageNotFoundError);
    expect((error as PackageNotFoundError).searched).toEqual([a, b]);
    expect((error as Error).message).toBe(`cannot find package "sockudo-adapter-missing" from ${a}, ${b}`);
  });
});

describe('planDrivers with driver packages', () => {
  function planOf(file: Record<string, unknown>) {
    const result = checkConfig({ cwd: tempDir({ 'config/config.json': file }), env: {} });
    expect(result.errors.map((error) => error.message)).toEqual([]);
    return planDrivers(result.config as ResolvedConfig);
  }

  it('plans every section, with <section>.options and the secrets in them', () => {
    const { plan, errors } = planOf({
      adapter: {
        driver: 'sockudo-adapter-x',
        options: { url: 'x://host', password: 'hunter22' },
        cluster_health: { heartbeat_interval_ms: 1000, node_timeout_ms: 4000 },
      },
      app_manager: { driver: '@acme/sockudo-app-manager-mongo' },
      cache: { driver: 'sockudo-cache-x', options: { nested: { token: 'tok-1234' } } },
      queue: { driver: 'sockudo-queue-x' },
      rate_limiter: { driver: 'sockudo-rate-limiter-x' },
      instance: { process_id: 'node-a' },
    });
    expect(errors).toEqual([]);
    expect(plan.adapter).toEqual({
      driver: 'package',
      kind: 'adapter',
      package: 'sockudo-adapter-x',
      configKey: 'adapter.driver',
      optionsKey: 'adapter.options',
      options: { url: 'x://host', password: 'hunter22' },
      address: 'package sockudo-adapter-x',
      secrets: ['hunter22'],
      fallbackToLocal: true,
      horizontal: {
        nodeId: 'node-a',
        heartbeatIntervalMs: 1000,
        nodeTimeoutMs: 4000,
        routing: 'interest',
        interestLingerMs: 2000,
        interestBatchMs: 0,
      },
    });
    expect(plan.appManager).toMatchObject({ driver: 'package', kind: 'app_manager', options: {} });
    expect(plan.cache).toMatchObject({ kind: 'cache', package: 'sockudo-cache-x', secrets: ['tok-1234'] });
    expect(plan.queue).toMatchObject({ kind: 'queue', configKey: 'queue.driver' });
    expect(plan.rateLimiter).toMatchObject({ kind: 'rate_limiter', optionsKey: 'rate_limiter.options' });
  });

  it('takes the package name from the environment too (ADAPTER_DRIVER), the options from the file', () => {
    const result = checkConfig({
      cwd: tempDir({ 'config/config.json': { adapter: { options: { prefix: 'p' } } } }),
      env: { ADAPTER_DRIVER: 'sockudo-adapter-x' },
    });
    expect(result.errors).toEqual([]);
    expect(planDrivers(result.config as ResolvedConfig).plan.adapter).toMatchObject({
      driver: 'package',
      package: 'sockudo-adapter-x',
      options: { prefix: 'p' },
    });
  });

  it('does not load a rate limiter package while rate_limiter.enabled is false', () => {
    const { plan } = planOf({ rate_limiter: { enabled: false, driver: 'sockudo-rate-limiter-x' } });
    expect(plan.rateLimiter).toEqual({ driver: 'memory' });
  });
});

describe('createPackageDriver: the module contract', () => {
  const options = (dir: string) => ({ searchDirectories: [dir], logger: silentLogger });

  it('creates the driver with the options and a context naming the keys', async () => {
    const dir = tempDir(fixturePackage('sockudo-cache-x', CACHE_DRIVER));
    const marker = join(dir, 'created.json');
    const cache = await createPackageDriver(plan('cache', 'sockudo-cache-x', { marker }), options(dir));
    await cache.set('k', 'v');
    expect(await cache.get('k')).toBe('v');
    expect(JSON.parse(readFileSync(marker, 'utf8'))).toEqual({
      options: { marker },
      configKey: 'cache.driver',
      optionsKey: 'cache.options',
    });
  });

  it('package not found: names the key, the package, where it looked and how to install it', async () => {
    const dir = tempDir();
    const error = await failure(createPackageDriver(plan('adapter', 'sockudo-adapter-nope'), options(dir)));
    expect(error.message).toMatch(
      new RegExp(
        `^adapter\\.driver sockudo-adapter-nope: package not found: looked in node_modules from ${dir}, .+; install it next to your config file with \`npm i sockudo-adapter-nope\``,
      ),
    );
  });

  it('no sockudoDriver export', async () => {
    const dir = tempDir(fixturePackage('sockudo-queue-x', 'export const createQueue = () => ({});'));
    const error = await failure(createPackageDriver(plan('queue', 'sockudo-queue-x'), options(dir)));
    expect(error.message).toContain(
      'queue.driver sockudo-queue-x: not a sockudo driver package: it does not export sockudoDriver (found nothing at ',
    );
    expect(error.message).toContain(
      "expected a named export `sockudoDriver = { specVersion: 1, kind: 'queue', create(options, context) }`",
    );
  });

  it('an unsupported specVersion names the supported ones', async () => {
    const dir = tempDir(
      fixturePackage('sockudo-cache-x', driverSource("specVersion: 2, kind: 'cache', create() {}")),
    );
    const error = await failure(createPackageDriver(plan('cache', 'sockudo-cache-x'), options(dir)));
    expect(SUPPORTED_DRIVER_SPEC_VERSIONS).toEqual([1]);
    expect(error.message).toMatch(
      /^cache\.driver sockudo-cache-x: unsupported driver contract: sockudoDriver\.specVersion is 2, but this sockudo \(@sockudo\/server [^)]+\) supports specVersion 1;/,
    );
  });

  it('the wrong kind', async () => {
    const dir = tempDir(
      fixturePackage('sockudo-cache-x', driverSource("specVersion: 1, kind: 'cache', create() {}")),
    );
    const error = await failure(createPackageDriver(plan('adapter', 'sockudo-cache-x'), options(dir)));
    expect(error.message).toBe(
      'adapter.driver sockudo-cache-x: wrong kind of driver: sockudoDriver.kind is "cache", but adapter.driver needs kind "adapter"',
    );
  });

  it('create() that throws: its message, with secrets of the options hidden', async () => {
    const dir = tempDir(
      fixturePackage(
        'sockudo-cache-x',
        driverSource(
          "specVersion: 1, kind: 'cache', create(o) { throw new Error('bad url ' + o.url + ' with ' + o.password); }",
        ),
      ),
    );
    const driverPlan = {
      ...plan('cache', 'sockudo-cache-x', { url: 'x', password: 'hunter22' }),
      secrets: ['hunter22'],
    };
    const error = await failure(createPackageDriver(driverPlan, options(dir)));
    expect(error.message).toBe(
      'cache.driver sockudo-cache-x: create() rejected the settings in cache.options: bad url x with ********',
    );
  });

  it('create() that returns an incomplete object', async () => {
    const dir = tempDir(
      fixturePackage(
        'sockudo-rate-limiter-x',
        driverSource("specVersion: 1, kind: 'rate_limiter', create: async () => ({ specVersion: 1 })"),
      ),
    );
    const error = await failure(
      createPackageDriver(plan('rate_limiter', 'sockudo-rate-limiter-x'), options(dir)),
    );
    expect(error.message).toBe(
      'rate_limiter.driver sockudo-rate-limiter-x: create() returned an incomplete driver: the rate_limiter object has no consume()',
    );
  });

  it('a package that fails to load names where it was found', async () => {
    const dir = tempDir(fixturePackage('sockudo-cache-x', 'export const = ;'));
    const error = await failure(createPackageDriver(plan('cache', 'sockudo-cache-x'), options(dir)));
    expect(error.message).toMatch(
      /^cache\.driver sockudo-cache-x: cannot load the package from .*sockudo-cache-x \(version 1\.2\.3\): /,
    );
  });

  it('createDrivers starts a package cache and checks it like a built-in one', async () => {
    const dir = tempDir(fixturePackage('sockudo-cache-x', CACHE_DRIVER));
    const result = checkConfig({
      cwd: tempDir({
        'config/config.json': {
          cache: { driver: 'sockudo-cache-x', options: { marker: join(dir, 'm.json') } },
        },
      }),
      env: {},
    });
    const drivers = await createDrivers(planDrivers(result.config as ResolvedConfig).plan, {
      packageSearch: [dir],
    });
    expect(drivers.serverOptions.cache?.specVersion).toBe(1);
    expect(existsSync(join(dir, 'm.json'))).toBe(true);
    await drivers.close();
  });
});

describe('sockudo start with a driver package', () => {
  beforeAll(() => {
    if (!existsSync(BIN)) throw new Error(`${BIN} is missing: build first (npx tsc -b apps/server)`);
  });

  function run(args: string[], cwd: string): Promise<{ code: number | null; output: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [BIN, ...args], {
        cwd,
        env: { PATH: process.env.PATH, HOME: process.env.HOME, ...TEST_METRICS_ENV },
      });
      let output = '';
      child.stdout.on('data', (chunk) => (output += chunk));
      child.stderr.on('data', (chunk) => (output += chunk));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, output }));
    });
  }

  it('exits 1 before listening when the package is not installed, saying where it looked', async () => {
    const cwd = tempDir({
      'deploy/config.json': { port: 0, adapter: { driver: 'sockudo-adapter-missing' } },
    });
    const result = await run(['start', '--config', 'deploy/config.json'], cwd);
    expect(result.code).toBe(1);
    expect(result.output).not.toContain('listening');
    expect(result.output).toContain(
      'adapter.driver sockudo-adapter-missing: package not found: looked in node_modules from',
    );
    expect(result.output).toContain(join(cwd, 'deploy'));
    expect(result.output).toContain('npm i sockudo-adapter-missing');
  });

  it('exits 1 on a package made for another specVersion, naming the supported one', async () => {
    const cwd = tempDir({
      'config/config.json': { port: 0, queue: { driver: 'sockudo-queue-future' } },
      ...fixturePackage('sockudo-queue-future', driverSource("specVersion: 2, kind: 'queue', create() {}")),
    });
    const result = await run(['start'], cwd);
    expect(result.code).toBe(1);
    expect(result.output).toContain(
      'queue.driver sockudo-queue-future: unsupported driver contract: sockudoDriver.specVersion is 2, but this sockudo',
    );
    expect(result.output).toContain('supports specVersion 1');
  });

  it('sockudo migrate runs migrate() of a package app manager', async () => {
    const cwd = tempDir({
      'config/config.json': { app_manager: { driver: 'sockudo-app-manager-x', options: { table: 'apps' } } },
      ...fixturePackage(
        'sockudo-app-manager-x',
        `import { writeFileSync } from 'node:fs';
export const sockudoDriver = {
  specVersion: 1,
  kind: 'app_manager',
  create(options, context) {
    return {
      specVersion: 1,
      async findById() { return undefined; },
      async findByKey() { return undefined; },
      async migrate() { writeFileSync(context.baseDirectory + '/migrated', options.table); },
    };
  },
};
`,
      ),
    });
    const result = await run(['migrate'], cwd);
    expect(result.output).toContain('migrate() of sockudo-app-manager-x finished');
    expect(result.code).toBe(0);
    // baseDirectory is the config file's directory.
    expect(readFileSync(join(cwd, 'config/migrated'), 'utf8')).toBe('apps');
  });

  it('config check validates the name without importing the package', async () => {
    const cwd = tempDir({ 'config/config.json': { adapter: { driver: 'sockudo-adapter-missing' } } });
    const result = await run(['config', 'check'], cwd);
    expect(result.code).toBe(0);
    expect(result.output).toContain('"driver": "sockudo-adapter-missing"');
  });

  it('starts with a package found next to the config file, and passes it cache.options', async () => {
    const cwd = tempDir();
    const configDir = tempDir({
      ...fixturePackage('sockudo-cache-x', CACHE_DRIVER),
      'config.json': { port: 0, cache: { driver: 'sockudo-cache-x', options: { marker: `\${MARKER}` } } },
    });
    const marker = join(configDir, 'created.json');
    const node = await startSockudo(['--config', join(configDir, 'config.json')], {
      cwd,
      env: { MARKER: marker },
    });
    try {
      expect(JSON.parse(readFileSync(marker, 'utf8'))).toMatchObject({ options: { marker } });
      expect((await fetch(`http://127.0.0.1:${node.port}/up`)).status).toBe(200);
    } finally {
      await node.stop();
    }
  });
});
