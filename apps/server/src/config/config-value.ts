// Checks one value against its schema type and turns environment strings into typed values. Messages
// say what was expected and what was found; the caller prefixes the key or variable name.

import type { ConfigType } from './config-schema.js';
import { isPackageDriverName } from './driver-names.js';

/**
 * The outcome of {@link checkValue}: the typed value, or why it is wrong. `at` names the offending item
 * inside the value (`[1]`), to be appended to the key.
 */
export type ValueCheck = { ok: true; value: unknown } | { ok: false; message: string; at?: string };

const TRUE_WORDS = new Set(['true', '1', 'yes', 'on']);
const FALSE_WORDS = new Set(['false', '0', 'no', 'off']);
const NUMBER_TEXT = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** How a value reads in a message: strings quoted, containers named. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return JSON.stringify(value);
}

/** What a type accepts, as the end of "expected ...". */
export function describeType(type: ConfigType): string {
  switch (type.kind) {
    case 'string':
      return type.nonEmpty ? 'a non-empty string' : 'a string';
    case 'number': {
      if (type.auto) return `${describeType({ ...type, auto: false })} or "auto"`;
      const noun = type.integer ? 'an integer' : 'a number';
      if (type.min !== undefined && type.max !== undefined) return `${noun} ${type.min}–${type.max}`;
      if (type.min === 0) return type.integer ? 'a non-negative integer' : 'a non-negative number';
      if (type.min === 1 && type.integer) return 'a positive integer';
      if (type.min !== undefined) return `${noun} ≥ ${type.min}`;
      return noun;
    }
    case 'boolean':
      return 'true or false';
    case 'enum':
      return `one of ${type.values.join(', ')}`;
    case 'driver':
      return `one of ${type.available.join(', ')}`;
    case 'array':
      return 'an array of strings';
    case 'url': {
      const [first, ...rest] = type.schemes;
      const article = /^[aeiouh]/.test(first ?? '') ? 'an' : 'a';
      const others = rest.length > 0 ? ` (or ${rest.map((scheme) => `${scheme}://`).join(', ')})` : '';
      return `${article} ${first}:// URL${others}`;
    }
    case 'nodes':
      return 'an array of "host:port" strings, redis:// URLs or {"host","port"} objects';
    case 'object':
    case 'section':
      return 'an object';
    case 'apps':
      return 'an array of apps';
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** True for a URL with one of `schemes` and a host. */
export function isUrlWithScheme(value: string, schemes: readonly string[]): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  return schemes.includes(url.protocol.slice(0, -1)) && url.hostname !== '';
}

const HOST_PORT = /^(\[[0-9a-fA-F:.]+\]|[^\s:/[\]@]+)(:\d{1,5})?$/;
const NODE_EXPECTED = 'expected "host:port", a redis:// URL or {"host","port"}';

/** Checks one Redis seed node; undefined when it is fine, else the message. */
function nodeProblem(node: unknown): string | undefined {
  if (typeof node === 'string') {
    const text = node.trim();
    if (/^rediss?:\/\//i.test(text)) {
      return isUrlWithScheme(text, ['redis', 'rediss'])
        ? undefined
        : `${NODE_EXPECTED}, got ${describeValue(node)}`;
    }
    const match = HOST_PORT.exec(text);
    const port = match?.[2] ? Number(match[2].slice(1)) : 6379;
    return match && port >= 1 && port <= 65535 ? undefined : `${NODE_EXPECTED}, got ${describeValue(node)}`;
  }
  if (isPlainObject(node)) {
    const port = typeof node.port === 'string' ? Number(node.port) : node.port;
    if (typeof node.host !== 'string' || node.host.trim() === '')
      return `${NODE_EXPECTED}, got an object without host`;
    if (
      node.port !== undefined &&
      !(Number.isInteger(port) && (port as number) >= 1 && (port as number) <= 65535)
    ) {
      return `${NODE_EXPECTED}, got port ${describeValue(node.port)}`;
    }
    return undefined;
  }
  return `${NODE_EXPECTED}, got ${describeValue(node)}`;
}

/** Parses an environment-style boolean; undefined when the text is not one. */
export function parseBoolean(text: string): boolean | undefined {
  const word = text.trim().toLowerCase();
  if (TRUE_WORDS.has(word)) return true;
  if (FALSE_WORDS.has(word)) return false;
  return undefined;
}

function fromText(type: ConfigType, text: string): ValueCheck {
  const fail = (): ValueCheck => ({
    ok: false,
    message: `expected ${describeType(type)}, got ${JSON.stringify(text)}`,
  });
  switch (type.kind) {
    case 'number':
      if (type.auto && text.trim().toLowerCase() === 'auto') return { ok: true, value: 0 };
      return NUMBER_TEXT.test(text.trim()) ? { ok: true, value: Number(text.trim()) } : fail();
    case 'boolean': {
      const value = parseBoolean(text);
      return value === undefined ? fail() : { ok: true, value };
    }
    case 'enum':
    case 'driver':
      return { ok: true, value: text.trim().toLowerCase() };
    case 'array':
    case 'nodes':
      if (text.trim().startsWith('[')) {
        try {
          return { ok: true, value: JSON.parse(text) };
        } catch {
          return {
            ok: false,
            message: `expected a JSON array or comma-separated list, got ${JSON.stringify(text)}`,
          };
        }
      }
      return {
        ok: true,
        value: text
          .split(',')
          .map((part) => part.trim())
          .filter((part) => part !== ''),
      };
    case 'object':
      try {
        return { ok: true, value: JSON.parse(text) };
      } catch {
        return { ok: false, message: `expected a JSON object, got ${JSON.stringify(text)}` };
      }
    case 'section':
    case 'apps':
      return { ok: false, message: 'cannot be set from a single value' };
    case 'string':
      return { ok: true, value: text };
    case 'url':
      return { ok: true, value: text.trim() };
  }
}

function checkDriver(type: Extract<ConfigType, { kind: 'driver' }>, value: string): ValueCheck {
  if (type.available.includes(value)) return { ok: true, value };
  const available = type.available.join(', ');
  if (type.values.includes(value)) {
    return {
      ok: false,
      message: `driver "${value}" is not available yet in this release; expected one of ${available}`,
    };
  }
  // A driver package is only imported by `sockudo start`; here its name is checked, nothing is loaded.
  if (isPackageDriverName(value)) return { ok: true, value };
  const partly = type.available.length < type.values.length ? ` (this release implements ${available})` : '';
  return {
    ok: false,
    message: `unknown driver ${JSON.stringify(value)}; expected one of ${type.values.join(', ')}${partly}, or a driver package name (an npm name with a scope or a hyphen, e.g. "sockudo-<role>-${value}")`,
  };
}

/**
 * Checks `value` against `type`. Strings are converted for number and boolean keys everywhere (a
 * config file may quote a `${VAR}` substitution); with `fromEnvironment`, arrays and objects are parsed
 * from text (comma list or JSON) and enum/driver names are lower-cased, as Rust Sockudo does.
 */
export function checkValue(type: ConfigType, value: unknown, fromEnvironment = false): ValueCheck {
  // Messages quote what the user wrote ("99999"), not what it was converted to.
  const original = value;
  if (typeof value === 'string' && (fromEnvironment || type.kind === 'number' || type.kind === 'boolean')) {
    const converted = fromText(type, value);
    if (!converted.ok) return converted;
    value = converted.value;
  }
  const fail = (): ValueCheck => ({
    ok: false,
    message: `expected ${describeType(type)}, got ${describeValue(original)}`,
  });
  switch (type.kind) {
    case 'string':
      if (typeof value !== 'string' || (type.nonEmpty && value.trim() === '')) return fail();
      return { ok: true, value };
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) return fail();
      if (type.integer && !Number.isInteger(value)) return fail();
      if (type.min !== undefined && value < type.min) return fail();
      if (type.max !== undefined && value > type.max) return fail();
      return { ok: true, value };
    case 'boolean':
      return typeof value === 'boolean' ? { ok: true, value } : fail();
    case 'enum':
      return typeof value === 'string' && type.values.includes(value) ? { ok: true, value } : fail();
    case 'driver':
      return typeof value === 'string' ? checkDriver(type, value) : fail();
    case 'array':
      return Array.isArray(value) && value.every((item) => typeof item === 'string')
        ? { ok: true, value }
        : fail();
    case 'url':
      return typeof value === 'string' && isUrlWithScheme(value, type.schemes) ? { ok: true, value } : fail();
    case 'nodes': {
      if (!Array.isArray(value)) return fail();
      for (const [index, node] of value.entries()) {
        const problem = nodeProblem(node);
        if (problem !== undefined) return { ok: false, message: problem, at: `[${index}]` };
      }
      return { ok: true, value };
    }
    case 'object':
    case 'section':
      return isPlainObject(value) ? { ok: true, value } : fail();
    case 'apps':
      return Array.isArray(value) ? { ok: true, value } : fail();
  }
}
