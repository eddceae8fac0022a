// The `extras` envelope of a published event (Rust Sockudo's `MessageExtras`): checked, stripped of
// the flags whose feature is off, and serialised once in Rust Sockudo's field order for V2 sockets.

import type { ExtensionSettings } from '../engine/extension-settings.js';
import { HttpError } from './respond.js';

/** An event's extras, ready for the wire. */
export interface ParsedExtras {
  /** The envelope as V2 sockets receive it. */
  json: string;
  /** `extras.ephemeral` (with the ephemeral feature on): no history, no webhook. */
  ephemeral: boolean;
}

/** Fields Rust Sockudo gives a meaning this server does not serve; refused rather than silently ignored. */
const UNSERVED = new Set(['push', 'ai']);
/** The typed fields, in Rust Sockudo's serialisation order; any other key passes through as is. */
const NATIVE = ['headers', 'ephemeral', 'idempotencyKey', 'echo'] as const;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkHeaders(headers: unknown, where: string): void {
  if (!isRecord(headers)) throw new HttpError(400, `${where}.headers must be an object`);
  for (const [key, value] of Object.entries(headers)) {
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      throw new HttpError(
        400,
        `extras.headers must be a flat object — nested objects and arrays are not allowed (key: '${key}')`,
      );
    }
  }
}

/**
 * The extras of one event (`raw.extras`), or undefined when it has none (or none left once the flags
 * of disabled features are removed, as Rust Sockudo's `sanitize_v2_feature_flags` does).
 * @throws HttpError 400 naming the field that is not of its type
 */
export function parseExtras(
  raw: unknown,
  where: string,
  settings: Pick<ExtensionSettings, 'echoControl' | 'ephemeral'>,
): ParsedExtras | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!isRecord(raw)) throw new HttpError(400, `${where} must be an object`);
  for (const key of UNSERVED) {
    if (raw[key] !== undefined && raw[key] !== null) {
      throw new HttpError(400, `${where}.${key} is not supported by this server`);
    }
  }
  if (raw.headers !== undefined && raw.headers !== null) checkHeaders(raw.headers, where);
  for (const flag of ['ephemeral', 'echo'] as const) {
    if (raw[flag] !== undefined && raw[flag] !== null && typeof raw[flag] !== 'boolean') {
      throw new HttpError(400, `${where}.${flag} must be true or false`);
    }
  }
  if (
    raw.idempotencyKey !== undefined &&
    raw.idempotencyKey !== null &&
    typeof raw.idempotencyKey !== 'string'
  ) {
    throw new HttpError(400, `${where}.idempotencyKey must be a string`);
  }
  const out: Record<string, unknown> = {};
  for (const key of NATIVE) {
    if (raw[key] === undefined || raw[key] === null) continue;
    if (key === 'ephemeral' && !settings.ephemeral.enabled) continue;
    if (key === 'echo' && !settings.echoControl.enabled) continue;
    out[key] = raw[key];
  }
  // Other keys pass through in sorted order, as Rust Sockudo's flattened map serialises them.
  for (const key of Object.keys(raw).sort()) {
    if ((NATIVE as readonly string[]).includes(key) || UNSERVED.has(key)) continue;
    out[key] = raw[key];
  }
  if (Object.keys(out).length === 0) return undefined;
  return { json: JSON.stringify(out), ephemeral: out.ephemeral === true };
}
