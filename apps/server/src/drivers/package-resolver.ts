// Finds a driver package the way Node's ESM loader would from a given directory, for several
// directories in turn (the config file's, the working directory, this package's own). Node 20's
// `import.meta.resolve` cannot take a parent URL without a flag, and `createRequire().resolve` uses the
// `require` conditions (it fails on import-only packages), so this walks `node_modules` itself and
// reads `exports` with the `node`/`import`/`default` conditions, then `main`.

import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Conditions an ESM `import()` under Node matches in `exports`, in the loader's terms. */
const CONDITIONS = new Set(['node', 'import', 'default']);

/** Where {@link resolvePackage} found a package. */
export interface ResolvedPackage {
  /** The package name, `@scope/name` or `name`. */
  name: string;
  /** The package's directory (symlinks resolved). */
  directory: string;
  /** The entry file as a `file:` URL, ready for `import()`. */
  url: string;
  /** The search directory it was found from. */
  foundFrom: string;
  /** `version` of its package.json, when it has one. */
  version?: string;
}

/** Thrown when no search directory has the package in a `node_modules` on its way up. */
export class PackageNotFoundError extends Error {
  override name = 'PackageNotFoundError';
  constructor(
    readonly packageName: string,
    /** The directories whose `node_modules` (and their parents') were searched, in order. */
    readonly searched: readonly string[],
  ) {
    super(`cannot find package ${JSON.stringify(packageName)} from ${searched.join(', ')}`);
  }
}

/** Thrown when the package is there but has no entry for the requested subpath. */
export class PackageEntryError extends Error {
  override name = 'PackageEntryError';
}

/** Splits `@scope/name/sub/path` into the package name and the `exports` subpath (`.` or `./sub/path`). */
export function splitSpecifier(specifier: string): { name: string; subpath: string } {
  const parts = specifier.split('/');
  const count = specifier.startsWith('@') ? 2 : 1;
  const name = parts.slice(0, count).join('/');
  const rest = parts.slice(count);
  return { name, subpath: rest.length === 0 ? '.' : `./${rest.join('/')}` };
}

/** The first `node_modules/<name>` directory from `from` upwards, as Node looks for it; undefined when none. */
export function findPackageDirectory(name: string, from: string): string | undefined {
  let directory = resolve(from);
  for (;;) {
    const candidate = join(directory, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return realpathSync(candidate);
    const parent = dirname(directory);
    if (parent === directory) return undefined;
    directory = parent;
  }
}

/** The target of one `exports` value for our conditions; undefined when nothing matches. */
function conditionalTarget(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) {
    for (const item of value) {
      const target = conditionalTarget(item);
      if (target !== undefined) return target;
    }
    return undefined;
  }
  if (typeof value === 'object' && value !== null) {
    // Conditions are tried in the order the package lists them, as Node does.
    for (const [condition, nested] of Object.entries(value)) {
      if (!CONDITIONS.has(condition)) continue;
      const target = conditionalTarget(nested);
      if (target !== undefined) return target;
    }
  }
  return undefined;
}

/** `exports` for `subpath`: exact keys and `./prefix/*` patterns; undefined when not exported. */
export function exportsTarget(exports: unknown, subpath: string): string | undefined {
  const isSubpathMap =
    typeof exports === 'object' &&
    exports !== null &&
    !Array.isArray(exports) &&
    Object.keys(exports).some((key) => key.startsWith('.'));
  if (!isSubpathMap) return subpath === '.' ? conditionalTarget(exports) : undefined;
  const map = exports as Record<string, unknown>;
  if (subpath in map) return conditionalTarget(map[subpath]);
  for (const [key, value] of Object.entries(map)) {
    const star = key.indexOf('*');
    if (star === -1) continue;
    const before = key.slice(0, star);
    const after = key.slice(star + 1);
    if (subpath.startsWith(before) && subpath.endsWith(after) && subpath.length >= key.length - 1) {
      const match = subpath.slice(before.length, subpath.length - after.length);
      return conditionalTarget(value)?.replaceAll('*', match);
    }
  }
  return undefined;
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** The entry file of a package without `exports`: `main` (with Node's legacy extension guesses), else index.js. */
function legacyEntry(directory: string, main: unknown, subpath: string): string | undefined {
  const base = subpath === '.' ? (typeof main === 'string' && main !== '' ? main : 'index.js') : subpath;
  const path = join(directory, base);
  for (const candidate of [path, `${path}.js`, `${path}.mjs`, join(path, 'index.js')]) {
    if (isFile(candidate)) return candidate;
  }
  return undefined;
}

/**
 * The entry file of the package in `directory` for `subpath` (`.` for the package itself).
 *
 * @throws PackageEntryError when the package does not export the subpath or its entry file is missing
 */
export function packageEntry(directory: string, subpath: string): { file: string; version?: string } {
  const manifest = JSON.parse(readFileSync(join(directory, 'package.json'), 'utf8')) as {
    name?: string;
    version?: string;
    exports?: unknown;
    main?: unknown;
  };
  const version = typeof manifest.version === 'string' ? manifest.version : undefined;
  let file: string | undefined;
  if (manifest.exports !== undefined) {
    const target = exportsTarget(manifest.exports, subpath);
    if (target === undefined || !target.startsWith('./')) {
      throw new PackageEntryError(
        `its package.json "exports" has no ${subpath === '.' ? 'main entry' : `"${subpath}" entry`} for import (conditions node, import, default)`,
      );
    }
    file = join(directory, target);
    if (!isFile(file))
      throw new PackageEntryError(`its entry file ${file} is missing (is the package built?)`);
  } else {
    file = legacyEntry(directory, manifest.main, subpath);
    if (file === undefined) {
      throw new PackageEntryError(
        `it has no entry file for ${subpath === '.' ? 'its main entry' : subpath} (no "exports", and "main" or index.js is missing)`,
      );
    }
  }
  return { file, ...(version !== undefined && { version }) };
}

/**
 * Resolves `specifier` (a package name, optionally with a subpath) from each directory of `from` in
 * turn, as `import()` would from a file in that directory; the first directory whose `node_modules`
 * chain has the package wins.
 *
 * @throws PackageNotFoundError when none has it
 * @throws PackageEntryError when the package found has no usable entry
 */
export function resolvePackage(specifier: string, from: readonly string[]): ResolvedPackage {
  const { name, subpath } = splitSpecifier(specifier);
  const searched = [...new Set(from.map((directory) => resolve(directory)))];
  for (const directory of searched) {
    const packageDirectory = findPackageDirectory(name, directory);
    if (packageDirectory === undefined) continue;
    const entry = packageEntry(packageDirectory, subpath);
    return {
      name,
      directory: packageDirectory,
      url: pathToFileURL(entry.file).href,
      foundFrom: directory,
      ...(entry.version !== undefined && { version: entry.version }),
    };
  }
  throw new PackageNotFoundError(name, searched);
}
