// Frames a server writes (RFC 6455 §5.2: final, unmasked), each built in one allocation.

export const Opcode = {
  Continuation: 0,
  Text: 1,
  Binary: 2,
  Close: 8,
  Ping: 9,
  Pong: 10,
} as const;

function header(frame: Buffer, first: number, length: number): number {
  frame[0] = first;
  if (length < 126) {
    frame[1] = length;
    return 2;
  }
  if (length < 65_536) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
    return 4;
  }
  frame[1] = 127;
  frame.writeUInt32BE(Math.floor(length / 2 ** 32), 2);
  frame.writeUInt32BE(length >>> 0, 6);
  return 10;
}

const headerBytes = (length: number) => (length < 126 ? 2 : length < 65_536 ? 4 : 10);

/** `text` as one text frame. */
export function textFrame(text: string): Buffer {
  // One byte per character is the common case (JSON of ASCII); otherwise measure.
  const length = Buffer.byteLength(text);
  const frame = Buffer.allocUnsafe(headerBytes(length) + length);
  const at = header(frame, 0x80 | Opcode.Text, length);
  frame.write(text, at, length === text.length ? 'latin1' : 'utf8');
  return frame;
}

/** A ping or pong carrying `payload` (at most 125 bytes). */
export function controlFrame(opcode: number, payload: Buffer): Buffer {
  const frame = Buffer.allocUnsafe(2 + payload.length);
  header(frame, 0x80 | opcode, payload.length);
  payload.copy(frame, 2);
  return frame;
}

/** A close frame: empty without a code, else the code and the reason cut to fit 123 bytes. */
export function closeFrame(code?: number, reason = ''): Buffer {
  if (code === undefined) return Buffer.from([0x80 | Opcode.Close, 0]);
  // Cut by characters, so the reason stays valid UTF-8.
  let text = reason;
  while (Buffer.byteLength(text) > 123) text = text.slice(0, -1);
  const why = Buffer.from(text, 'utf8');
  const frame = Buffer.allocUnsafe(4 + why.length);
  frame[0] = 0x80 | Opcode.Close;
  frame[1] = 2 + why.length;
  frame.writeUInt16BE(code, 2);
  why.copy(frame, 4);
  return frame;
}
