// A delta-compression client written from the wire format alone (Rust Sockudo's broadcast.rs and
// @sockudo/client's delta manager), not from this server's code: it keeps one base per channel, event
// and conflation key, checks every delta's `base_index` against the base it holds, and rebuilds each
// message with `fossil-delta`'s `applyDelta`, the decoder @sockudo/client uses.

import { applyDelta } from 'fossil-delta';

/** What one received frame was. */
export type DeltaRead =
  | { kind: 'full'; event: string; channel: string; seq: number; text: string }
  | { kind: 'delta'; event: string; channel: string; seq: number; baseSeq: number; text: string }
  | { kind: 'plain'; text: string }
  | { kind: 'desync'; channel: string; reason: string };

interface Base {
  seq: number;
  text: string;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Rebuilds the messages of a delta stream; `bases` is keyed by channel, event and conflation key. */
export class DeltaReader {
  readonly bases = new Map<string, Base>();
  deltas = 0;
  fulls = 0;

  private key(channel: string, event: string, conflationKey: string | undefined): string {
    return JSON.stringify([channel, event, conflationKey ?? '']);
  }

  /**
   * Reads one raw frame. A `sockudo:delta` (or `pusher:delta`) is applied to its base; a frame with
   * `__delta_seq` becomes a base once the two delta fields are cut out exactly as @sockudo/client cuts
   * them; anything else is returned as is.
   */
  read(raw: string): DeltaRead {
    const frame = JSON.parse(raw) as Record<string, unknown>;
    const event = frame.event as string;
    const channel = frame.channel as string;
    if (event === 'sockudo:delta' || event === 'pusher:delta') {
      const data = (typeof frame.data === 'string' ? JSON.parse(frame.data) : frame.data) as {
        event: string;
        delta: string;
        seq: number;
        algorithm?: string;
        conflation_key?: string;
        base_index?: number;
      };
      if (data.algorithm !== undefined && data.algorithm !== 'fossil') {
        return { kind: 'desync', channel, reason: `algorithm ${data.algorithm}` };
      }
      const key = this.key(channel, data.event, data.conflation_key);
      const base = this.bases.get(key);
      if (!base) return { kind: 'desync', channel, reason: 'no base' };
      if (data.base_index !== base.seq) {
        return { kind: 'desync', channel, reason: `base_index ${data.base_index}, base ${base.seq}` };
      }
      let text: string;
      try {
        text = decoder.decode(applyDelta(encoder.encode(base.text), Buffer.from(data.delta, 'base64')));
      } catch (error) {
        return { kind: 'desync', channel, reason: String(error) };
      }
      this.bases.set(key, { seq: data.seq, text });
      this.deltas++;
      return { kind: 'delta', event: data.event, channel, seq: data.seq, baseSeq: base.seq, text };
    }
    if (typeof frame.__delta_seq === 'number') {
      const seq = frame.__delta_seq;
      const conflationKey = frame.__conflation_key as string | undefined;
      const text = raw
        .replace(/,"__delta_seq":\d+/g, '')
        .replace(/"__delta_seq":\d+,/g, '')
        .replace(/,"__conflation_key":"[^"]*"/g, '')
        .replace(/"__conflation_key":"[^"]*",/g, '');
      this.bases.set(this.key(channel, event, conflationKey), { seq, text });
      this.fulls++;
      return { kind: 'full', event, channel, seq, text };
    }
    return { kind: 'plain', text: raw };
  }

  /** Drops the bases of `channel` (what a client does before sending `delta_sync_error`). */
  forget(channel: string): void {
    for (const key of [...this.bases.keys()]) if (JSON.parse(key)[0] === channel) this.bases.delete(key);
  }
}
