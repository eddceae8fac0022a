// Seeded random inputs for the fuzz tests: the same seed gives the same cases, so a failure names a
// seed that reproduces it (set FUZZ_SEED to replay one).

/** A deterministic PRNG (mulberry32) with helpers for building awkward JSON. */
export class Fuzz {
  private state: number;

  constructor(readonly seed: number = Number(process.env.FUZZ_SEED ?? 0x5eed)) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(max: number): number {
    return Math.floor(this.next() * max);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  /** A string made of pieces that break naive JSON handling: quotes, escapes, braces, prefixes. */
  string(maxPieces = 6): string {
    const pieces = [
      'a',
      'order.created',
      '"',
      '\\',
      '\\"',
      '{',
      '}',
      '[',
      ']',
      ',"extras":',
      '"event":"',
      'pusher:',
      'pusher_internal:',
      'sockudo:',
      'ü',
      '💬',
      '\n',
      '\u0000',
      ' ',
      'client-',
    ];
    let out = '';
    for (let i = this.int(maxPieces + 1); i > 0; i--) out += this.pick(pieces);
    return out;
  }

  /** Any JSON value, nested up to `depth`. */
  json(depth = 3): unknown {
    switch (this.int(depth > 0 ? 7 : 5)) {
      case 0:
        return null;
      case 1:
        return this.next() < 0.5;
      case 2:
        return this.pick([0, -1, 1.5, 2 ** 53, 42]);
      case 3:
      case 4:
        return this.string();
      case 5:
        return Array.from({ length: this.int(4) }, () => this.json(depth - 1));
      default:
        return this.object(depth - 1);
    }
  }

  /** A JSON object with awkward keys. */
  object(depth = 2, keys: readonly string[] = []): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (let i = this.int(5); i > 0; i--) {
      const key = keys.length > 0 && this.next() < 0.7 ? this.pick(keys) : this.string(3);
      out[key] = this.json(depth);
    }
    return out;
  }
}
