// One frame, two wires. A frame that carries V2-only fields (`tags`, `extras`, and `message_id`,
// `stream_id`, `serial` of a channel with history) starts with them, `{"serial":7,"extras":{…},"event":…}`, so a
// fan-out tells at once whether its V1 and V2 copies differ, and the frame crosses the cluster
// unchanged. V1 sockets get it without them (byte for byte the Pusher frame); V2 sockets get
// `sockudo:` names and the V2 fields last, in Rust Sockudo's field order.

import { randomUUID } from 'node:crypto';
import { SOCKUDO_EVENT_PREFIX, SOCKUDO_INTERNAL_PREFIX } from '@sockudo/protocol';

const EXTRAS_LEAD = '{"extras":';
const TAGS_LEAD = '{"tags":';
const PUSHER_LEAD = '{"event":"pusher:';
const PUSHER_INTERNAL_LEAD = '{"event":"pusher_internal:';
const V2_LEAD = `{"event":"${SOCKUDO_EVENT_PREFIX}`;
const V2_INTERNAL_LEAD = `{"event":"${SOCKUDO_INTERNAL_PREFIX}`;
const EVENT_LEAD = '{"event":"';
const EVENT_MEMBER_LEAD = '{"event":';

/**
 * The V2-only members a frame may lead with, in the order Rust Sockudo serialises them after `user_id`
 * (`PusherMessage`): a V2 socket gets them last, in this order; a V1 socket never sees them.
 */
export const V2_FIELD_ORDER: readonly string[] = Object.freeze([
  'tags',
  'sequence',
  'conflation_key',
  'message_id',
  'stream_id',
  'serial',
  'extras',
  '__delta_seq',
  '__conflation_key',
]);
const V2_LEADS = V2_FIELD_ORDER.map((key) => `{"${key}":`);

/** `frame` (a JSON object whose first field is `event`) carrying `extrasJson` (a JSON object). */
export function withExtras(frame: string, extrasJson: string): string {
  if (!hasExtras(frame)) return `${EXTRAS_LEAD}${extrasJson},${frame.slice(1)}`;
  return withV2Fields(frame, { extras: extrasJson });
}

/** `frame` carrying the event's `tags` (a JSON object, keys sorted), which lead every other V2 field. */
export function withTags(frame: string, tagsJson: string): string {
  return withV2Fields(frame, { tags: tagsJson });
}

/**
 * `frame` carrying the V2-only `fields` (name → the member's JSON value) besides those it already
 * leads with; a field given again replaces the old value. Members stay in {@link V2_FIELD_ORDER}.
 */
export function withV2Fields(frame: string, fields: Readonly<Record<string, string>>): string {
  const { base, members } = split(frame);
  const merged = new Map(members);
  for (const [key, value] of Object.entries(fields)) merged.set(key, value);
  let lead = '';
  for (const key of V2_FIELD_ORDER) {
    const value = merged.get(key);
    if (value !== undefined) lead += `"${key}":${value},`;
  }
  return lead === '' ? base : `{${lead}${base.slice(1)}`;
}

/** The V2-only members `frame` leads with (name → JSON value); empty for a plain Pusher frame. */
export function v2FieldsOf(frame: string): ReadonlyMap<string, string> {
  return new Map(split(frame).members);
}

/** Whether `frame` carries V2-only fields, so its V1 and V2 copies differ beyond event names. */
export function hasExtras(frame: string): boolean {
  if (frame.startsWith(EVENT_MEMBER_LEAD)) return false;
  for (const lead of V2_LEADS) if (frame.startsWith(lead)) return true;
  return false;
}

/** Where the JSON value starting at `start` ends (the index after it); -1 when it does not close. */
function valueEnd(text: string, start: number): number {
  const first = text.charCodeAt(start);
  if (first !== 0x7b && first !== 0x5b && first !== 0x22) {
    // A number, true, false or null: up to the next comma or closing brace.
    for (let i = start; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 0x2c || c === 0x7d || c === 0x5d) return i;
    }
    return -1;
  }
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) {
        inString = false;
        if (depth === 0) return i + 1;
      }
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

/**
 * The frame without its leading V2 members, and those members (name → raw JSON value) in the order
 * they lead. A frame that does not lead with known V2 members comes back whole, with none.
 */
function split(frame: string): { base: string; members: Array<[string, string]> } {
  const members: Array<[string, string]> = [];
  if (!hasExtras(frame)) return { base: frame, members };
  let i = 1;
  while (frame.charCodeAt(i) === 0x22) {
    const keyEnd = frame.indexOf('"', i + 1);
    if (keyEnd < 0 || frame.charCodeAt(keyEnd + 1) !== 0x3a) break;
    const key = frame.slice(i + 1, keyEnd);
    if (key === 'event') return { base: `{${frame.slice(i)}`, members };
    if (!V2_FIELD_ORDER.includes(key)) break;
    const end = valueEnd(frame, keyEnd + 2);
    if (end < 0 || frame.charCodeAt(end) !== 0x2c) break;
    members.push([key, frame.slice(keyEnd + 2, end)]);
    i = end + 1;
  }
  return { base: frame, members: [] };
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
 * What a V2 socket receives: protocol events renamed (`sockudo:…`, `sockudo_internal:…`), `extras`
 * last. Returns `frame` itself when nothing changes, so a fan-out can reuse the V1 copy.
 */
export function v2Frame(frame: string, includeTags = true): string {
  if (!hasExtras(frame)) return renamed(frame);
  const { base, members } = split(frame);
  const out = renamed(base);
  let tail = '';
  for (const [key, value] of members) if (includeTags || key !== 'tags') tail += `,"${key}":${value}`;
  return tail === '' ? out : `${out.slice(0, -1)}${tail}}`;
}

/** The JSON of the `tags` `frame` carries (see {@link withTags}); undefined when it has none. */
export function frameTagsJson(frame: string): string | undefined {
  // Tags lead every other V2 field (V2_FIELD_ORDER), so a frame with tags starts with them.
  if (!frame.startsWith(TAGS_LEAD)) return undefined;
  const end = valueEnd(frame, TAGS_LEAD.length);
  return end < 0 ? undefined : frame.slice(TAGS_LEAD.length, end);
}

/**
 * A V2 frame for one socket with a fresh `message_id` (a UUID), as Rust Sockudo stamps every message
 * it sends a single V2 socket (`connection_established`, `subscription_succeeded`, errors, ...; not
 * ping and pong). Fan-outs carry one only on channels with history or connection recovery on.
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
