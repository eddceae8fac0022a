// One frame, two wires. A frame that carries V2-only fields (`tags`, an `extras` envelope) starts with
// them, `{"tags":{…},"extras":{…},"event":…}`, so a fan-out tells in O(1) whether its V1 and V2 copies
// differ, and the frame crosses the cluster unchanged. V1 sockets get it without them (byte for byte
// the Pusher frame); V2 sockets get `sockudo:` names and `tags`, then `extras`, last, in Rust Sockudo's
// field order.

import { randomUUID } from 'node:crypto';
import { SOCKUDO_EVENT_PREFIX, SOCKUDO_INTERNAL_PREFIX } from '@sockudo/protocol';

const EXTRAS_LEAD = '{"extras":';
const TAGS_LEAD = '{"tags":';
const EXTRAS_FIELD = '"extras":';
const PUSHER_LEAD = '{"event":"pusher:';
const PUSHER_INTERNAL_LEAD = '{"event":"pusher_internal:';
const V2_LEAD = `{"event":"${SOCKUDO_EVENT_PREFIX}`;
const V2_INTERNAL_LEAD = `{"event":"${SOCKUDO_INTERNAL_PREFIX}`;
const EVENT_LEAD = '{"event":"';

/** `frame` (a JSON object whose first field is `event`) carrying `extrasJson` (a JSON object). */
export function withExtras(frame: string, extrasJson: string): string {
  return `${EXTRAS_LEAD}${extrasJson},${frame.slice(1)}`;
}

/** `frame` (as {@link withExtras} returns it, or a plain frame) carrying `tagsJson` (a JSON object). */
export function withTags(frame: string, tagsJson: string): string {
  return `${TAGS_LEAD}${tagsJson},${frame.slice(1)}`;
}

/** Whether `frame` carries V2-only fields, so its V1 and V2 copies differ beyond event names. */
export function hasExtras(frame: string): boolean {
  return frame.startsWith(EXTRAS_LEAD) || frame.startsWith(TAGS_LEAD);
}

/** Where the JSON value starting at `start` ends (the index after it); -1 when it does not close. */
function valueEnd(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) depth++;
    else if (c === 0x7d || c === 0x5d) {
      if (--depth === 0) return i + 1;
    }
  }
  return -1;
}

interface Split {
  base: string;
  tags: string | undefined;
  extras: string | undefined;
}

/** The frame without its V2 fields, and their JSON (undefined for each it lacks). */
function split(frame: string): Split {
  let at = 1;
  let tags: string | undefined;
  let extras: string | undefined;
  if (frame.startsWith(TAGS_LEAD)) {
    const end = valueEnd(frame, TAGS_LEAD.length);
    if (end < 0 || frame.charCodeAt(end) !== 0x2c) return { base: frame, tags: undefined, extras: undefined };
    tags = frame.slice(TAGS_LEAD.length, end);
    at = end + 1;
  }
  if (frame.startsWith(EXTRAS_FIELD, at)) {
    const start = at + EXTRAS_FIELD.length;
    const end = valueEnd(frame, start);
    if (end < 0 || frame.charCodeAt(end) !== 0x2c) return { base: frame, tags: undefined, extras: undefined };
    extras = frame.slice(start, end);
    at = end + 1;
  }
  return { base: at === 1 ? frame : `{${frame.slice(at)}`, tags, extras };
}

/** The JSON of the `tags` `frame` carries (see {@link withTags}); undefined when it has none. */
export function frameTagsJson(frame: string): string | undefined {
  if (!frame.startsWith(TAGS_LEAD)) return undefined;
  const end = valueEnd(frame, TAGS_LEAD.length);
  return end < 0 ? undefined : frame.slice(TAGS_LEAD.length, end);
}

/** What a V1 (Pusher) socket receives: the frame without V2 fields. */
export function v1Frame(frame: string): string {
  return hasExtras(frame) ? split(frame).base : frame;
}

/** `frame` with a `pusher:` / `pusher_internal:` event renamed for V2 (Rust Sockudo's `rewrite_prefix`). */
function renamed(frame: string): string {
  if (frame.startsWith(PUSHER_LEAD)) return V2_LEAD + frame.slice(PUSHER_LEAD.length);
  if (frame.startsWith(PUSHER_INTERNAL_LEAD))
    return V2_INTERNAL_LEAD + frame.slice(PUSHER_INTERNAL_LEAD.length);
  return frame;
}

/**
 * What a V2 socket receives: protocol events renamed (`sockudo:…`, `sockudo_internal:…`), `tags` (unless
 * `includeTags` is false: Rust Sockudo's `tag_filtering.enable_tags`) and `extras` last. Returns `frame`
 * itself when nothing changes, so a fan-out can reuse the V1 copy.
 */
export function v2Frame(frame: string, includeTags = true): string {
  if (!hasExtras(frame)) return renamed(frame);
  const { base, tags, extras } = split(frame);
  const out = renamed(base);
  const tagsField = tags === undefined || !includeTags ? '' : `,"tags":${tags}`;
  const extrasField = extras === undefined ? '' : `,"extras":${extras}`;
  return tagsField === '' && extrasField === '' ? out : `${out.slice(0, -1)}${tagsField}${extrasField}}`;
}

/**
 * A V2 frame for one socket with a fresh `message_id` (a UUID), as Rust Sockudo stamps every message
 * it sends a single V2 socket (`connection_established`, `subscription_succeeded`, errors, ...; not
 * ping and pong). Fan-outs carry none unless history or recovery assign one, which this server lacks.
 */
export function withMessageId(v2: string): string {
  return `${v2.slice(0, -1)},"message_id":"${randomUUID()}"}`;
}

/** The event name of `frame` (for event-name filters); undefined when the frame does not start with one. */
export function frameEventName(frame: string): string | undefined {
  const base = hasExtras(frame) ? split(frame).base : frame;
  if (!base.startsWith(EVENT_LEAD)) return undefined;
  const open = EVENT_LEAD.length - 1;
  let escaped = false;
  for (let i = open + 1; i < base.length; i++) {
    const c = base.charCodeAt(i);
    if (c === 0x5c) {
      escaped = true;
      i++;
    } else if (c === 0x22) {
      if (!escaped) return base.slice(open + 1, i);
      try {
        return JSON.parse(base.slice(open, i + 1)) as string;
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}
