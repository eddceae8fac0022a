// What one entry of the configuration schema says, and how the section files nest their entries: a
// section lists its keys by their name inside it, so each file reads like its table in docs/configuration.md.

/** The type of one configuration value. */
export type ConfigType =
  /** A string; `nonEmpty` rejects "". */
  | { kind: 'string'; nonEmpty?: boolean }
  /** A number; `integer` rejects fractions; `min`/`max` are inclusive; `auto` also accepts "auto" (as 0). */
  | { kind: 'number'; integer?: boolean; min?: number; max?: number; auto?: boolean }
  /** `true`/`false` (environment: true/false/1/0/yes/no/on/off). */
  | { kind: 'boolean' }
  /** One of `values`. */
  | { kind: 'enum'; values: readonly string[] }
  /**
   * A driver name. `values` are the built-in names Rust Sockudo knows; only `available` ones are
   * implemented in this release, the rest fail validation with "not available yet".
   */
  | { kind: 'driver'; values: readonly string[]; available: readonly string[] }
  /** An array of strings (environment: comma-separated, or a JSON array). */
  | { kind: 'array' }
  /** A URL with one of `schemes` (without `:`), e.g. `redis://host:6379/0`. */
  | { kind: 'url'; schemes: readonly string[] }
  /**
   * Redis (Cluster) seed nodes: `"host:port"` or `"redis://host:port"` strings, or `{ "host", "port" }`
   * objects as Rust Sockudo's `database.redis.cluster_nodes` has them (environment: comma-separated).
   */
  | { kind: 'nodes' }
  /** A free-form object, passed through as is (environment: JSON). */
  | { kind: 'object' }
  /**
   * A group of keys. `open` sections accept keys this table does not list (Rust Sockudo has many
   * transport-specific settings) without a warning.
   */
  | { kind: 'section'; open: boolean }
  /** An array of app records, each checked by `appFromRecord` from @sockudo/core. */
  | { kind: 'apps' };

/** One configuration key. */
export interface ConfigKeySpec {
  /** Dot path in config.json, snake_case as in Rust Sockudo, e.g. `adapter.driver`. */
  readonly path: string;
  readonly type: ConfigType;
  /** The value used when nothing sets the key; `undefined` = unset. */
  readonly default?: unknown;
  /** Environment variables that set the key, in priority order: the first one set wins. */
  readonly env?: readonly string[];
  /**
   * Environment variables from `env` whose unrecognised values are ignored rather than rejected
   * (`DEBUG` is also used by the `debug` npm package, e.g. `DEBUG=express:*`).
   */
  readonly lenientEnv?: readonly string[];
  /** One line for the configuration reference. */
  readonly description: string;
  /** Masked by `sockudo config check` and never logged. */
  readonly secret?: boolean;
  /**
   * For a driver: the boolean key that switches the feature on. While it is false, any built-in driver
   * name is accepted, so a config that names a later driver for a disabled feature still loads.
   */
  readonly enabledBy?: string;
  /**
   * False when the key is accepted (so Rust Sockudo configs load unchanged) but has no effect in this
   * release. @default true
   */
  readonly applied?: boolean;
}

/** The `SOCKUDO_DEFAULT_APP_*` variables, each with the app record field it sets. */
export interface DefaultAppEnvSpec {
  /** Variables in priority order: the first one set wins. */
  readonly env: readonly string[];
  /** The snake_case app record field (`appFromRecord` names). */
  readonly field: string;
  readonly type: { kind: 'string' } | { kind: 'number' } | { kind: 'boolean' } | { kind: 'array' };
  readonly description: string;
  readonly secret?: boolean;
}

/** Environment variables that do not map one-to-one onto a key. */
export interface EnvExtraSpec {
  readonly env: string;
  readonly type: { kind: 'string' } | { kind: 'boolean' };
  readonly description: string;
  /** The keys it changes. */
  readonly sets: readonly string[];
}

/** A key as its section lists it: `key` is its name inside the section (`driver` in `adapter`). */
export type KeyEntry = Omit<ConfigKeySpec, 'path'> & { readonly key: string };

/** What a section lists: its keys, and the entries of its sub-sections. */
export type SectionMember = KeyEntry | readonly ConfigKeySpec[];

function under(prefix: string, members: readonly SectionMember[]): ConfigKeySpec[] {
  return members.flatMap((member) => {
    if (!('key' in member)) {
      return member.map((spec) => ({ ...spec, path: `${prefix}.${spec.path}` }));
    }
    const { key, ...spec } = member;
    return [{ path: `${prefix}.${key}`, ...spec }];
  });
}

function group(
  path: string,
  open: boolean,
  description: string,
  members: readonly SectionMember[],
): ConfigKeySpec[] {
  return [{ path, type: { kind: 'section', open }, description }, ...under(path, members)];
}

/**
 * A section whose keys are all listed: a key it does not know is warned about and dropped. Inside
 * another section, `path` is relative to it.
 */
export function section(
  path: string,
  description: string,
  members: readonly SectionMember[],
): ConfigKeySpec[] {
  return group(path, false, description, members);
}

/**
 * A section that also passes keys it does not list through to the drivers (Rust Sockudo has many
 * transport-specific settings), with a warning that this release does not use them.
 */
export function openSection(
  path: string,
  description: string,
  members: readonly SectionMember[],
): ConfigKeySpec[] {
  return group(path, true, description, members);
}

/** Keys of the top level of config.json (`host`, `port`, ...). */
export function topLevel(members: readonly KeyEntry[]): ConfigKeySpec[] {
  return members.map(({ key, ...spec }) => ({ path: key, ...spec }));
}
