// The write side of `appFromRecord`: an App as Rust Sockudo stores it, as flat snake_case columns plus
// the `policy` JSON. Writing keeps what an existing policy holds beyond this port's App model (channel
// namespaces, delta compression, idempotency, a webhook's retry settings), so an update made from Node
// never erases settings a Rust Sockudo deployment relies on.

import { camelCase, isRecord, type RawRecord } from '../util/raw-record.js';
import { APP_FIELDS, type App, type WebhookConfig } from './app.js';
import { channelDeltaRecord } from './channel-delta-compression.js';

/** App limit fields and their column / `policy.limits` names (all but `terminate_on_limit`). */
export const LIMIT_COLUMNS: ReadonlyArray<readonly [keyof App, string]> = APP_FIELDS.filter(
  ([field, , , group]) => group === 'limits' && field !== 'terminateOnLimit',
).map(([field, column]) => [field, column] as const);

/** App feature switches and their column / `policy.features` names. */
export const FEATURE_COLUMNS: ReadonlyArray<readonly [keyof App, string]> = APP_FIELDS.filter(
  ([, , , group]) => group === 'features',
).map(([field, column]) => [field, column] as const);

/** Filter keys the App model owns (every spelling appFromRecord reads); others are kept as stored. */
const FILTER_KEYS = new Set([
  'channel_prefix',
  'channelPrefix',
  'channel_name_starts_with',
  'channel_suffix',
  'channelSuffix',
  'channel_name_ends_with',
  'channel_pattern',
  'channelPattern',
]);

/** JSON text (SQL on MariaDB, DynamoDB strings) or an already parsed value; anything unreadable is dropped. */
function parsed(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}

/**
 * The policy a stored record carries: its `policy`, or, for a legacy record without one, the settings
 * Rust Sockudo would have folded into a policy from its other JSON columns.
 */
export function storedPolicy(record: RawRecord | undefined): RawRecord {
  if (!record) return {};
  const policy = parsed(record.policy);
  if (isRecord(policy)) return policy;
  const folded: RawRecord = {};
  const channels: RawRecord = {};
  for (const name of ['channel_delta_compression', 'channel_namespaces']) {
    const value = parsed(record[name]);
    if (value !== undefined && value !== null) channels[name] = value;
  }
  if (Object.keys(channels).length > 0) folded.channels = channels;
  for (const name of ['idempotency', 'connection_recovery']) {
    const value = parsed(record[name]);
    if (value !== undefined && value !== null) folded[name] = value;
  }
  return folded;
}

function webhookRecord(hook: WebhookConfig, previous: RawRecord | undefined): RawRecord {
  const out: RawRecord = { ...previous, url: hook.url, event_types: [...hook.eventTypes] };
  delete out.eventTypes;
  const filter: RawRecord = {};
  if (isRecord(previous?.filter)) {
    for (const [name, value] of Object.entries(previous.filter))
      if (!FILTER_KEYS.has(name)) filter[name] = value;
  }
  if (hook.filter?.channelPrefix !== undefined) filter.channel_prefix = hook.filter.channelPrefix;
  if (hook.filter?.channelSuffix !== undefined) filter.channel_suffix = hook.filter.channelSuffix;
  if (hook.filter?.channelPattern !== undefined) filter.channel_pattern = hook.filter.channelPattern;
  if (hook.filter || Object.keys(filter).length > 0) out.filter = filter;
  else delete out.filter;
  if (hook.headers) out.headers = { ...hook.headers };
  else delete out.headers;
  return out;
}

/**
 * The `policy` JSON for `app`, in Rust Sockudo's `AppPolicy` shape (`limits`, `features`, `channels`,
 * `webhooks`), laid over `previous` so keys this port does not model survive. A previous webhook with
 * the same URL keeps its extra settings (`retry`, `request_timeout_ms`, filter namespaces).
 */
export function policyRecord(app: App, previous: RawRecord = {}): RawRecord {
  const limits: RawRecord = isRecord(previous.limits) ? { ...previous.limits } : {};
  for (const [field, column] of LIMIT_COLUMNS) {
    delete limits[camelCase(column)];
    limits[column] = app[field];
  }
  delete limits.terminateOnLimit;
  limits.terminate_on_limit = app.terminateOnLimit;

  const features: RawRecord = isRecord(previous.features) ? { ...previous.features } : {};
  for (const [field, column] of FEATURE_COLUMNS) {
    delete features[camelCase(column)];
    features[column] = app[field];
  }

  const channels: RawRecord = isRecord(previous.channels) ? { ...previous.channels } : {};
  delete channels.allowedOrigins;
  channels.allowed_origins = [...app.allowedOrigins];
  if (app.channelDeltaCompression) {
    channels.channel_delta_compression = channelDeltaRecord(
      app.channelDeltaCompression,
      channels.channel_delta_compression,
    );
  }

  const earlier = new Map<string, RawRecord[]>();
  if (Array.isArray(previous.webhooks)) {
    for (const hook of previous.webhooks) {
      if (!isRecord(hook) || typeof hook.url !== 'string') continue;
      earlier.set(hook.url, [...(earlier.get(hook.url) ?? []), hook]);
    }
  }
  const webhooks = app.webhooks.map((hook) => webhookRecord(hook, earlier.get(hook.url)?.shift()));
  const out: RawRecord = { ...previous, limits, features, channels, webhooks };
  if (app.idempotency) {
    const idempotency: RawRecord = isRecord(previous.idempotency) ? { ...previous.idempotency } : {};
    delete idempotency.ttlSeconds;
    if (app.idempotency.enabled !== undefined) idempotency.enabled = app.idempotency.enabled;
    if (app.idempotency.ttlSeconds !== undefined) idempotency.ttl_seconds = app.idempotency.ttlSeconds;
    out.idempotency = idempotency;
  }
  if (app.history) out.history = overlay(previous.history, app.history);
  if (app.connectionRecovery)
    out.connection_recovery = overlay(previous.connection_recovery, app.connectionRecovery);
  return out;
}

/** `settings` (camelCase fields) as snake_case keys over the `previous` stored object. */
function overlay(previous: unknown, settings: object): RawRecord {
  const out: RawRecord = isRecord(previous) ? { ...previous } : {};
  for (const [field, value] of Object.entries(settings)) {
    if (value === undefined) continue;
    delete out[field];
    out[field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)] = value;
  }
  return out;
}

/** The flat columns Rust Sockudo's `applications` table has for `app`, in a fixed order. */
export function flatColumns(app: App): Array<[string, string | number | boolean]> {
  return [
    ['id', app.id],
    ['key', app.key],
    ['secret', app.secret],
    ['enabled', app.enabled],
    ...LIMIT_COLUMNS.map(([field, column]) => [column, app[field] as number] as [string, number]),
    ...FEATURE_COLUMNS.map(([field, column]) => [column, app[field] as boolean] as [string, boolean]),
  ];
}
