// The `tags` of a published event (Rust Sockudo's `PusherApiMessage.tags`, a string → string map):
// checked, and serialised once with its keys in sorted order, as Rust Sockudo's `BTreeMap` writes them
// (delta compression needs the same bytes for the same tags).

import { HttpError } from './respond.js';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Rust's `String` order: UTF-8 bytes, which is code point order (not JS's UTF-16 order). */
function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/**
 * The tags of one event (`raw.tags`) as the JSON object V2 sockets receive, or undefined when it has
 * none (absent or null). Rust Sockudo limits neither their number nor their size (the body limit does).
 * @throws HttpError 400 when they are not an object of strings
 */
export function parseTags(raw: unknown, where: string): string | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!isRecord(raw)) throw new HttpError(400, `${where} must be an object of string values`);
  const keys = Object.keys(raw);
  for (const key of keys) {
    if (typeof raw[key] !== 'string') throw new HttpError(400, `${where}.${key} must be a string`);
  }
  keys.sort(compareBytes);
  return `{${keys.map((key) => `${JSON.stringify(key)}:${JSON.stringify(raw[key])}`).join(',')}}`;
}
