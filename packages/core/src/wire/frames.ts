// Serialising server→client messages. Pusher "double-encodes" `data`: it is a JSON string inside the
// JSON frame. Every builder returns the finished frame so a broadcast serialises once for all recipients.

import { PusherEvent } from '@sockudo/protocol';

/** A frame for a channel event whose `data` is already the string the client receives. */
export function channelEventFrame(event: string, channel: string, data: string, userId?: string): string {
  return rawChannelEventFrame(event, channel, JSON.stringify(data), userId);
}

/** A channel event frame whose `data` part is given as ready JSON (a client event's object, say). */
export function rawChannelEventFrame(
  event: string,
  channel: string,
  dataJson: string,
  userId?: string,
): string {
  // Hand-built to avoid a second JSON.stringify of the whole object; each part is escaped on its own.
  let frame = `{"event":${JSON.stringify(event)},"channel":${JSON.stringify(channel)},"data":${dataJson}`;
  if (userId !== undefined) frame += `,"user_id":${JSON.stringify(userId)}`;
  return `${frame}}`;
}

/** `data` given as a value is JSON-encoded once and sent as a string, as Pusher does. */
export function eventFrame(event: string, data?: unknown, channel?: string): string {
  const message: Record<string, unknown> = { event };
  if (channel !== undefined) message.channel = channel;
  if (data !== undefined) message.data = typeof data === 'string' ? data : JSON.stringify(data);
  return JSON.stringify(message);
}

/** `pusher:error`; its `data` is an object, not a string, as the protocol documents. */
export function errorFrame(code: number | null, message: string, channel?: string): string {
  const frame: Record<string, unknown> = { event: PusherEvent.Error, data: { code, message } };
  if (channel !== undefined) frame.channel = channel;
  return JSON.stringify(frame);
}

/**
 * `payload` as one complete WebSocket text frame from a server (final, unmasked; RFC 6455 §5.2), ready
 * to be written to the TCP socket as is.
 */
export function webSocketTextFrame(payload: Buffer): Buffer {
  const length = payload.length;
  const headerBytes = length < 126 ? 2 : length < 65_536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(headerBytes + length);
  frame[0] = 0x81; // FIN + text
  if (headerBytes === 2) {
    frame[1] = length;
  } else if (headerBytes === 4) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeUInt32BE(Math.floor(length / 2 ** 32), 2);
    frame.writeUInt32BE(length >>> 0, 6);
  }
  payload.copy(frame, headerBytes);
  return frame;
}

let lastPayload: Buffer | undefined;
let lastFrame: Buffer | undefined;

/**
 * The WebSocket frame of a fan-out's shared payload, built once for all its recipients: a broadcast
 * hands the same Buffer to every socket in a row, so a one-entry cache keyed on the Buffer's identity
 * frames it once. Shared payloads must not be changed after they are sent (none is).
 */
export function sharedTextFrame(payload: Buffer): Buffer {
  if (payload !== lastPayload || lastFrame === undefined) {
    lastFrame = webSocketTextFrame(payload);
    lastPayload = payload;
  }
  return lastFrame;
}
