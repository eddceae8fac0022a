// The pure parts of delta compression: the fossil codec (decode(encode(a, b)) is b over random inputs),
// the fan-out's sequences and sharing over sockets with different bases, the limits on a socket's
// state, conflation keys, channel patterns, and the parsers of what clients and apps send.

import { createDelta } from 'fossil-delta';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { appFromRecord } from '../../src/apps/app.js';
import { policyRecord } from '../../src/apps/app-record.js';
import { channelDeltaSettings, channelPatternMatches } from '../../src/apps/channel-delta-compression.js';
import { conflationKeyOf } from '../../src/delta/conflation-key.js';
import { sendWithDelta } from '../../src/delta/delta-fanout.js';
import { DELTA_COMPRESSION_DEFAULTS, type DeltaCompressionSettings } from '../../src/delta/delta-settings.js';
import { applyFossilDelta, fossilDelta } from '../../src/delta/fossil-codec.js';
import { fossilChecksum, walkingFossilDelta } from '../../src/delta/fossil-encoder.js';
import { SocketDelta } from '../../src/delta/socket-delta.js';
import type { MetricsV1 } from '../../src/spec/v1/index.js';
import { DeltaReader } from '../helpers/delta-client.js';
import { seeded, stateUpdates } from '../helpers/delta-updates.js';
import { Fuzz } from '../helpers/fuzz.js';

const APP = appFromRecord({ id: 'a', key: 'k', secret: 's' });
const NO_METRICS: MetricsV1 = { specVersion: 1, increment() {}, gauge() {}, observe() {} };

function bytes(random: () => number, length: number, alphabet: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = Math.floor(random() * alphabet);
  return out;
}

/** `base` with a few random edits: replaced, inserted and deleted runs. */
function edited(random: () => number, base: Uint8Array): Uint8Array {
  const out = [...base];
  const edits = Math.floor(random() * 8);
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(random() * (out.length + 1));
    const run = [...bytes(random, Math.floor(random() * 40), 256)];
    const roll = random();
    if (roll < 0.4) out.splice(at, run.length, ...run);
    else if (roll < 0.7) out.splice(at, 0, ...run);
    else out.splice(at, Math.floor(random() * 40));
  }
  return Uint8Array.from(out);
}

describe('fossil codec', () => {
  it('decode(encode(a, b)) is b for random inputs: unrelated, edited, empty, repetitive', () => {
    const random = seeded(7);
    for (let i = 0; i < 3000; i++) {
      const a = bytes(random, Math.floor(random() * 3000), random() < 0.3 ? 4 : 256);
      const kind = i % 4;
      const b =
        kind === 0
          ? bytes(random, Math.floor(random() * 3000), 256)
          : kind === 1
            ? edited(random, a)
            : kind === 2
              ? new Uint8Array(0)
              : Uint8Array.from([...a, ...a, ...a].slice(0, Math.floor(random() * 5000)));
      const delta = fossilDelta(a, b);
      expect(Buffer.from(applyFossilDelta(a, delta)).equals(Buffer.from(b)), `case ${i}`).toBe(true);
    }
  });

  it('the walking encoder: what it encodes decodes, over random edits of random and JSON bases', () => {
    const random = seeded(11);
    let walked = 0;
    for (let i = 0; i < 3000; i++) {
      const a =
        i % 2 === 0
          ? bytes(random, Math.floor(random() * 3000), random() < 0.3 ? 4 : 256)
          : Buffer.from(
              JSON.stringify({ n: i, rows: Array.from({ length: i % 40 }, (_, r) => ({ r, v: i * r })) }),
            );
      const b = edited(random, a);
      const delta = walkingFossilDelta(a, b);
      if (delta === null) continue;
      walked++;
      expect(Buffer.from(applyFossilDelta(a, delta)).equals(Buffer.from(b)), `case ${i}`).toBe(true);
    }
    // Most local edits are walked; the rest fall back to fossil's own encoder (the test above).
    expect(walked).toBeGreaterThan(2000);
  });

  it('the walking encoder: one changed value is one insert between two copies', () => {
    const pad = ',"rows":"'.padEnd(400, 'r');
    const a = Buffer.from(`{"price":100${pad}"}`);
    const b = Buffer.from(`{"price":107.5${pad}"}`);
    const delta = Buffer.from(walkingFossilDelta(a, b)!).toString('latin1');
    expect(delta).toMatch(
      /^[0-9A-Za-z_~]+\n[0-9A-Za-z_~]+@0,3:7\.5[0-9A-Za-z_~]+@[0-9A-Za-z_~]+,[0-9A-Za-z_~]+;$/,
    );
    expect(Buffer.from(applyFossilDelta(a, Buffer.from(delta, 'latin1'))).equals(b)).toBe(true);
  });

  it('the walking encoder gives up on unrelated messages; fossilDelta then uses fossil encoder', () => {
    const random = seeded(3);
    const a = bytes(random, 2000, 256);
    const b = bytes(random, 2000, 256);
    expect(walkingFossilDelta(a, b)).toBeNull();
    expect(Buffer.from(applyFossilDelta(a, fossilDelta(a, b))).equals(Buffer.from(b))).toBe(true);
  });

  it('deltas of a ticker state are ~15 % smaller than fossil encoder gives; of random words no larger', () => {
    const random = seeded(9);
    const rows = Array.from({ length: 14 }, (_, i) => ({
      id: `sym-${i}`,
      bid: 100 + i,
      ask: 101 + i,
      qty: 10 * i,
    }));
    const fields = ['bid', 'ask', 'qty'] as const;
    const ticker = Array.from({ length: 300 }, (_, n) => {
      for (let c = 0; c < 3; c++) {
        const row = rows[Math.floor(random() * rows.length)]!;
        const field = fields[Math.floor(random() * fields.length)]!;
        row[field] = Math.round((row[field] + (random() - 0.5) * 4) * 100) / 100;
      }
      return JSON.stringify({ n, rows });
    });
    const sizes = (data: string[]) => {
      const frames = data.map((d) => Buffer.from(JSON.stringify({ event: 'e', channel: 'c', data: d })));
      let ours = 0;
      let theirs = 0;
      for (let i = 1; i < frames.length; i++) {
        const delta = fossilDelta(frames[i - 1]!, frames[i]!);
        expect(Buffer.from(applyFossilDelta(frames[i - 1]!, delta)).equals(frames[i]!), `update ${i}`).toBe(
          true,
        );
        ours += delta.length;
        theirs += createDelta(frames[i - 1]!, frames[i]!).length;
      }
      return ours / theirs;
    };
    expect(sizes(ticker)).toBeLessThan(0.9);
    expect(sizes(stateUpdates(400, 5))).toBeLessThan(1.02);
  });

  it("fossil's checksum: words summed big-endian, the last zero-padded", () => {
    expect(fossilChecksum(new Uint8Array(0))).toBe(0);
    expect(fossilChecksum(Uint8Array.of(1))).toBe(0x01000000);
    expect(fossilChecksum(Uint8Array.of(1, 2, 3, 4, 5, 6))).toBe((0x01020304 + 0x05060000) >>> 0);
    expect(fossilChecksum(new Uint8Array(8).fill(255))).toBe((0xffffffff * 2) % 2 ** 32);
  });

  it('refuses a delta applied to the wrong base (checksum)', () => {
    const a = Buffer.from('{"price":100,"pad":"'.padEnd(300, 'x'));
    const b = Buffer.from('{"price":101,"pad":"'.padEnd(300, 'x'));
    const wrong = Buffer.from('{"price":999,"pad":"'.padEnd(300, 'y'));
    expect(() => applyFossilDelta(wrong, fossilDelta(a, b))).toThrow();
  });
});

afterEach(() => {
  vi.useRealTimers();
});

class FakeSocket {
  readonly frames: string[] = [];
  readonly buffers: Buffer[] = [];
  delta: SocketDelta;
  constructor(settings: DeltaCompressionSettings = DELTA_COMPRESSION_DEFAULTS, app = APP) {
    this.delta = new SocketDelta(settings, app);
    this.delta.enabledAll = true;
  }
  send(frame: Buffer): void {
    this.buffers.push(frame);
    this.frames.push(frame.toString());
  }
}

const frameOf = (i: number, size = 200) =>
  `{"event":"update","channel":"c","data":${JSON.stringify(JSON.stringify({ i, pad: 'p'.repeat(size) }))}}`;

function fanOut(sockets: FakeSocket[], v2: string, event = 'update'): void {
  sendWithDelta('c', event, v2, Buffer.from(v2), sockets, NO_METRICS, { appId: 'a' });
}

describe('the delta fan-out', () => {
  it('computes one delta per base and shares each distinct frame; late joiners start their own sequence', () => {
    const early = [new FakeSocket(), new FakeSocket(), new FakeSocket()];
    for (let i = 0; i < 3; i++) fanOut(early, frameOf(i));
    const late = new FakeSocket();
    const everyone = [...early, late];
    fanOut(everyone, frameOf(3));
    // The early sockets got the very same Buffer (one delta, one frame); the late one a full message.
    expect(early[0]!.buffers[3]).toBe(early[1]!.buffers[3]);
    expect(early[0]!.buffers[3]).toBe(early[2]!.buffers[3]);
    expect(JSON.parse(early[0]!.frames[3]!)).toMatchObject({
      event: 'sockudo:delta',
      data: { seq: 3, base_index: 2 },
    });
    expect(JSON.parse(late.frames[0]!).__delta_seq).toBe(0);
    for (const socket of everyone) {
      const reader = new DeltaReader();
      const texts = socket.frames.map((raw) => reader.read(raw));
      const offset = 4 - socket.frames.length;
      texts.forEach((read, n) => {
        expect(read).toMatchObject({ text: frameOf(n + offset) });
      });
    }
  });

  it('keeps every random socket in step over random messages, filters and resets', () => {
    const random = seeded(11);
    const settings = { ...DELTA_COMPRESSION_DEFAULTS, fullMessageInterval: 4, minMessageSize: 0 };
    const sockets = Array.from({ length: 8 }, () => new FakeSocket(settings));
    const readers = sockets.map(() => new DeltaReader());
    const seen = sockets.map(() => 0);
    for (let i = 0; i < 400; i++) {
      const v2 = frameOf(i, 100 + Math.floor(random() * 500));
      // Some sockets miss a message (an event filter, say), so their bases drift apart.
      const targets = sockets.filter(() => random() < 0.8);
      if (random() < 0.05) {
        const reset = sockets[Math.floor(random() * sockets.length)]!;
        reset.delta.clearChannel('c');
        readers[sockets.indexOf(reset)]!.forget('c');
      }
      fanOut(targets, v2);
      for (const socket of targets) {
        const n = sockets.indexOf(socket);
        const read = readers[n]!.read(socket.frames[seen[n]!++]!);
        expect(read, `message ${i}, socket ${n}`).toMatchObject({ text: v2 });
      }
    }
    expect(readers.reduce((sum, r) => sum + r.deltas, 0)).toBeGreaterThan(1000);
  });

  it('sends the frame itself (untracked) for protocol events, encrypted channels and small frames', () => {
    const socket = new FakeSocket();
    const small = '{"event":"update","channel":"c","data":"{}"}';
    fanOut([socket], small);
    const member = `{"event":"sockudo_internal:member_added","channel":"c","data":${JSON.stringify('x'.repeat(200))}}`;
    fanOut([socket], member, 'pusher_internal:member_added');
    sendWithDelta('private-encrypted-c', 'e', frameOf(1), Buffer.from(frameOf(1)), [socket], NO_METRICS, {});
    expect(socket.frames).toEqual([small, member, frameOf(1)]);
    expect(socket.delta.size).toEqual({ channels: 0, keys: 0 });
  });

  it('sends a message in full when the base is older than max_state_age_secs', () => {
    vi.useFakeTimers({ now: 1_000_000 });
    const socket = new FakeSocket({ ...DELTA_COMPRESSION_DEFAULTS, maxStateAgeSecs: 60 });
    for (let i = 0; i < 3; i++) fanOut([socket], frameOf(i));
    vi.setSystemTime(1_000_000 + 59_000);
    fanOut([socket], frameOf(3));
    vi.setSystemTime(1_000_000 + 59_000 + 60_000);
    fanOut([socket], frameOf(4));
    fanOut([socket], frameOf(5));
    const reader = new DeltaReader();
    expect(socket.frames.map((raw) => reader.read(raw).kind)).toEqual([
      'full',
      'full',
      'delta',
      'delta',
      'full',
      'delta',
    ]);
    expect(JSON.parse(socket.frames[4]!).__delta_seq).toBe(4);
  });

  it('keeps a base per conflation key value, from conflation_key_path or the app, within max_conflation_keys', () => {
    const priced = (asset: string, i: number) =>
      `{"event":"update","channel":"c","data":${JSON.stringify(JSON.stringify({ asset, i, pad: 'p'.repeat(200) }))}}`;
    const global = new FakeSocket({ ...DELTA_COMPRESSION_DEFAULTS, conflationKeyPath: 'asset' });
    for (let i = 0; i < 3; i++) for (const asset of ['BTC', 'ETH']) fanOut([global], priced(asset, i));
    expect(global.delta.size).toEqual({ channels: 1, keys: 2 });
    const reader = new DeltaReader();
    expect(global.frames.map((raw) => reader.read(raw).kind)).toEqual([
      'full',
      'full',
      'full',
      'full',
      'delta',
      'delta',
    ]);
    expect(JSON.parse(global.frames[5]!).data).toMatchObject({
      conflation_key: 'ETH',
      seq: 2,
      base_index: 1,
    });

    const app = appFromRecord({
      id: 'a',
      key: 'k',
      secret: 's',
      channel_delta_compression: { c: { conflation_key: 'asset', max_conflation_keys: 2 } },
    });
    const capped = new FakeSocket(DELTA_COMPRESSION_DEFAULTS, app);
    for (const asset of ['A', 'B', 'C', 'D']) fanOut([capped], priced(asset, 0));
    expect(capped.delta.size).toEqual({ channels: 1, keys: 2 });
    expect(JSON.parse(capped.frames[3]!).__conflation_key).toBe('D');
  });

  it('leaves the algorithm out with omit_delta_algorithm', () => {
    const named = new FakeSocket();
    const omitted = new FakeSocket({ ...DELTA_COMPRESSION_DEFAULTS, omitDeltaAlgorithm: true });
    // One engine's settings per fan-out (every socket of a server shares them).
    for (let i = 0; i < 3; i++) {
      fanOut([named], frameOf(i));
      fanOut([omitted], frameOf(i));
    }
    expect(JSON.parse(named.frames[2]!).data.algorithm).toBe('fossil');
    expect(Object.keys(JSON.parse(omitted.frames[2]!).data)).toEqual(['event', 'delta', 'seq', 'base_index']);
    expect(new DeltaReader().read(named.frames[0]!).kind).toBe('full');
  });

  it('never lets a delta frame outgrow the message in full', () => {
    const socket = new FakeSocket({ ...DELTA_COMPRESSION_DEFAULTS, minMessageSize: 0 });
    const random = seeded(3);
    for (let i = 0; i < 50; i++) {
      const v2 = `{"event":"update","channel":"c","data":"${[...bytes(random, 120, 26)].map((b) => String.fromCharCode(97 + b)).join('')}"}`;
      fanOut([socket], v2);
      expect(socket.buffers.at(-1)!.length).toBeLessThanOrEqual(v2.length + 20);
    }
  });
});

describe('a socket’s delta state', () => {
  it('keeps at most max_channel_states_per_socket channels and max keys per channel, dropping the oldest', () => {
    const settings = { ...DELTA_COMPRESSION_DEFAULTS, maxChannelStatesPerSocket: 3 };
    const delta = new SocketDelta(settings, APP);
    for (let i = 0; i < 10; i++) delta.baseState(`ch${i}`, 'e', 100, i);
    expect(delta.size.channels).toBe(3);
    for (let i = 0; i < 10; i++) delta.baseState('ch9', `key${i}`, 4, 100 + i);
    expect(delta.size).toEqual({ channels: 3, keys: 2 + 4 });
    // The newest survive: the state of ch9/key9 is the one made last.
    expect(delta.baseState('ch9', 'key9', 4, 200).updatedAt).toBe(109);
  });

  it('lets a subscription turn one channel on or off over the socket’s choice', () => {
    const delta = new SocketDelta(DELTA_COMPRESSION_DEFAULTS, APP);
    expect(delta.wants('a')).toBe(false);
    delta.setSubscription('a', true);
    expect([delta.wants('a'), delta.wants('b')]).toEqual([true, false]);
    delta.enabledAll = true;
    delta.setSubscription('b', false);
    expect([delta.wants('a'), delta.wants('b'), delta.wants('c')]).toEqual([true, false, true]);
    delta.forget('b');
    expect(delta.wants('b')).toBe(true);
  });
});

describe('conflation keys', () => {
  it("reads a path as Rust Sockudo's extract_conflation_key_with_path does", () => {
    const frame = (data: unknown) => JSON.stringify({ event: 'e', channel: 'c', data });
    expect(conflationKeyOf(frame(JSON.stringify({ asset: 'BTC' })), 'asset')).toBe('BTC');
    expect(conflationKeyOf(frame({ asset: 'ETH' }), 'asset')).toBe('ETH');
    expect(conflationKeyOf(frame({ symbol: { id: 7 } }), 'data.symbol.id')).toBe('7');
    expect(conflationKeyOf(frame({ n: 1.5, b: true, nil: null, o: { x: 1 } }), 'n')).toBe('1.5');
    expect(conflationKeyOf(frame({ b: true }), 'b')).toBe('true');
    expect(conflationKeyOf(frame({ nil: null }), 'nil')).toBe('null');
    expect(conflationKeyOf(frame({ o: { x: 1 } }), 'o')).toBe('{"x":1}');
    expect(conflationKeyOf(frame({ asset: 'BTC' }), 'event')).toBe('e');
    // Pusher's double-encoded data is read for a one-part path only.
    expect(conflationKeyOf(frame(JSON.stringify({ a: { b: 1 } })), 'data.a')).toBe('');
    expect(conflationKeyOf(frame('not json'), 'asset')).toBe('');
    expect(conflationKeyOf('not json', 'asset')).toBe('');
  });
});

describe("an app's channel_delta_compression", () => {
  it("matches as Rust Sockudo's wildcard_pattern_matches: exact, prefix*, *suffix, a*b", () => {
    expect(channelPatternMatches('market-btc', 'market-*')).toBe(true);
    expect(channelPatternMatches('btc-data', '*-data')).toBe(true);
    expect(channelPatternMatches('a-x-b', 'a-*-b')).toBe(true);
    expect(channelPatternMatches('a-x-c', 'a-*-b')).toBe(false);
    expect(channelPatternMatches('abc', 'abc')).toBe(true);
    expect(channelPatternMatches('abc', 'ab')).toBe(false);
  });

  it('parses every shape, prefers the exact entry, and writes back what it read', () => {
    const record = {
      id: 'a',
      key: 'k',
      secret: 's',
      policy: {
        channels: {
          channel_delta_compression: {
            'market-*': {
              enabled: true,
              algorithm: 'Fossil',
              conflation_key: 'asset',
              max_messages_per_key: 5,
            },
            'market-raw': 'disabled',
            'chat-*': 'inherit',
            ticker: 'xdelta3',
            __proto__: 'disabled',
          },
        },
      },
    };
    const app = appFromRecord(JSON.parse(JSON.stringify(record)));
    expect(channelDeltaSettings(app.channelDeltaCompression, 'market-btc')).toEqual({
      enabled: true,
      algorithm: 'fossil',
      conflationKey: 'asset',
    });
    expect(channelDeltaSettings(app.channelDeltaCompression, 'market-raw')).toEqual({
      enabled: false,
      algorithm: 'fossil',
    });
    expect(channelDeltaSettings(app.channelDeltaCompression, 'chat-1')).toBeUndefined();
    expect(channelDeltaSettings(app.channelDeltaCompression, 'other')).toBeUndefined();
    expect(channelDeltaSettings(app.channelDeltaCompression, 'constructor')).toBeUndefined();
    const written = policyRecord(app, JSON.parse(JSON.stringify(record.policy)));
    expect((written.channels as Record<string, unknown>).channel_delta_compression).toEqual({
      'market-*': { enabled: true, algorithm: 'fossil', conflation_key: 'asset', max_messages_per_key: 5 },
      'market-raw': 'disabled',
      'chat-*': 'inherit',
      ticker: 'xdelta3',
    });
  });

  it('refuses what Rust Sockudo would not load, naming the key', () => {
    const bad = (value: unknown) => () =>
      appFromRecord({ id: 'a', key: 'k', secret: 's', channel_delta_compression: { x: value } });
    expect(bad('brotli')).toThrow(
      'app.channel_delta_compression.x: expected "fossil" or "xdelta3", got "brotli"',
    );
    expect(bad(5)).toThrow('app.channel_delta_compression.x: expected "inherit"');
    expect(bad({ enabled: 'yes' })).toThrow('app.channel_delta_compression.x.enabled: expected a boolean');
    expect(bad({ conflation_key: 3 })).toThrow('conflation_key: expected a non-empty string');
  });
});

describe('fuzz: the delta requests', () => {
  it('enable_delta_compression and delta_sync_error answer one frame or nothing, never throw', async () => {
    const { enableDeltaCompression, deltaSyncError, subscriptionDeltaChoice } = await import(
      '../../src/session/delta-requests.js'
    );
    const fuzz = new Fuzz(99);
    for (let i = 0; i < 2000; i++) {
      const sent: string[] = [];
      const session = {
        app: APP,
        protocol: fuzz.pick([1, 2] as const),
        delta: undefined as SocketDelta | undefined,
        send: (frame: string) => sent.push(frame),
        sendError: (code: number | null) => sent.push(`error ${code}`),
      };
      const data = fuzz.pick([fuzz.json(3), { algorithms: fuzz.json(1) }, { algorithms: [fuzz.string(1)] }]);
      enableDeltaCompression(session, DELTA_COMPRESSION_DEFAULTS, data);
      expect(sent).toHaveLength(1);
      if (sent[0]!.startsWith('error')) expect(sent[0]).toBe('error 4000');
      else expect(JSON.parse(sent[0]!).data.enabled).toBe(session.protocol === 2);
      deltaSyncError(session, fuzz.json(2));
      expect(sent.length).toBeLessThanOrEqual(2);
      expect([true, false, undefined]).toContain(subscriptionDeltaChoice(fuzz.json(2)));
    }
  });
});
