// A published message's `tags` as subscription filters read them: parsed from the frame's leading
// `"tags"` field once per fan-out (and only when some recipient has a tag filter), then looked up by
// each filter without touching the frame again.

import { frameTagsJson } from './v2-frames.js';

/** Matches `value` as Rust's `str::parse::<f64>` accepts it (sign, digits, `.`, exponent, inf, nan). */
const RUST_FLOAT = /^[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|inf|infinity|nan)$/i;

/**
 * `text` as a number the way Rust's `f64` parser reads it, undefined where that parser fails (JS's
 * `Number` is laxer: whitespace, hex, "" and "Infinity" are not numbers to Rust).
 */
export function rustFloat(text: string): number | undefined {
  if (!RUST_FLOAT.test(text)) return undefined;
  const unsigned = text.replace(/^[+-]/, '').toLowerCase();
  const negative = text.startsWith('-');
  if (unsigned === 'nan') return Number.NaN;
  if (unsigned === 'inf' || unsigned === 'infinity') return negative ? -Infinity : Infinity;
  return Number(text);
}

/** A message's tags (string → string), with each value's number reading kept for reuse by filters. */
export class MessageTags {
  private numbers: Map<string, number | undefined> | undefined;

  constructor(private readonly tags: ReadonlyMap<string, string>) {}

  get(key: string): string | undefined {
    return this.tags.get(key);
  }

  has(key: string): boolean {
    return this.tags.has(key);
  }

  /** The tag `key` read as a Rust `f64`; undefined when absent or not a number. */
  number(key: string): number | undefined {
    this.numbers ??= new Map();
    if (this.numbers.has(key)) return this.numbers.get(key);
    const text = this.tags.get(key);
    const value = text === undefined ? undefined : rustFloat(text);
    this.numbers.set(key, value);
    return value;
  }
}

/** The tags of a message published without any: every lookup misses (Rust Sockudo's `EmptyTagMap`). */
export const NO_TAGS = new MessageTags(new Map());

/** Whether a subscription's tag filter lets a message with `tags` through. */
export type TagPredicate = (tags: MessageTags) => boolean;

/** The tags `frame` carries (see `withTags`), {@link NO_TAGS} when it has none. */
export function frameTags(frame: string): MessageTags {
  const json = frameTagsJson(frame);
  if (json === undefined) return NO_TAGS;
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return NO_TAGS;
  }
  if (typeof parsed !== 'object' || parsed === null) return NO_TAGS;
  const tags = new Map<string, string>();
  // Own entries only, into a Map: a tag named `constructor` or `__proto__` is just a tag.
  for (const [key, value] of Object.entries(parsed)) if (typeof value === 'string') tags.set(key, value);
  return new MessageTags(tags);
}
