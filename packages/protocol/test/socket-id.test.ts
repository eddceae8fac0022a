import { describe, expect, it } from 'vitest';
import { generateSocketId, isValidSocketId } from '../src/index.js';

describe('generateSocketId', () => {
  it('returns two integers in 1..10^10 joined by a dot', () => {
    for (let i = 0; i < 1000; i++) {
      const id = generateSocketId();
      expect(isValidSocketId(id)).toBe(true);
      for (const part of id.split('.').map(Number)) {
        expect(Number.isSafeInteger(part)).toBe(true);
        expect(part).toBeGreaterThanOrEqual(1);
        expect(part).toBeLessThanOrEqual(10_000_000_000);
      }
    }
  });

  it('does not repeat', () => {
    const ids = new Set(Array.from({ length: 10_000 }, generateSocketId));
    expect(ids.size).toBe(10_000);
  });
});

describe('isValidSocketId', () => {
  it.each(['1234.1234', '1.1', '0.0'])('accepts %s', (id) => {
    expect(isValidSocketId(id)).toBe(true);
  });

  it.each(['', '1234', '1234.', '.1234', '1.2.3', 'a.b', '-1.1', ' 1.1', '1.1\n', '1,1'])(
    'rejects %j',
    (id) => {
      expect(isValidSocketId(id)).toBe(false);
    },
  );

  it('rejects non-strings', () => {
    for (const id of [undefined, null, 1.1, {}, ['1.1']]) expect(isValidSocketId(id)).toBe(false);
  });
});
