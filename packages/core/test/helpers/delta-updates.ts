// Updates for the delta tests: a JSON state that changes a few percent per update, in random sizes,
// from a seeded generator so a failure replays.

/** A small seeded PRNG (mulberry32): the same seed gives the same updates. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ,.-é€😀"\\';

function word(random: () => number, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHABET[Math.floor(random() * ALPHABET.length)];
  return out;
}

/**
 * `count` data payloads of a state with a random number of fields (a few to a few hundred): each
 * changes about one field in twenty of the previous one; now and then the state is rebuilt at a new
 * size, and some payloads are tiny (below `min_message_size`).
 */
export function stateUpdates(count: number, seed = 1): string[] {
  const random = seeded(seed);
  let fields: string[] = [];
  const rebuild = () => {
    const size = 2 + Math.floor(random() * random() * 300);
    fields = Array.from({ length: size }, () => word(random, 4 + Math.floor(random() * 12)));
  };
  rebuild();
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const roll = random();
    if (roll < 0.02) rebuild();
    if (roll > 0.97) {
      out.push(JSON.stringify({ tick: i }));
      continue;
    }
    for (let f = 0; f < fields.length; f++) {
      if (random() < 0.05) fields[f] = word(random, 4 + Math.floor(random() * 12));
    }
    out.push(JSON.stringify({ tick: i, fields }));
  }
  return out;
}
