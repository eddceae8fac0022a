// Fuzzing the pure parts of the V2 extensions with seeded inputs: frames with tags and extras round-trip
// to both wires, and the parsers of extras, tags, event-name and tag filters and idempotency keys answer
// every input with a value, a 400 or Rust Sockudo's refusal, never anything else.

import { describe, expect, it } from 'vitest';
import { eventNameFilter } from '../../src/channels/event-name-filter.js';
import { subscriptionTagFilter } from '../../src/channels/tag-filter.js';
import { EXTENSION_DEFAULTS } from '../../src/engine/extension-settings.js';
import { eventIdempotencyKey, headerIdempotencyKey } from '../../src/http/idempotency.js';
import { parseExtras } from '../../src/http/message-extras.js';
import { parseTags } from '../../src/http/message-tags.js';
import { HttpError } from '../../src/http/respond.js';
import { frameTags, MessageTags } from '../../src/wire/frame-tags.js';
import { channelEventFrame, errorFrame, rawChannelEventFrame } from '../../src/wire/frames.js';
import { frameEventName, v1Frame, v2Frame, withExtras, withTags } from '../../src/wire/v2-frames.js';
import { Fuzz } from '../helpers/fuzz.js';

const CASES = 2000;

function renamed(event: string): string {
  if (event.startsWith('pusher:')) return `sockudo:${event.slice(7)}`;
  if (event.startsWith('pusher_internal:')) return `sockudo_internal:${event.slice(16)}`;
  return event;
}

/** Runs `check`, and on failure says which case (and seed) it was. */
function each(fuzz: Fuzz, check: (i: number) => void): void {
  for (let i = 0; i < CASES; i++) {
    try {
      check(i);
    } catch (error) {
      throw new Error(`case ${i} of seed ${fuzz.seed}: ${(error as Error).message}`);
    }
  }
}

describe('fuzz: one frame, two wires', () => {
  it('a frame with any extras gives back the Pusher frame for V1 and the same object plus extras for V2', () => {
    const fuzz = new Fuzz();
    each(fuzz, () => {
      const event = fuzz.pick(['', 'pusher:', 'pusher_internal:', 'client-']) + fuzz.string();
      const channel = fuzz.string();
      const frame =
        fuzz.next() < 0.5
          ? channelEventFrame(event, channel, fuzz.string(), fuzz.next() < 0.3 ? fuzz.string() : undefined)
          : rawChannelEventFrame(event, channel, JSON.stringify(fuzz.json()));
      const extras = fuzz.object(2, ['headers', 'extras', 'echo', 'ephemeral', 'event']);
      const carried = withExtras(frame, JSON.stringify(extras));

      expect(v1Frame(carried)).toBe(frame);
      expect(v1Frame(frame)).toBe(frame);
      const v2 = JSON.parse(v2Frame(carried));
      expect(v2).toEqual({ ...JSON.parse(frame), event: renamed(event), extras });
      expect(Object.keys(v2).at(-1)).toBe('extras');
      expect(JSON.parse(v2Frame(frame))).toEqual({ ...JSON.parse(frame), event: renamed(event) });
      expect(frameEventName(carried)).toBe(event);
      expect(frameEventName(frame)).toBe(event);
    });
  });

  it('a frame with any tags (and extras) gives V1 the Pusher frame and V2 the tags before the extras', () => {
    const fuzz = new Fuzz(29);
    each(fuzz, () => {
      const event = fuzz.pick(['', 'pusher:', 'client-']) + fuzz.string();
      const frame = channelEventFrame(event, fuzz.string(), fuzz.string());
      const record = Object.fromEntries(
        Array.from({ length: fuzz.int(4) }, () => [fuzz.string(2), fuzz.string(3)]),
      );
      const tagsJson = parseTags(record, 'tags')!;
      const extras = fuzz.next() < 0.5 ? fuzz.object(2, ['headers', 'echo']) : undefined;
      const withV2 = extras === undefined ? frame : withExtras(frame, JSON.stringify(extras));
      const carried = withTags(withV2, tagsJson);

      expect(v1Frame(carried)).toBe(frame);
      const v2 = JSON.parse(v2Frame(carried));
      expect(v2).toEqual({
        ...JSON.parse(frame),
        event: renamed(event),
        tags: record,
        ...(extras && { extras }),
      });
      expect(Object.keys(v2).slice(-2)).toEqual(extras === undefined ? ['data', 'tags'] : ['tags', 'extras']);
      expect(JSON.parse(v2Frame(carried, false))).not.toHaveProperty('tags');
      expect(frameEventName(carried)).toBe(event);
      const read = frameTags(carried);
      for (const [key, value] of Object.entries(record)) expect(read.get(key)).toBe(value);
    });
  });

  it('error frames keep their object data on both wires', () => {
    const fuzz = new Fuzz(7);
    each(fuzz, () => {
      const frame = errorFrame(
        fuzz.pick([null, 4000, 4300]),
        fuzz.string(),
        fuzz.next() < 0.5 ? fuzz.string() : undefined,
      );
      expect(JSON.parse(v2Frame(frame))).toEqual({ ...JSON.parse(frame), event: 'sockudo:error' });
    });
  });
});

describe('fuzz: parsers answer a value or a 400', () => {
  const settings = EXTENSION_DEFAULTS;

  function valueOr400<T>(run: () => T): T | undefined {
    try {
      return run();
    } catch (error) {
      expect(error).toBeInstanceOf(HttpError);
      expect((error as HttpError).status).toBe(400);
      return undefined;
    }
  }

  it('extras: only objects pass, their JSON is an object without push or ai, flags are booleans', () => {
    const fuzz = new Fuzz(11);
    each(fuzz, () => {
      const raw =
        fuzz.next() < 0.8
          ? fuzz.object(2, ['headers', 'ephemeral', 'echo', 'idempotencyKey', 'push', 'ai', 'ref'])
          : fuzz.json();
      const parsed = valueOr400(() => parseExtras(raw, 'extras', settings));
      if (!parsed) return;
      const out = JSON.parse(parsed.json) as Record<string, unknown>;
      expect(typeof out).toBe('object');
      expect('push' in out || 'ai' in out).toBe(false);
      for (const flag of ['ephemeral', 'echo']) if (flag in out) expect(typeof out[flag]).toBe('boolean');
      if (out.headers !== undefined) {
        for (const value of Object.values(out.headers as object))
          expect(['string', 'number', 'boolean']).toContain(typeof value);
      }
      expect(parsed.ephemeral).toBe(out.ephemeral === true);
    });
  });

  it('event-name filters: an error in Rust Sockudo’s words, or a set of non-empty names within the limits', () => {
    const fuzz = new Fuzz(13);
    const limits = { enabled: true, maxEventsPerFilter: 3, maxEventNameLength: 12 };
    each(fuzz, () => {
      const filter =
        fuzz.next() < 0.6
          ? {
              events:
                fuzz.next() < 0.8
                  ? Array.from({ length: fuzz.int(5) }, () =>
                      fuzz.next() < 0.9 ? fuzz.string(3) : fuzz.json(1),
                    )
                  : fuzz.json(1),
              ...(fuzz.next() < 0.3 && { tags: fuzz.json(1) }),
            }
          : fuzz.json(2);
      const request = fuzz.next() < 0.8 ? { channel: 'c', filter } : { channel: 'c', tags_filter: filter };
      const result = eventNameFilter(request as Record<string, unknown>, limits);
      if ('error' in result) {
        expect(result.error).toMatch(/^Invalid message format: /);
        return;
      }
      if (result.events === undefined) return;
      expect(result.events.size).toBeGreaterThan(0);
      expect(result.events.size).toBeLessThanOrEqual(limits.maxEventsPerFilter);
      for (const name of result.events) {
        expect(name).not.toBe('');
        expect(Buffer.byteLength(name)).toBeLessThanOrEqual(limits.maxEventNameLength);
      }
    });
  });

  it('tags: an object of strings as JSON with its keys in sorted order, or a 400', () => {
    const fuzz = new Fuzz(37);
    each(fuzz, () => {
      const raw = fuzz.next() < 0.7 ? fuzz.object(1) : fuzz.json(2);
      const json = valueOr400(() => parseTags(raw, 'event.tags'));
      if (json === undefined) return;
      const parsed = JSON.parse(json) as Record<string, unknown>;
      expect(parsed).toEqual(raw);
      const keys = Object.keys(raw as object).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
      expect(json).toBe(
        `{${keys.map((k) => `${JSON.stringify(k)}:${JSON.stringify(parsed[k])}`).join(',')}}`,
      );
    });
  });

  it('tag filters: Rust Sockudo’s refusal or a predicate that answers a boolean, never a throw', () => {
    const fuzz = new Fuzz(41);
    const node = (depth: number): unknown => {
      if (fuzz.next() < 0.2) return fuzz.json(1);
      const out: Record<string, unknown> = {};
      if (fuzz.next() < 0.5)
        out.op = fuzz.next() < 0.8 ? fuzz.pick(['and', 'or', 'not', 'xor', '']) : fuzz.json(0);
      if (fuzz.next() < 0.6) out.key = fuzz.next() < 0.8 ? fuzz.string(2) : fuzz.json(0);
      if (fuzz.next() < 0.6)
        out.cmp = fuzz.pick(['eq', 'neq', 'in', 'nin', 'ex', 'nex', 'sw', 'gt', 'lte', 'x', '']);
      if (fuzz.next() < 0.5) out.val = fuzz.json(1);
      if (fuzz.next() < 0.3) out.vals = fuzz.next() < 0.8 ? [fuzz.json(0), fuzz.string(2)] : fuzz.json(1);
      if (depth > 0 && fuzz.next() < 0.5)
        out.nodes = Array.from({ length: fuzz.int(3) }, () => node(depth - 1));
      return out;
    };
    let compiled = 0;
    each(fuzz, () => {
      const filter = fuzz.next() < 0.7 ? node(3) : { events: [fuzz.string(2)], tags: node(2) };
      const result = subscriptionTagFilter(
        { channel: 'c', [fuzz.pick(['filter', 'tags_filter'])]: filter },
        true,
      );
      if ('error' in result) {
        expect(result.error).toMatch(
          /^Invalid message format: Invalid (tags filter shape|tags filter|subscription filter): /,
        );
        return;
      }
      if (!result.predicate) return;
      compiled++;
      const tags = new MessageTags(new Map([[fuzz.string(2), fuzz.string(2)]]));
      expect(typeof result.predicate(tags)).toBe('boolean');
    });
    expect(compiled).toBeGreaterThan(20); // most random trees are refused; enough compile to run
  });

  it('idempotency keys: a non-empty string within max_key_length bytes, or a 400', () => {
    const fuzz = new Fuzz(17);
    const idempotency = { enabled: true, ttlSeconds: 60, maxKeyLength: 8 };
    each(fuzz, () => {
      const key = fuzz.next() < 0.7 ? fuzz.string(4) : fuzz.json(1);
      for (const parsed of [
        valueOr400(() => eventIdempotencyKey({ idempotency_key: key }, 'event', idempotency)),
        valueOr400(() => headerIdempotencyKey(typeof key === 'string' ? key : undefined, idempotency)),
      ]) {
        if (parsed === undefined) continue;
        expect(typeof parsed).toBe('string');
        expect(parsed).not.toBe('');
        expect(Buffer.byteLength(parsed)).toBeLessThanOrEqual(8);
      }
    });
  });
});
