// Tag filters as Rust Sockudo's sockudo-filter defines them: every operator on Rust's own examples, the
// refusals in its words and order, and a seeded property test against a reference evaluator written
// here from the rules (not from the implementation) over random filters and random tags.

import { describe, expect, it } from 'vitest';
import { compileTagFilter, subscriptionTagFilter, TAG_FILTER_LIMITS } from '../../src/channels/tag-filter.js';
import { numberText } from '../../src/channels/tag-filter-node.js';
import { parseTags } from '../../src/http/message-tags.js';
import { frameTags, MessageTags, NO_TAGS, rustFloat, type TagPredicate } from '../../src/wire/frame-tags.js';
import { channelEventFrame } from '../../src/wire/frames.js';
import { v1Frame, v2Frame, withExtras, withTags } from '../../src/wire/v2-frames.js';
import { Fuzz } from '../helpers/fuzz.js';

function compiled(filter: unknown): TagPredicate {
  const result = compileTagFilter(filter);
  if ('error' in result) throw new Error(result.error);
  return result.predicate!;
}

const tags = (record: Record<string, string>) => new MessageTags(new Map(Object.entries(record)));
const refusal = (filter: unknown) => {
  const result = subscriptionTagFilter({ channel: 'c', filter }, false);
  return 'error' in result ? result.error : undefined;
};

describe('tag filter operators (Rust Sockudo’s own cases)', () => {
  it('compares strings, sets, existence, prefixes and numbers', () => {
    const cases: Array<[unknown, Record<string, string>, boolean]> = [
      [{ key: 'event_type', cmp: 'eq', val: 'goal' }, { event_type: 'goal' }, true],
      [{ key: 'event_type', cmp: 'eq', val: 'goal' }, { event_type: 'shot' }, false],
      [{ key: 'event_type', cmp: 'eq', val: 'goal' }, {}, false],
      [{ key: 'event_type', cmp: 'neq', val: 'goal' }, { event_type: 'shot' }, true],
      [{ key: 'event_type', cmp: 'neq', val: 'goal' }, {}, true],
      [{ key: 'event_type', cmp: 'in', vals: ['goal', 'shot'] }, { event_type: 'shot' }, true],
      [{ key: 'event_type', cmp: 'in', vals: ['goal', 'shot'] }, { event_type: 'pass' }, false],
      [{ key: 'event_type', cmp: 'nin', vals: ['goal', 'shot'] }, { event_type: 'pass' }, true],
      [{ key: 'event_type', cmp: 'nin', vals: ['goal', 'shot'] }, {}, true],
      [{ key: 'event_type', cmp: 'ex' }, { event_type: '' }, true],
      [{ key: 'event_type', cmp: 'ex' }, { other_key: 'value' }, false],
      [{ key: 'event_type', cmp: 'nex' }, { other_key: 'value' }, true],
      [{ key: 'ticker', cmp: 'sw', val: 'GOO' }, { ticker: 'GOOGLE' }, true],
      [{ key: 'ticker', cmp: 'ew', val: 'LE' }, { ticker: 'GOOGLE' }, true],
      [{ key: 'ticker', cmp: 'ct', val: 'OOG' }, { ticker: 'GOOGLE' }, true],
      [{ key: 'ticker', cmp: 'ct', val: 'OOG' }, { ticker: 'AAPL' }, false],
      [{ key: 'xG', cmp: 'gt', val: '0.5' }, { xG: '0.85' }, true],
      [{ key: 'xG', cmp: 'gt', val: '0.5' }, { xG: '0.5' }, false],
      [{ key: 'xG', cmp: 'gte', val: '0.5' }, { xG: '0.5' }, true],
      [{ key: 'xG', cmp: 'lt', val: '0.5' }, { xG: '0.3' }, true],
      [{ key: 'xG', cmp: 'lte', val: '0.5' }, { xG: '0.85' }, false],
      [{ key: 'count', cmp: 'gt', val: '42' }, { count: '100' }, true], // numeric, not lexical
      [{ key: 'count', cmp: 'gt', val: '42' }, { count: 'many' }, false],
      [{ key: 'count', cmp: 'gt', val: '42' }, {}, false],
      [{ key: 'price', cmp: 'gte', val: 99.5 }, { price: '150.25' }, true],
      [{ key: 'user_id', cmp: 'eq', val: 12345 }, { user_id: '12345' }, true],
      [{ key: 'temperature', cmp: 'eq', val: 98.6 }, { temperature: '98.6' }, true],
      [{ key: 'active', cmp: 'eq', val: true }, { active: 'true' }, true],
      [{ key: 'category_id', cmp: 'in', vals: [501, 1, 56] }, { category_id: '56' }, true],
      // A tag named like an Object.prototype member is only a tag.
      [{ key: 'constructor', cmp: 'ex' }, {}, false],
    ];
    for (const [filter, record, expected] of cases) {
      expect(compiled(filter)(tags(record)), `${JSON.stringify(filter)} on ${JSON.stringify(record)}`).toBe(
        expected,
      );
    }
  });

  it('combines with and, or and not, as in Rust Sockudo’s nested example', () => {
    const filter = compiled({
      op: 'or',
      nodes: [
        { key: 'event_type', cmp: 'eq', val: 'goal' },
        {
          op: 'and',
          nodes: [
            { key: 'event_type', cmp: 'eq', val: 'shot' },
            { key: 'xG', cmp: 'gte', val: '0.8' },
            { key: 'outcome', cmp: 'neq', val: 'saved' },
          ],
        },
      ],
    });
    expect(filter(tags({ event_type: 'goal' }))).toBe(true);
    expect(filter(tags({ event_type: 'shot', xG: '0.85', outcome: 'goal' }))).toBe(true);
    expect(filter(tags({ event_type: 'shot', xG: '0.85', outcome: 'saved' }))).toBe(false);
    expect(filter(tags({ event_type: 'shot', xG: '0.3' }))).toBe(false);
    expect(compiled({ op: 'not', nodes: [{ key: 'e', cmp: 'eq', val: 'goal' }] })(NO_TAGS)).toBe(true);
  });

  it('reads numbers as Rust’s f64 parser does, and writes JSON numbers as Rust Sockudo does', () => {
    for (const [text, value] of [
      ['1', 1],
      ['-2.5', -2.5],
      ['+.5', 0.5],
      ['5.', 5],
      ['1e3', 1000],
      ['1E-2', 0.01],
      ['inf', Infinity],
      ['-Infinity', -Infinity],
    ] as const) {
      expect(rustFloat(text), text).toBe(value);
    }
    expect(rustFloat('NaN')).toBeNaN();
    for (const text of ['', ' 1', '1 ', '0x10', '1_000', '.', 'e5', '1e', 'Infinit', '--1'])
      expect(rustFloat(text), text).toBeUndefined();
    for (const [n, text] of [
      [100, '100'],
      [-7, '-7'],
      [98.6, '98.6'],
      [0.001, '0.001'],
      [1.5e-7, '1.5e-7'],
      [1e-7, '1e-7'],
      [1e21, '1e21'],
      [1.2345678901234568e20, '1.2345678901234568e20'],
      [2 ** 60, '1152921504606846976'],
    ] as const) {
      expect(numberText(n), String(n)).toBe(text);
    }
  });
});

describe('refusals, in Rust Sockudo’s words and order', () => {
  const deep = (levels: number, leaf: unknown): unknown =>
    levels === 0 ? leaf : { op: 'not', nodes: [deep(levels - 1, leaf)] };
  const leaf = { key: 'k', cmp: 'eq', val: 'v' };
  const P = 'Invalid message format: ';

  it('names a shape error (serde’s message), then validate’s, then the compile limits’', () => {
    const cases: Array<[unknown, string]> = [
      [
        { key: 5, cmp: 'eq', val: 'v' },
        'Invalid tags filter shape: invalid type: integer `5`, expected a string',
      ],
      [
        { key: 'k', cmp: 'in', vals: 'a' },
        'Invalid tags filter shape: invalid type: string "a", expected a sequence',
      ],
      [{ op: 'and', nodes: null }, 'Invalid tags filter shape: invalid type: null, expected a sequence'],
      ['abc', 'Invalid tags filter shape: invalid type: string "abc", expected struct FilterNode'],
      [
        { op: 'and', nodes: [7] },
        'Invalid tags filter shape: invalid type: integer `7`, expected struct FilterNode',
      ],
      [{ op: 'xor', nodes: [leaf] }, 'Invalid tags filter: unknown logical operator: xor'],
      [
        { key: 'kind', cmp: 'regex', val: 'event.*' },
        'Invalid tags filter: unknown comparison operator: regex',
      ],
      [{ op: 'and', nodes: [] }, 'Invalid tags filter: and operation requires at least one child node'],
      [
        { op: 'not', nodes: [leaf, leaf] },
        'Invalid tags filter: not operation requires exactly one child node, got 2',
      ],
      [
        { op: 'or', nodes: [leaf, { cmp: 'eq', val: 'x' }] },
        'Invalid tags filter: Child node 1: Leaf node requires a non-empty key',
      ],
      [{ key: 'k' }, 'Invalid tags filter: Leaf node requires a comparison operator'],
      [
        { key: 'k', cmp: 'in', vals: [] },
        'Invalid tags filter: in operation requires at least one value in vals',
      ],
      [{ key: 'k', cmp: 'eq', val: '' }, 'Invalid tags filter: eq operation requires a non-empty val'],
      [{ key: 'k', cmp: 'gt' }, 'Invalid tags filter: gt operation requires a non-empty val'],
      [deep(16, leaf), 'Invalid subscription filter: tag filter exceeds the depth limit of 16'],
      [deep(2000, leaf), 'Invalid subscription filter: tag filter exceeds the depth limit of 16'],
      // validate runs first: the unknown operator at the bottom wins over the depth.
      [
        deep(20, { op: 'xor', nodes: [leaf] }),
        `Invalid tags filter: ${'Child node 0: '.repeat(20)}unknown logical operator: xor`,
      ],
      [
        { op: 'or', nodes: Array(128).fill(leaf) },
        'Invalid subscription filter: tag filter exceeds the node limit of 128',
      ],
      [
        { key: 'k'.repeat(257), cmp: 'ex' },
        'Invalid subscription filter: tag filter key exceeds the byte limit of 256',
      ],
      [
        { key: 'k', cmp: 'eq', val: 'é'.repeat(513) },
        'Invalid subscription filter: tag filter value exceeds the byte limit of 1024',
      ],
      [
        { key: 'k', cmp: 'in', vals: Array.from({ length: 129 }, (_, i) => `v${i}`) },
        'Invalid subscription filter: tag filter value list exceeds the limit of 128',
      ],
      [
        { op: 'and', key: 'k', nodes: [leaf] },
        'Invalid subscription filter: invalid tag filter: logical node contains comparison fields',
      ],
      [
        { ...leaf, nodes: [leaf] },
        'Invalid subscription filter: invalid tag filter: comparison node contains child nodes',
      ],
    ];
    for (const [filter, message] of cases) expect(refusal(filter), message.slice(0, 60)).toBe(P + message);
  });

  it('accepts what Rust Sockudo accepts at the limits', () => {
    for (const filter of [
      deep(15, leaf),
      { op: 'or', nodes: Array(127).fill(leaf) },
      { key: 'k'.repeat(256), cmp: 'ex', val: 'ignored' },
      { key: 'k', cmp: 'in', vals: Array(500).fill('same') }, // deduplicated first, as Rust's optimize does
      { key: 'k', cmp: 'in', vals: [null, 'x'], unknown: { field: true } },
    ]) {
      expect(refusal(filter), JSON.stringify(filter).slice(0, 60)).toBeUndefined();
    }
    expect(compiled({ key: 'k', cmp: 'in', vals: [null] })(tags({ k: 'null' }))).toBe(true);
  });

  it('reads a compound filter’s tags part, and counts its events against the compile limit', () => {
    const events = Array.from({ length: TAG_FILTER_LIMITS.maxEvents + 1 }, (_, i) => `e${i}`);
    expect(subscriptionTagFilter({ filter: { events, tags: leaf } }, true)).toEqual({
      error: `${P}Invalid subscription filter: event list exceeds the limit of 64`,
    });
    expect('predicate' in subscriptionTagFilter({ filter: { events, tags: leaf } }, false)).toBe(true);
    expect(subscriptionTagFilter({ tags_filter: { events: ['a'] } }, true)).toEqual({ predicate: undefined });
    expect(subscriptionTagFilter({ filter: { tags: { op: 'xor' } } }, true)).toEqual({
      error: `${P}Invalid tags filter: unknown logical operator: xor`,
    });
    const bare = subscriptionTagFilter({ tags_filter: leaf }, false);
    expect('predicate' in bare && bare.predicate?.(tags({ k: 'v' }))).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------
// The property test's reference: the rules read straight off Rust Sockudo's sockudo-filter, on plain
// objects, written without the implementation's helpers.

/** Rust's f64 grammar, by hand: [sign] (inf | infinity | nan | digits [. digits] [e [sign] digits]). */
function referenceFloat(text: string): number | undefined {
  let i = 0;
  if (text[i] === '+' || text[i] === '-') i++;
  const word = text.slice(i).toLowerCase();
  if (word === 'inf' || word === 'infinity') return text[0] === '-' ? -Infinity : Infinity;
  if (word === 'nan') return Number.NaN;
  const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';
  const start = i;
  while (isDigit(text[i])) i++;
  let digits = i - start;
  if (text[i] === '.') {
    const fraction = ++i;
    while (isDigit(text[i])) i++;
    digits += i - fraction;
  }
  if (digits === 0) return undefined;
  if (text[i] === 'e' || text[i] === 'E') {
    i++;
    if (text[i] === '+' || text[i] === '-') i++;
    if (!isDigit(text[i])) return undefined;
    while (isDigit(text[i])) i++;
  }
  return i === text.length ? Number.parseFloat(text.replace(/^\+/, '')) : undefined;
}

type Raw = { op?: string; key?: string; cmp?: string; val?: unknown; vals?: unknown[]; nodes?: Raw[] };

function referenceMatch(node: Raw, record: Record<string, string> | undefined): boolean {
  const asText = (v: unknown) => (typeof v === 'string' ? v : String(v));
  if (node.op === 'and') return node.nodes!.every((child) => referenceMatch(child, record));
  if (node.op === 'or') return node.nodes!.some((child) => referenceMatch(child, record));
  if (node.op === 'not') return !referenceMatch(node.nodes![0]!, record);
  const present = record !== undefined && Object.hasOwn(record, node.key!);
  const actual = present ? record![node.key!]! : undefined;
  const val = asText(node.val ?? '');
  const vals = (node.vals ?? []).map(asText);
  const number = (test: (a: number, b: number) => boolean) => {
    if (actual === undefined) return false;
    const a = referenceFloat(actual);
    const b = referenceFloat(val);
    return a !== undefined && b !== undefined && test(a, b);
  };
  switch (node.cmp) {
    case 'eq':
      return present && actual === val;
    case 'neq':
      return !present || actual !== val;
    case 'in':
      return present && vals.includes(actual!);
    case 'nin':
      return !present || !vals.includes(actual!);
    case 'ex':
      return present;
    case 'nex':
      return !present;
    case 'sw':
      return present && actual!.startsWith(val);
    case 'ew':
      return present && actual!.endsWith(val);
    case 'ct':
      return present && actual!.includes(val);
    case 'gt':
      return number((a, b) => a > b);
    case 'gte':
      return number((a, b) => a >= b);
    case 'lt':
      return number((a, b) => a < b);
    default:
      return number((a, b) => a <= b);
  }
}

describe('property: compiled filters agree with the reference on random filters and tags', () => {
  const KEYS = ['a', 'b', 'region', 'n', 'constructor', 'ü'];
  const VALUES = [
    '1',
    '2',
    '10',
    '-3.5',
    '0.5',
    '1e3',
    '.5',
    '5.',
    ' 5',
    '0x10',
    'inf',
    '-Infinity',
    '+1',
    '1E2',
    'NaN',
    'eu',
    'euro',
    'us',
    'ü',
    '💬',
    'a"b',
  ];
  const CMPS = ['eq', 'neq', 'in', 'nin', 'ex', 'nex', 'sw', 'ew', 'ct', 'gt', 'gte', 'lt', 'lte'];

  function value(fuzz: Fuzz): unknown {
    const roll = fuzz.next();
    if (roll < 0.75) return fuzz.pick(VALUES);
    if (roll < 0.9) return fuzz.pick([0, 1, 2, 10, -3.5, 0.5, 42]);
    return fuzz.next() < 0.5;
  }

  function filter(fuzz: Fuzz, depth: number): Raw {
    if (depth > 0 && fuzz.next() < 0.45) {
      const op = fuzz.pick(['and', 'or', 'not']);
      const count = op === 'not' ? 1 : 1 + fuzz.int(3);
      return { op, nodes: Array.from({ length: count }, () => filter(fuzz, depth - 1)) };
    }
    const cmp = fuzz.pick(CMPS);
    const node: Raw = { key: fuzz.pick(KEYS), cmp };
    if (cmp === 'in' || cmp === 'nin') node.vals = Array.from({ length: 1 + fuzz.int(4) }, () => value(fuzz));
    else if (cmp !== 'ex' && cmp !== 'nex') node.val = value(fuzz);
    return node;
  }

  function record(fuzz: Fuzz): Record<string, string> | undefined {
    if (fuzz.next() < 0.1) return undefined;
    const out: Record<string, string> = {};
    for (const key of KEYS) if (fuzz.next() < 0.5) out[key] = fuzz.pick(VALUES);
    return out;
  }

  it('5,000 cases, with the tags sent through the publish parser and a frame as a node would', () => {
    const fuzz = new Fuzz(31);
    let matched = 0;
    for (let i = 0; i < 5000; i++) {
      const raw = filter(fuzz, 4);
      const tagsRecord = record(fuzz);
      const frame = channelEventFrame('e', 'c', '{}');
      const json = tagsRecord === undefined ? undefined : parseTags(tagsRecord, 'event.tags');
      const carried = json === undefined ? frame : withTags(frame, json);
      const expected = referenceMatch(raw, tagsRecord);
      const result = compileTagFilter(raw);
      if ('error' in result) throw new Error(`case ${i} of seed ${fuzz.seed}: ${result.error}`);
      expect(result.predicate!(frameTags(carried)), `case ${i}: ${JSON.stringify(raw)} on ${json}`).toBe(
        expected,
      );
      if (expected) matched++;
    }
    // Both outcomes are well represented, so the agreement means something.
    expect(matched).toBeGreaterThan(1000);
    expect(matched).toBeLessThan(4000);
  });
});

describe('tags on the wire', () => {
  it('are written with sorted keys (UTF-8 order), V2 only, before extras', () => {
    const json = parseTags({ zeta: '1', alpha: '"q"', ü: '2', '💬': '3', ﬀ: '4', Beta: 'b' }, 'event.tags')!;
    expect(json).toBe('{"Beta":"b","alpha":"\\"q\\"","zeta":"1","ü":"2","ﬀ":"4","💬":"3"}');
    const frame = channelEventFrame('order', 'orders', '{"id":1}');
    const carried = withTags(withExtras(frame, '{"echo":true}'), json);
    expect(v1Frame(carried)).toBe(frame);
    expect(v2Frame(carried)).toBe(`${frame.slice(0, -1)},"tags":${json},"extras":{"echo":true}}`);
    expect(v2Frame(carried, false)).toBe(`${frame.slice(0, -1)},"extras":{"echo":true}}`);
    expect(v2Frame(withTags(frame, '{}'), false)).toBe(frame);
    expect(frameTags(carried).get('alpha')).toBe('"q"');
    expect(frameTags(frame)).toBe(NO_TAGS);
  });
});
