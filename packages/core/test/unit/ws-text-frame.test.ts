import { describe, expect, it } from 'vitest';
import { Receiver } from 'ws';
import { sharedTextFrame, webSocketTextFrame } from '../../src/wire/frames.js';

// ws's own parser (as a client would run it) reads back what the server pre-frames for a fan-out.
function parse(frame: Buffer): string[] {
  const messages: string[] = [];
  const receiver = new Receiver({ isServer: false });
  receiver.on('message', (data: Buffer, isBinary: boolean) => {
    expect(isBinary).toBe(false);
    messages.push(data.toString());
  });
  receiver.write(frame);
  return messages;
}

describe('webSocketTextFrame', () => {
  it.each([0, 5, 125, 126, 65_535, 65_536, 200_000])('frames a %i-byte payload ws can read', (length) => {
    const text = 'x'.repeat(length);
    expect(parse(webSocketTextFrame(Buffer.from(text)))).toEqual([text]);
  });

  it('frames a shared payload once and a new payload anew', () => {
    const first = Buffer.from('{"event":"a"}');
    expect(sharedTextFrame(first)).toBe(sharedTextFrame(first));
    const second = Buffer.from('{"event":"b"}');
    expect(parse(sharedTextFrame(second))).toEqual(['{"event":"b"}']);
  });
});
