import { describe, expect, it } from 'vitest';
import { MemberLedger } from '../src/member-ledger.js';

const counts = (entries: Record<string, number>) => new Map(Object.entries(entries));

describe('MemberLedger', () => {
  it('accepts alternating events that match the joins and leaves', () => {
    const ledger = new MemberLedger('observer');
    for (const kind of ['added', 'removed', 'added', 'removed'] as const) ledger.record(kind, 'u1');
    ledger.record('added', 'u2');
    ledger.record('removed', 'u2');
    expect(ledger.caughtUp(3, 3)).toBe(true);
    expect(ledger.verify(counts({ u1: 2, u2: 1 }), counts({ u1: 2, u2: 1 }))).toBeUndefined();
  });

  it.each([
    ['a missing member_removed', [['added', 'u1']], { u1: 1 }, { u1: 1 }, /never removed|left 1 times/],
    [
      'a duplicated member_added',
      [
        ['added', 'u1'],
        ['added', 'u1'],
        ['removed', 'u1'],
      ],
      { u1: 1 },
      { u1: 1 },
      /already a member/,
    ],
    ['a removal without an add', [['removed', 'u1']], { u1: 0 }, { u1: 1 }, /not a member/],
    [
      'the observer itself',
      [
        ['added', 'observer'],
        ['removed', 'observer'],
      ],
      {},
      {},
      /observer itself/,
    ],
    [
      'an unknown user',
      [
        ['added', 'x'],
        ['removed', 'x'],
      ],
      { u1: 0 },
      { u1: 0 },
      /unknown user x/,
    ],
  ] as const)('reports %s', (_name, events, joins, leaves, problem) => {
    const ledger = new MemberLedger('observer');
    for (const [kind, userId] of events) ledger.record(kind, userId);
    expect(ledger.verify(counts(joins), counts(leaves))).toMatch(problem);
  });
});
