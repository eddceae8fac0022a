// The configuration as a plain object while it is loaded: dot paths into it, the schema's defaults,
// the file merged over them, the keys the schema does not know, and the type each key is checked against.

import { CONFIG_KEYS, CONFIG_SCHEMA, type ConfigKeySpec, RUST_SOCKUDO_ONLY_KEYS } from './config-schema.js';
import { parseBoolean } from './config-value.js';

/** A config object before validation: JSON as read, then with defaults, environment and flags applied. */
export type RawRecord = Record<string, unknown>;

/** Where a key's value came from (defaults have none). */
export type Origin = 'file' | 'env' | 'flag';

/** A JSON object (not an array, not null). */
export function isRecord(value: unknown): value is RawRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The value at a dot path (`adapter.redis.prefix`), and whether it is there at all. */
export function getPath(root: RawRecord, path: string): { found: boolean; value?: unknown } {
  let node: unknown = root;
  for (const part of path.split('.')) {
    if (!isRecord(node) || !(part in node)) return { found: false };
    node = node[part];
  }
  return { found: true, value: node };
}

/** Sets the value at a dot path, creating the objects on the way. */
export function setPath(root: RawRecord, path: string, value: unknown): void {
  const parts = path.split('.');
  const last = parts.pop()!;
  let node = root;
  for (const part of parts) {
    if (!isRecord(node[part])) node[part] = {};
    node = node[part] as RawRecord;
  }
  node[last] = value;
}

/** Removes the key at a dot path, if it is there. */
export function deletePath(root: RawRecord, path: string): void {
  const parts = path.split('.');
  const last = parts.pop()!;
  const parent = parts.length === 0 ? { found: true, value: root } : getPath(root, parts.join('.'));
  if (isRecord(parent.value)) delete parent.value[last];
}

/** Every key's default, and an empty object for every section. */
export function defaults(): RawRecord {
  const root: RawRecord = {};
  for (const spec of CONFIG_SCHEMA) {
    if (spec.type.kind === 'section') setPath(root, spec.path, {});
    else if (spec.default !== undefined) setPath(root, spec.path, structuredClone(spec.default));
  }
  return root;
}

/** Deep-merges the file over the defaults; leaves (including arrays and free-form objects) replace. */
export function mergeFile(
  target: RawRecord,
  source: RawRecord,
  prefix: string,
  origins: Map<string, Origin>,
): void {
  for (const [key, value] of Object.entries(source)) {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    const spec = CONFIG_KEYS.get(path);
    const current = target[key];
    if ((spec === undefined || spec.type.kind === 'section') && isRecord(value) && isRecord(current)) {
      mergeFile(current, value, path, origins);
    } else {
      target[key] = value;
      if (spec) origins.set(path, 'file');
    }
  }
}

/** Keys of the file the schema does not list, sorted into three kinds of warning. */
export function unknownKeys(
  data: RawRecord,
  prefix: string,
  found: { rustOnly: string[]; passedThrough: string[]; unknown: string[] },
): void {
  const parent = prefix === '' ? undefined : CONFIG_KEYS.get(prefix);
  for (const [key, value] of Object.entries(data)) {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    const spec = CONFIG_KEYS.get(path);
    if (spec === undefined) {
      if (prefix === '' && RUST_SOCKUDO_ONLY_KEYS.includes(key)) found.rustOnly.push(path);
      else if (parent?.type.kind === 'section' && parent.type.open) found.passedThrough.push(path);
      else found.unknown.push(path);
    } else if (spec.type.kind === 'section' && isRecord(value)) {
      unknownKeys(value, path, found);
    }
  }
}

/** Drops keys the schema does not know, except inside open sections (passed through to drivers). */
export function prune(node: RawRecord, prefix: string): RawRecord {
  const parent = prefix === '' ? undefined : CONFIG_KEYS.get(prefix);
  const open = parent?.type.kind === 'section' && parent.type.open;
  const out: RawRecord = {};
  for (const [key, value] of Object.entries(node)) {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    const spec = CONFIG_KEYS.get(path);
    if (spec?.type.kind === 'section' && isRecord(value)) out[key] = prune(value, path);
    else if (spec !== undefined || open) out[key] = value;
  }
  return out;
}

/**
 * The type to check a key against: a driver whose feature is switched off (`enabledBy` is false) accepts
 * every built-in name, not only the available ones.
 */
export function effectiveType(spec: ConfigKeySpec, raw: RawRecord): ConfigKeySpec['type'] {
  if (spec.type.kind !== 'driver' || spec.enabledBy === undefined) return spec.type;
  const enabled = getPath(raw, spec.enabledBy).value;
  const off = enabled === false || (typeof enabled === 'string' && parseBoolean(enabled) === false);
  return off ? { ...spec.type, available: spec.type.values } : spec.type;
}
