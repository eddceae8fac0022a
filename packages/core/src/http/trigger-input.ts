// What the HTTP API accepts: the JSON body, the `info` attributes a request may ask for, and each
// triggered event checked against the app's limits, answering Pusher's 400 and 413 with the reason.

import { isEncryptedChannel, isValidSocketId, validateChannelNameForApi } from '@sockudo/protocol';
import type { App } from '../apps/app.js';
import type { ExtensionSettings } from '../engine/extension-settings.js';
import { type ParsedExtras, parseExtras } from './message-extras.js';
import { parseTags } from './message-tags.js';
import { HttpError } from './respond.js';

/** One event of a trigger or batch, validated. */
export interface TriggerInput {
  name: string;
  data: string;
  channels: string[];
  socketId: string | undefined;
  info: Set<string>;
  /** The V2 `extras` envelope, when the event has one (never sent to Pusher sockets). */
  extras: ParsedExtras | undefined;
  /** The V2 `tags` as a JSON object with sorted keys, when the event has them (never sent to Pusher sockets). */
  tags: string | undefined;
}

/** `info` attributes a trigger or `GET /channels` may ask for. */
export const TRIGGER_INFO = new Set(['user_count', 'subscription_count']);
/** `info` attributes `GET /channels/{name}` may ask for. */
export const CHANNEL_INFO = new Set(['user_count', 'subscription_count', 'cache']);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The comma-separated `info` attributes, each one of `allowed` (else 400). */
export function parseInfo(raw: unknown, allowed: ReadonlySet<string>): Set<string> {
  if (raw === undefined || raw === null || raw === '') return new Set();
  if (typeof raw !== 'string') throw new HttpError(400, 'info must be a comma-separated string');
  const attributes = new Set(
    raw
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );
  for (const attribute of attributes) {
    if (!allowed.has(attribute)) {
      throw new HttpError(
        400,
        `Unsupported info attribute "${attribute}"; expected one of ${[...allowed].join(', ')}`,
      );
    }
  }
  return attributes;
}

/** The body as a JSON object (else 400). */
export function parseJson(body: Buffer): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    throw new HttpError(400, 'Request body is not valid JSON');
  }
  if (!isRecord(parsed)) throw new HttpError(400, 'Request body must be a JSON object');
  return parsed;
}

/** Validates one event of a trigger or batch against the app's limits (Pusher's 400/413 rules). */
export function parseTrigger(
  app: App,
  raw: unknown,
  where: string,
  single: boolean,
  extensions: Pick<ExtensionSettings, 'echoControl' | 'ephemeral'>,
): TriggerInput {
  if (!isRecord(raw)) throw new HttpError(400, `${where} must be an object`);
  const { name } = raw;
  if (typeof name !== 'string' || name === '')
    throw new HttpError(400, `${where}.name must be a non-empty string`);
  if (name.length > app.maxEventNameLength) {
    throw new HttpError(400, `${where}.name is longer than ${app.maxEventNameLength} characters`);
  }
  let data: string;
  if (typeof raw.data === 'string') data = raw.data;
  else if (raw.data === undefined) throw new HttpError(400, `${where}.data is required`);
  else data = JSON.stringify(raw.data); // accepted as Rust Sockudo does; Pusher SDKs always send a string

  let channels: unknown;
  if (raw.channels !== undefined && single) channels = raw.channels;
  else if (raw.channel !== undefined) channels = [raw.channel];
  else
    throw new HttpError(400, single ? `${where} needs channels or channel` : `${where}.channel is required`);
  if (!Array.isArray(channels) || channels.length === 0 || channels.some((c) => typeof c !== 'string')) {
    throw new HttpError(400, `${where}.channels must be a non-empty array of channel names`);
  }
  if (channels.length > app.maxEventChannelsAtOnce) {
    throw new HttpError(
      400,
      `${where}.channels names ${channels.length} channels; at most ${app.maxEventChannelsAtOnce} are allowed`,
    );
  }
  for (const channel of channels as string[]) {
    const invalid = validateChannelNameForApi(channel, app.maxChannelNameLength);
    if (invalid) throw new HttpError(400, `${where}: ${invalid}`);
  }
  if (channels.length > 1 && (channels as string[]).some(isEncryptedChannel)) {
    throw new HttpError(400, `${where}: an event for an encrypted channel must name exactly one channel`);
  }
  const bytes = Buffer.byteLength(data);
  if (bytes > app.maxEventPayloadInKb * 1024) {
    throw new HttpError(413, `${where}.data is ${bytes} bytes; the limit is ${app.maxEventPayloadInKb} KB`);
  }
  const socketId = raw.socket_id;
  if (socketId !== undefined && socketId !== null && !isValidSocketId(socketId)) {
    throw new HttpError(400, `${where}.socket_id is not a valid socket id`);
  }
  return {
    name,
    data,
    channels: channels as string[],
    socketId: (socketId as string | undefined) ?? undefined,
    info: parseInfo(raw.info, TRIGGER_INFO),
    extras: parseExtras(raw.extras, `${where}.extras`, extensions),
    tags: parseTags(raw.tags, `${where}.tags`),
  };
}
