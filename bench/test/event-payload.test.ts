import { describe, expect, it } from 'vitest';
import { createEventDataFactory, readSentAt } from '../src/event-payload.js';

describe('createEventDataFactory', () => {
  it('makes JSON data of exactly the payload size carrying the stamp', () => {
    const make = createEventDataFactory(100);
    const data = make(123456.789);
    expect(data).toHaveLength(100);
    expect(JSON.parse(data)).toMatchObject({ bench_t: 123456.789 });
  });

  it('gives up padding rather than the stamp when the payload is tiny', () => {
    expect(JSON.parse(createEventDataFactory(5)(1.5))).toEqual({ bench_t: 1.5, pad: '' });
  });
});

describe('readSentAt', () => {
  const data = createEventDataFactory(100)(98765.432);

  it('reads the stamp from a frame whose data is a JSON-encoded string (as Pusher sends it)', () => {
    const frame = Buffer.from(JSON.stringify({ event: 'bench', channel: 'bench-1', data }));
    expect(readSentAt(frame)).toBe(98765.432);
  });

  it('reads the stamp when a server forwards data as an object', () => {
    const frame = Buffer.from(JSON.stringify({ event: 'bench', data: JSON.parse(data) }));
    expect(readSentAt(frame)).toBe(98765.432);
  });

  it('ignores other frames and looks only inside the given range', () => {
    expect(readSentAt(Buffer.from('{"event":"pusher:ping","data":{}}'))).toBeUndefined();
    const frame = Buffer.from(`xxxx${JSON.stringify({ event: 'bench', data })}`);
    expect(readSentAt(frame, 0, 4)).toBeUndefined();
    expect(readSentAt(frame, 4, frame.length)).toBe(98765.432);
  });
});
