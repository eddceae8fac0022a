// Rust Sockudo accepts several spellings of some drivers; the registry works with one name each. Any
// other value that reads as an npm package name is a driver package (see isPackageDriverName).

/** A built-in driver name with Rust Sockudo's aliases resolved (`redis_cluster` → `redis-cluster`, ...). */
export function canonicalDriver(name: string): string {
  switch (name) {
    case 'redis_cluster':
      return 'redis-cluster';
    case 'array':
    case 'sync':
      return 'memory';
    case 'pgsql':
    case 'postgresql':
      return 'postgres';
    default:
      return name;
  }
}

// npm package names: optional @scope/, lower case, URL-safe characters, at most 214 characters.
const PACKAGE_NAME = /^(@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*$/;
// The built-in names that would otherwise read as package names.
const HYPHENATED_BUILT_INS = new Set(['redis-cluster']);

/**
 * True when a driver value names a driver package rather than a built-in driver: an npm package name
 * that has a scope (`@acme/sockudo-queue-sqs`) or a hyphen (`sockudo-adapter-pg-notify`) and is not a
 * built-in name (`redis-cluster` has a hyphen too). A plain word without a hyphen
 * (`kafka`, `rediss`) is not a package: it is far more often a typo of a built-in name, and reporting it
 * as an unknown driver beats a failed package lookup.
 */
export function isPackageDriverName(value: string): boolean {
  return (
    value.length <= 214 &&
    PACKAGE_NAME.test(value) &&
    (value.startsWith('@') || value.includes('-')) &&
    !HYPHENATED_BUILT_INS.has(value)
  );
}

/** A config section that can name a driver, and the contract kind a driver package there must have. */
export type DriverSection = 'adapter' | 'app_manager' | 'cache' | 'queue' | 'rate_limiter';
