// A fossil-format delta encoder for the deltas of delta compression: a message and the one before it on
// the same channel, usually the same JSON with a few values changed. Fossil's own encoder (and
// `fossil-delta`, its port) matches 16-byte blocks of the base and takes the first match it finds; in
// JSON whose rows look alike that is often a look-alike row elsewhere, so one edit costs two or three
// copies. This one walks both buffers side by side instead: it copies while they agree and, where they
// differ, finds the nearest point where they agree again (the fewest bytes skipped on both sides), so
// one changed value is one insert between two copies. When no such point is near (a large insertion,
// a reordering, an unrelated message) it answers null and the caller uses fossil's encoder.
//
// The output is the format Fossil's delta.c reads (and `fossil-delta`'s `applyDelta`, and Sockudo's
// clients): the target length and "\n"; commands "<count>@<offset>," (copy from the base) and
// "<count>:<bytes>" (insert); the target's checksum and ";"; numbers in fossil's base-64 digits.

const DIGITS = Buffer.from('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz~', 'latin1');

/** Bytes that must agree for the walk to continue there after a difference. */
const RESYNC_BYTES = 6;
/** The most bytes skipped (base and target together) in looking for the next agreeing point. */
const RESYNC_REACH = 96;
/** A copy of this many bytes or fewer costs more as a command than as bytes inside an insert. */
const SHORTEST_COPY = 6;

function digitCount(value: number): number {
  let count = 1;
  for (let v = value >>> 6; v > 0; v >>>= 6) count++;
  return count;
}

/** Fossil's checksum: the sum of the target's big-endian 32-bit words, the last one zero-padded. */
export function fossilChecksum(bytes: Uint8Array): number {
  let sum0 = 0;
  let sum1 = 0;
  let sum2 = 0;
  let sum3 = 0;
  const whole = bytes.length - (bytes.length % 4);
  for (let i = 0; i < whole; i += 4) {
    sum0 = (sum0 + bytes[i]!) | 0;
    sum1 = (sum1 + bytes[i + 1]!) | 0;
    sum2 = (sum2 + bytes[i + 2]!) | 0;
    sum3 = (sum3 + bytes[i + 3]!) | 0;
  }
  let sum = (sum3 + (sum2 << 8) + (sum1 << 16) + (sum0 << 24)) | 0;
  const rest = bytes.length - whole;
  if (rest >= 3) sum = (sum + (bytes[whole + 2]! << 8)) | 0;
  if (rest >= 2) sum = (sum + (bytes[whole + 1]! << 16)) | 0;
  if (rest >= 1) sum = (sum + (bytes[whole]! << 24)) | 0;
  return sum >>> 0;
}

class DeltaWriter {
  readonly out: Uint8Array;
  length = 0;
  constructor(capacity: number) {
    this.out = new Uint8Array(capacity);
  }
  number(value: number, terminator: number): void {
    const end = this.length + digitCount(value);
    for (let at = end - 1, v = value; at >= this.length; at--, v = Math.floor(v / 64)) {
      this.out[at] = DIGITS[v % 64]!;
    }
    this.out[end] = terminator;
    this.length = end + 1;
  }
  bytes(from: Uint8Array, start: number, end: number): void {
    this.out.set(from.subarray(start, end), this.length);
    this.length += end - start;
  }
}

/** Where, after a difference at `t` and `s`, target and base agree again for RESYNC_BYTES bytes. */
function resync(
  target: Uint8Array,
  t: number,
  base: Uint8Array,
  s: number,
  budget: { left: number },
): [number, number] | null {
  const targetLeft = target.length - t - RESYNC_BYTES;
  const baseLeft = base.length - s - RESYNC_BYTES;
  for (let skipped = 1; skipped <= RESYNC_REACH; skipped++) {
    for (let inTarget = 0; inTarget <= skipped; inTarget++) {
      const inBase = skipped - inTarget;
      if (inTarget > targetLeft || inBase > baseLeft) continue;
      if (--budget.left < 0) return null;
      let k = 0;
      while (k < RESYNC_BYTES && target[t + inTarget + k] === base[s + inBase + k]) k++;
      if (k === RESYNC_BYTES) return [inTarget, inBase];
    }
  }
  return null;
}

/**
 * The fossil delta from `base` to `target` when they differ by local edits (greedy: each difference
 * ends at the nearest agreeing point, which for edited JSON is the edit itself); null when the walk
 * loses its way or runs out of budget (the caller falls back).
 */
export function walkingFossilDelta(base: Uint8Array, target: Uint8Array): Uint8Array | null {
  // Copies and inserts as [baseOffset, count] (baseOffset -1: insert `count` target bytes).
  const ops: number[] = [];
  let t = 0;
  let s = 0;
  let pendingInsert = 0;
  // Candidate points tried in all the resyncs: a bound on the work for targets full of differences.
  const budget = { left: 16 * target.length + 4 * RESYNC_REACH * RESYNC_REACH };
  const insert = (count: number) => {
    pendingInsert += count;
  };
  const copy = (offset: number, count: number) => {
    if (count <= SHORTEST_COPY) return insert(count);
    if (pendingInsert > 0) ops.push(-1, pendingInsert);
    pendingInsert = 0;
    ops.push(offset, count);
  };
  while (t < target.length) {
    if (s >= base.length) {
      insert(target.length - t);
      break;
    }
    let run = 0;
    while (t + run < target.length && s + run < base.length && target[t + run] === base[s + run]) run++;
    if (run > 0) {
      copy(s, run);
      t += run;
      s += run;
      continue;
    }
    const next = resync(target, t, base, s, budget);
    if (next === null) {
      if (budget.left < 0) return null;
      // Near the end of either buffer nothing more can agree for RESYNC_BYTES: the rest is an insert.
      if (target.length - t <= RESYNC_REACH || base.length - s <= RESYNC_REACH) {
        insert(target.length - t);
        break;
      }
      return null;
    }
    insert(next[0]);
    t += next[0];
    s += next[1];
  }
  if (pendingInsert > 0) ops.push(-1, pendingInsert);

  let size = digitCount(target.length) + 1 + 7;
  for (let i = 0; i < ops.length; i += 2) {
    const count = ops[i + 1]!;
    size += ops[i]! < 0 ? digitCount(count) + 1 + count : digitCount(count) + digitCount(ops[i]!) + 2;
  }
  const writer = new DeltaWriter(size);
  writer.number(target.length, 0x0a);
  let at = 0;
  for (let i = 0; i < ops.length; i += 2) {
    const offset = ops[i]!;
    const count = ops[i + 1]!;
    if (offset < 0) {
      writer.number(count, 0x3a); // ':'
      writer.bytes(target, at, at + count);
    } else {
      writer.number(count, 0x40); // '@'
      writer.number(offset, 0x2c); // ','
    }
    at += count;
  }
  writer.number(fossilChecksum(target), 0x3b); // ';'
  return writer.out.subarray(0, writer.length);
}
