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
