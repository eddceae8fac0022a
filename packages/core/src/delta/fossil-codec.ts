// Fossil deltas (the format of Fossil SCM's delta.c). Encoded by walking base and target side by side
// (fossil-encoder.ts: one changed JSON value is one insert), or by `fossil-delta`'s port of Fossil's own
// encoder when they differ by more than local edits; decoded by `fossil-delta`, the decoder
// @sockudo/client itself uses (`applyDelta(base, delta)`), so what is encoded here decodes there.

import { applyDelta, createDelta } from 'fossil-delta';
import { walkingFossilDelta } from './fossil-encoder.js';

/** The fossil delta that turns `base` into `target`. */
export function fossilDelta(base: Uint8Array, target: Uint8Array): Uint8Array {
  return walkingFossilDelta(base, target) ?? createDelta(base, target);
}

/** `target` rebuilt from `base` and a delta, its checksum verified (throws on a mismatch). */
export function applyFossilDelta(base: Uint8Array, delta: Uint8Array): Uint8Array {
  return applyDelta(base, delta);
}

/** Base64 of `bytes` (standard alphabet, padded), as a delta travels in a JSON frame. */
export function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}
