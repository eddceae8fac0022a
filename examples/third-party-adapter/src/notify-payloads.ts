// How transport messages fit into NOTIFY payloads, which PostgreSQL limits to 7999 bytes. A message
// that fits goes as one notification: its kind letter, then the payload. A larger one is split into
// chunks sent by one statement (so in one transaction, whose notifications PostgreSQL delivers together
// and in commit order): `<KIND><id>:<index>:<count>:<piece>`, with the kind in upper case.

/** PostgreSQL rejects a NOTIFY payload of 8000 bytes or more. */
export const MAX_NOTIFY_BYTES = 7999;

/** The three kinds of transport message, as the first letter of a notification. */
export type MessageKind = 'b' | 'q' | 'r';

const KINDS = new Set(['b', 'q', 'r']);

/**
 * Splits `text` into pieces of at most `maxBytes` UTF-8 bytes each, never between the two halves of
 * a surrogate pair (so each piece is valid text on its own, as PostgreSQL requires).
 */
export function splitUtf8(text: string, maxBytes: number): string[] {
  const pieces: string[] = [];
  let start = 0;
  while (start < text.length) {
    // Each UTF-16 code unit is at most 3 UTF-8 bytes (a surrogate pair is 4 bytes for 2 units).
    let end = Math.min(text.length, start + maxBytes);
    while (Buffer.byteLength(text.slice(start, end)) > maxBytes) {
      const over = Buffer.byteLength(text.slice(start, end)) - maxBytes;
      end -= Math.max(1, Math.floor(over / 3));
    }
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end -= 1;
    pieces.push(text.slice(start, end));
    start = end;
  }
  return pieces;
}

/**
 * The notification payloads of one message. `id` only needs to be unique among this connection's
 * messages: the receiver keys chunks by the sending backend's process id too.
 */
export function encodeMessage(kind: MessageKind, payload: string, id: number): string[] {
  const whole = kind + payload;
  if (Buffer.byteLength(whole) <= MAX_NOTIFY_BYTES) return [whole];
  // Room for the header `<K><id>:<index>:<count>:`, generously.
  const pieces = splitUtf8(payload, MAX_NOTIFY_BYTES - 64);
  const head = kind.toUpperCase() + String(id);
  return pieces.map((piece, index) => `${head}:${index}:${pieces.length}:${piece}`);
}

/** A message put back together, or nothing yet. */
export interface DecodedMessage {
  kind: MessageKind;
  payload: string;
}

/**
 * Puts chunked messages back together. Chunks of one message arrive together; a message whose
 * chunks were cut off (a reconnect mid-message) is dropped once `maxPending` others are waiting.
 */
export class MessageAssembler {
  readonly #pending = new Map<string, { kind: MessageKind; pieces: string[]; received: number }>();

  constructor(private readonly maxPending = 32) {}

  /** Feeds one notification from backend `sender`; returns the message once it is complete. */
  accept(sender: number, text: string): DecodedMessage | undefined {
    const first = text.charAt(0);
    if (KINDS.has(first)) return { kind: first as MessageKind, payload: text.slice(1) };
    const kind = first.toLowerCase();
    if (!KINDS.has(kind)) return undefined;
    const match = /^(\d+):(\d+):(\d+):/.exec(text.slice(1));
    if (!match) return undefined;
    const [header, id, indexText, countText] = match;
    const index = Number(indexText);
    const count = Number(countText);
    if (index >= count) return undefined;
    const key = `${sender}:${id}`;
    let entry = this.#pending.get(key);
    if (!entry) {
      entry = { kind: kind as MessageKind, pieces: new Array<string>(count), received: 0 };
      this.#pending.set(key, entry);
      if (this.#pending.size > this.maxPending) {
        const oldest = this.#pending.keys().next().value as string;
        this.#pending.delete(oldest);
      }
    }
    if (entry.pieces[index] === undefined) entry.received += 1;
    entry.pieces[index] = text.slice(1 + header!.length);
    if (entry.received < count) return undefined;
    this.#pending.delete(key);
    return { kind: entry.kind, payload: entry.pieces.join('') };
  }

  /** Forgets partial messages, e.g. after the connection was lost. */
  clear(): void {
    this.#pending.clear();
  }
}
