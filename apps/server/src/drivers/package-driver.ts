// Loads a driver package named in config and checks it against the module contract: a named export
// `sockudoDriver = { specVersion: 1, kind, create(options, context) }` (types in @sockudo/core's
// spec/v1, `SockudoDriverV1`). Every failure names the config key, the package and what was expected.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { DriverContextV1, DriverInstanceV1, DriverKind, Logger } from '@sockudo/core';
import type { PackageDriverPlan } from '../config/plan/plans.js';
import { DriverStartupError } from './driver-startup-error.js';
import { PackageNotFoundError, resolvePackage } from './package-resolver.js';

/** The `sockudoDriver.specVersion` values this server can load. */
export const SUPPORTED_DRIVER_SPEC_VERSIONS: readonly number[] = Object.freeze([1]);

/** Where the contract is written down, for messages. */
const CONTRACT_DOC = 'docs/writing-an-adapter.md';

/** This package's own directory: a global `sockudo` finds packages installed next to it from here. */
export const SERVER_PACKAGE_DIRECTORY = fileURLToPath(new URL('../..', import.meta.url));

/** The methods each kind's object must have (the optional ones of the contracts are not checked). */
const REQUIRED_METHODS: Record<DriverKind, readonly string[]> = {
  adapter: ['start', 'publishBroadcast', 'publishRequest', 'publishResponse', 'checkHealth', 'close'],
  app_manager: ['findById', 'findByKey'],
  cache: ['get', 'set', 'delete'],
  queue: ['push', 'process'],
  rate_limiter: ['consume'],
};

/** What a TransportV2 has besides the V1 methods. */
const ROUTED_TRANSPORT_METHODS = ['publishTo', 'subscribe', 'unsubscribe'] as const;

/** How a package driver is found and started. */
export interface PackageDriverOptions {
  /**
   * Directories to resolve the package from, in order (each with its `node_modules` chain upwards);
   * {@link SERVER_PACKAGE_DIRECTORY} is always tried last.
   */
  searchDirectories: readonly string[];
  /** Relative paths in the options resolve against this; the first search directory by default. */
  baseDirectory?: string;
  logger: Logger;
  /** Loads the resolved entry; dynamic `import()` by default. */
  importer?: (url: string) => Promise<Record<string, unknown>>;
}

function serverVersion(): string {
  try {
    const text = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
    return (JSON.parse(text) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'object') return Array.isArray(value) ? 'an array' : 'an object';
  return JSON.stringify(value);
}

/**
 * Finds, imports and checks the package of `plan`, then calls its `create(options, context)` and checks
 * the object it returns. Nothing is started or connected here.
 *
 * @throws DriverStartupError naming `plan.configKey`, the package and what was expected
 */
export async function createPackageDriver<Kind extends DriverKind>(
  plan: PackageDriverPlan<Kind>,
  options: PackageDriverOptions,
): Promise<DriverInstanceV1[Kind]> {
  const { configKey: key, package: name, kind } = plan;
  const fail = (what: string, reason: string | Error, cause?: unknown): never => {
    const error = typeof reason === 'string' ? new Error(reason, { cause }) : reason;
    throw new DriverStartupError(key, name, what, error, plan.secrets);
  };
  const example = `{ specVersion: 1, kind: '${kind}', create(options, context) }`;

  const searchDirectories = [...options.searchDirectories, SERVER_PACKAGE_DIRECTORY];
  let url: string;
  let foundAt: string;
  try {
    const resolved = resolvePackage(name, searchDirectories);
    url = resolved.url;
    foundAt = `${resolved.directory}${resolved.version !== undefined ? ` (version ${resolved.version})` : ''}`;
  } catch (error) {
    if (error instanceof PackageNotFoundError) {
      return fail(
        'package not found',
        `looked in node_modules from ${error.searched.join(', ')} and their parent directories; install it next to your config file with \`npm i ${name}\` (or \`npm i -g ${name}\` next to a global sockudo)`,
        error,
      );
    }
    return fail('cannot resolve the package', error as Error, error);
  }

  let module: Record<string, unknown>;
  try {
    module = await (options.importer ?? ((entry: string) => import(entry)))(url);
  } catch (error) {
    return fail(`cannot load the package from ${foundAt}`, error as Error, error);
  }

  const exported =
    module.sockudoDriver ?? (module.default as { sockudoDriver?: unknown } | undefined)?.sockudoDriver;
  if (typeof exported !== 'object' || exported === null) {
    return fail(
      'not a sockudo driver package',
      `it does not export sockudoDriver (found ${describe(exported)} at ${foundAt}); expected a named export \`sockudoDriver = ${example}\`, see ${CONTRACT_DOC}`,
    );
  }
  const driver = exported as { specVersion?: unknown; kind?: unknown; create?: unknown };
  if (!SUPPORTED_DRIVER_SPEC_VERSIONS.includes(driver.specVersion as number)) {
    return fail(
      'unsupported driver contract',
      `sockudoDriver.specVersion is ${describe(driver.specVersion)}, but this sockudo (@sockudo/server ${serverVersion()}) supports specVersion ${SUPPORTED_DRIVER_SPEC_VERSIONS.join(', ')}; install a version of ${name} made for specVersion ${SUPPORTED_DRIVER_SPEC_VERSIONS.join(' or ')}, or a @sockudo/server that supports ${describe(driver.specVersion)}`,
    );
  }
  if (driver.kind !== kind) {
    return fail(
      'wrong kind of driver',
      `sockudoDriver.kind is ${describe(driver.kind)}, but ${key} needs kind "${kind}"`,
    );
  }
  if (typeof driver.create !== 'function') {
    return fail(
      'not a sockudo driver package',
      `sockudoDriver.create is ${describe(driver.create)}, expected a function create(options, context)`,
    );
  }

  const context: DriverContextV1 = {
    logger: options.logger,
    configKey: key,
    optionsKey: plan.optionsKey,
    baseDirectory: options.baseDirectory ?? options.searchDirectories[0] ?? process.cwd(),
    serverVersion: serverVersion(),
  };
  let instance: unknown;
  try {
    instance = await (driver.create as (o: unknown, c: DriverContextV1) => unknown)(
      structuredClone(plan.options),
      context,
    );
  } catch (error) {
    return fail(`create() rejected the settings in ${plan.optionsKey}`, error as Error, error);
  }
  const object = instance as Record<string, unknown> | null | undefined;
  if (typeof object !== 'object' || object === null) {
    return fail('create() returned no driver', `expected a ${kind} object, got ${describe(instance)}`);
  }
  // Transports come in two versions (TransportV2 routes by interest); every other contract in one.
  const versions = kind === 'adapter' ? [1, 2] : [1];
  if (!versions.includes(object.specVersion as number)) {
    return fail(
      'create() returned an unsupported object',
      `its specVersion is ${describe(object.specVersion)}, expected ${versions.join(' or ')}`,
    );
  }
  const required =
    kind === 'adapter' && object.specVersion === 2
      ? [...REQUIRED_METHODS.adapter, ...ROUTED_TRANSPORT_METHODS]
      : REQUIRED_METHODS[kind];
  const missing = required.filter((method) => typeof object[method] !== 'function');
  if (missing.length > 0) {
    await (object.close as (() => Promise<void>) | undefined)?.call(object)?.catch?.(() => {});
    return fail(
      'create() returned an incomplete driver',
      `the ${kind} object has no ${missing.map((method) => `${method}()`).join(', ')}`,
    );
  }
  return instance as DriverInstanceV1[Kind];
}
