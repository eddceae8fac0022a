// Rust Sockudo accepts several spellings of some drivers; the registry works with one name each.

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
