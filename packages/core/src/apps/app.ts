// The application model every app manager returns, and the one function that turns any stored shape
// (Rust Sockudo's flat snake_case form, its newer `policy{limits,features,channels,webhooks}` form, or
// camelCase) into it, so config files, SQL rows and DynamoDB items agree on names and defaults.

import { DEFAULT_MAX_CHANNEL_NAME_LENGTH } from '@sockudo/protocol';
import { ConfigError } from '../util/errors.js';
import { camelCase, isRecord, type RawRecord } from '../util/raw-record.js';
import {
  type AppConnectionRecoveryPolicy,
  type AppHistoryPolicy,
  appHistoryPolicies,
  type NamespaceHistoryPolicy,
} from './app-history-policy.js';
import { type ChannelDeltaRule, parseChannelDeltaCompression } from './channel-delta-compression.js';

/** A webhook target of an app, in Rust Sockudo's shape. */
export interface WebhookConfig {
  /** The URL the signed POST goes to. */
  url: string;
  /** Which events to send; empty means every event. */
  eventTypes: string[];
  /** Only send events whose channel matches. */
  filter?: { channelPrefix?: string; channelSuffix?: string; channelPattern?: string };
  /** Extra request headers. */
  headers?: Record<string, string>;
}

/** One application: its credentials, switches and limits. Limits of 0 mean "unlimited". */
export interface App {
  id: string;
  key: string;
  secret: string;
  /** @default true */
  enabled: boolean;
  /** Simultaneous connections for this app on this node; 0 = unlimited. @default 0 */
  maxConnections: number;
  /** Whether `client-` events are accepted. @default false */
  enableClientMessages: boolean;
  /** Whether connections must sign in (`pusher:signin`). @default false */
  enableUserAuthentication: boolean;
  /** Whether watchlist online/offline events are sent. @default false */
  enableWatchlistEvents: boolean;
  /** HTTP API events per second; 0 = unlimited. @default 0 */
  maxBackendEventsPerSecond: number;
  /** Client events per second per connection; 0 = unlimited. @default 10 (Pusher) */
  maxClientEventsPerSecond: number;
  /** HTTP API read requests per second; 0 = unlimited. @default 0 */
  maxReadRequestsPerSecond: number;
  /** Distinct users per presence channel. @default 100 (Pusher) */
  maxPresenceMembersPerChannel: number;
  /** Size of one member's `user_info`, in KB. @default 1 (Pusher) */
  maxPresenceMemberSizeInKb: number;
  /** @default 164 (Pusher) */
  maxChannelNameLength: number;
  /** Channels one HTTP trigger may name. @default 100 (Pusher) */
  maxEventChannelsAtOnce: number;
  /** @default 200 */
  maxEventNameLength: number;
  /** Event `data` size, in KB. @default 10 (Pusher) */
  maxEventPayloadInKb: number;
  /** Events per `batch_events` call. @default 10 (Pusher) */
  maxEventBatchSize: number;
  /** Close the socket (4301) instead of only rejecting the event when over the client-event limit. @default false */
  terminateOnLimit: boolean;
  /** Origins allowed to open WebSockets; empty or `*` = any. @default [] */
  allowedOrigins: string[];
  /** @default [] */
  webhooks: WebhookConfig[];
  /**
   * This app's idempotent-publish settings over the server's `idempotency` section (Rust Sockudo's
   * `policy.idempotency`); a field left out takes the server's. @default undefined
   */
  idempotency?: AppIdempotency;
  /**
   * Delta compression per channel name or pattern (`market-*`): `inherit`, `disabled`, an algorithm or
   * settings with a `conflation_key` (Rust Sockudo's `policy.channels.channel_delta_compression`).
   * @default undefined (every channel inherits the server's `delta_compression`)
   */
  channelDeltaCompression?: Record<string, ChannelDeltaRule>;
  /** This app's override of the server's `history` section (`policy.history`). @default undefined */
  history?: AppHistoryPolicy;
  /** This app's override of `connection_recovery` (`policy.connection_recovery`). @default undefined */
  connectionRecovery?: AppConnectionRecoveryPolicy;
  /**
   * History retention per channel namespace (`policy.channels.channel_namespaces[].history`): the
   * namespace of `chat:room-1` (or `private-chat:room-1`) is `chat`. @default undefined
   */
  namespaceHistory?: Record<string, NamespaceHistoryPolicy>;
}

/** An app's override of the server's idempotency settings. */
export interface AppIdempotency {
  enabled?: boolean;
  /** Seconds a key is remembered. */
  ttlSeconds?: number;
}

/** Pusher's documented defaults for every optional app field. */
export const APP_DEFAULTS: Omit<App, 'id' | 'key' | 'secret'> = Object.freeze({
  enabled: true,
  maxConnections: 0,
  enableClientMessages: false,
  enableUserAuthentication: false,
  enableWatchlistEvents: false,
  maxBackendEventsPerSecond: 0,
  maxClientEventsPerSecond: 10,
  maxReadRequestsPerSecond: 0,
  maxPresenceMembersPerChannel: 100,
  maxPresenceMemberSizeInKb: 1,
  maxChannelNameLength: DEFAULT_MAX_CHANNEL_NAME_LENGTH,
  maxEventChannelsAtOnce: 100,
  maxEventNameLength: 200,
  maxEventPayloadInKb: 10,
  maxEventBatchSize: 10,
  terminateOnLimit: false,
  allowedOrigins: [] as string[],
  webhooks: [] as WebhookConfig[],
});

type Kind = 'boolean' | 'number';
/** Numeric and boolean app fields, with their snake_case name and the policy section they live in. */
export const APP_FIELDS: ReadonlyArray<readonly [keyof App, string, Kind, 'limits' | 'features']> = [
  ['maxConnections', 'max_connections', 'number', 'limits'],
  ['maxBackendEventsPerSecond', 'max_backend_events_per_second', 'number', 'limits'],
  ['maxClientEventsPerSecond', 'max_client_events_per_second', 'number', 'limits'],
  ['maxReadRequestsPerSecond', 'max_read_requests_per_second', 'number', 'limits'],
  ['maxPresenceMembersPerChannel', 'max_presence_members_per_channel', 'number', 'limits'],
  ['maxPresenceMemberSizeInKb', 'max_presence_member_size_in_kb', 'number', 'limits'],
  ['maxChannelNameLength', 'max_channel_name_length', 'number', 'limits'],
  ['maxEventChannelsAtOnce', 'max_event_channels_at_once', 'number', 'limits'],
  ['maxEventNameLength', 'max_event_name_length', 'number', 'limits'],
  ['maxEventPayloadInKb', 'max_event_payload_in_kb', 'number', 'limits'],
  ['maxEventBatchSize', 'max_event_batch_size', 'number', 'limits'],
  ['terminateOnLimit', 'terminate_on_limit', 'boolean', 'limits'],
  ['enableClientMessages', 'enable_client_messages', 'boolean', 'features'],
  ['enableUserAuthentication', 'enable_user_authentication', 'boolean', 'features'],
  ['enableWatchlistEvents', 'enable_watchlist_events', 'boolean', 'features'],
];

/** The snake_case names of every app field that {@link appFromRecord} understands. */
export const APP_RECORD_KEYS: readonly string[] = [
  'id',
  'key',
  'secret',
  'enabled',
  'policy',
  'allowed_origins',
  'webhooks',
  'idempotency',
  'channel_delta_compression',
  'history',
  'connection_recovery',
  ...APP_FIELDS.map((f) => f[1]),
];

function pick(sources: RawRecord[], names: string[]): unknown {
  for (const source of sources) {
    for (const name of names) {
      const value = source[name];
      if (value !== undefined && value !== null) return value;
    }
  }
  return undefined;
}

function coerce(value: unknown, kind: Kind, where: string): number | boolean {
  if (kind === 'boolean') {
    if (typeof value === 'boolean') return value;
    if (value === 1 || value === 0) return value === 1;
    if (value === 'true' || value === '1') return true;
    if (value === 'false' || value === '0') return false;
    throw new ConfigError(`${where}: expected a boolean, got ${JSON.stringify(value)}`, { key: where });
  }
  // Numbers may arrive as strings (Rust Sockudo accepts them; SQL drivers return BIGINT as strings).
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n) || n < 0) {
    throw new ConfigError(`${where}: expected a non-negative number, got ${JSON.stringify(value)}`, {
      key: where,
    });
  }
  return n;
}

/** Values stored as JSON text (SQL columns, env vars) are parsed here, naming the key when they are not JSON. */
function parseJsonText(value: unknown, where: string): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch (cause) {
    throw new ConfigError(`${where}: not valid JSON`, { key: where, cause });
  }
}

function parseWebhooks(value: unknown, where: string): WebhookConfig[] {
  const list = parseJsonText(value, where);
  if (!Array.isArray(list)) throw new ConfigError(`${where}: expected an array of webhooks`, { key: where });
  const hooks: WebhookConfig[] = [];
  list.forEach((raw, i) => {
    const at = `${where}[${i}]`;
    // Rust Sockudo's AWS Lambda targets have no URL; this port delivers over HTTP only, so they are skipped
    // rather than making the whole app unusable.
    if (
      isRecord(raw) &&
      raw.url === undefined &&
      (raw.lambda_function !== undefined || raw.lambda !== undefined)
    ) {
      return;
    }
    if (!isRecord(raw) || typeof raw.url !== 'string' || raw.url === '') {
      throw new ConfigError(`${at}.url: expected a URL string`, { key: `${at}.url` });
    }
    try {
      new URL(raw.url);
    } catch {
      throw new ConfigError(`${at}.url: expected an absolute URL, got ${JSON.stringify(raw.url)}`, {
        key: `${at}.url`,
      });
    }
    const eventTypes = raw.event_types ?? raw.eventTypes ?? [];
    if (!Array.isArray(eventTypes) || eventTypes.some((t) => typeof t !== 'string')) {
      throw new ConfigError(`${at}.event_types: expected an array of event names`, {
        key: `${at}.event_types`,
      });
    }
    const hook: WebhookConfig = { url: raw.url, eventTypes: eventTypes as string[] };
    if (isRecord(raw.filter)) {
      const f = raw.filter;
      hook.filter = {};
      const prefix = f.channel_prefix ?? f.channelPrefix ?? f.channel_name_starts_with;
      const suffix = f.channel_suffix ?? f.channelSuffix ?? f.channel_name_ends_with;
      const pattern = f.channel_pattern ?? f.channelPattern;
      if (typeof prefix === 'string') hook.filter.channelPrefix = prefix;
      if (typeof suffix === 'string') hook.filter.channelSuffix = suffix;
      if (typeof pattern === 'string') {
        try {
          new RegExp(pattern);
        } catch {
          throw new ConfigError(`${at}.filter.channel_pattern: not a valid regular expression`, {
            key: `${at}.filter.channel_pattern`,
          });
        }
        hook.filter.channelPattern = pattern;
      }
    }
    if (isRecord(raw.headers))
      hook.headers = Object.fromEntries(Object.entries(raw.headers).map(([k, v]) => [k, String(v)]));
    hooks.push(hook);
  });
  return hooks;
}

function parseIdempotency(value: unknown, where: string): AppIdempotency {
  const raw = parseJsonText(value, where);
  if (!isRecord(raw)) throw new ConfigError(`${where}: expected an object`, { key: where });
  const out: AppIdempotency = {};
  const enabled = pick([raw], ['enabled']);
  if (enabled !== undefined) out.enabled = coerce(enabled, 'boolean', `${where}.enabled`) as boolean;
  const ttl = pick([raw], ['ttl_seconds', 'ttlSeconds']);
  if (ttl !== undefined) out.ttlSeconds = coerce(ttl, 'number', `${where}.ttl_seconds`) as number;
  return out;
}

/**
 * Builds an {@link App} from a stored record in any of the shapes Rust Sockudo accepts: flat snake_case
 * (`max_connections`, `enable_client_messages`), nested `policy { limits, features, channels, webhooks }`
 * (a JSON string is parsed too) or camelCase. Missing fields take {@link APP_DEFAULTS}.
 *
 * @param record the raw record
 * @param where a config path used in error messages, e.g. `app_manager.array.apps[0]`
 * @throws ConfigError naming the offending key
 */
export function appFromRecord(record: unknown, where = 'app'): App {
  if (!isRecord(record)) throw new ConfigError(`${where}: expected an object`, { key: where });
  let policy: RawRecord = {};
  if (record.policy !== undefined && record.policy !== null) {
    const p = parseJsonText(record.policy, `${where}.policy`);
    if (!isRecord(p))
      throw new ConfigError(`${where}.policy: expected an object`, { key: `${where}.policy` });
    policy = p;
  }
  const section = (name: string): RawRecord => (isRecord(policy[name]) ? (policy[name] as RawRecord) : {});
  const limits = section('limits');
  const features = section('features');
  const channels = section('channels');

  const app: Record<string, unknown> = { ...APP_DEFAULTS };
  for (const name of ['id', 'key', 'secret'] as const) {
    const value = record[name];
    if (typeof value === 'number') app[name] = String(value);
    else if (typeof value === 'string' && value !== '') app[name] = value;
    else throw new ConfigError(`${where}.${name}: expected a non-empty string`, { key: `${where}.${name}` });
  }
  const enabled = pick([record], ['enabled']);
  if (enabled !== undefined) app.enabled = coerce(enabled, 'boolean', `${where}.enabled`);

  for (const [field, snake, kind, group] of APP_FIELDS) {
    const nested = group === 'limits' ? limits : features;
    const value = pick([nested, record], [snake, camelCase(snake)]);
    if (value === undefined) continue;
    const path = nested[snake] !== undefined ? `${where}.policy.${group}.${snake}` : `${where}.${snake}`;
    app[field] = coerce(value, kind, path);
  }

  const origins = pick([channels, record], ['allowed_origins', 'allowedOrigins']);
  if (origins !== undefined) {
    const list = parseJsonText(origins, `${where}.allowed_origins`);
    if (!Array.isArray(list) || list.some((o) => typeof o !== 'string')) {
      throw new ConfigError(`${where}.allowed_origins: expected an array of strings`, {
        key: `${where}.allowed_origins`,
      });
    }
    app.allowedOrigins = list;
  }
  const hooks = pick([policy, record], ['webhooks']);
  if (hooks !== undefined) app.webhooks = parseWebhooks(hooks, `${where}.webhooks`);
  const idempotency = pick([policy, record], ['idempotency']);
  if (idempotency !== undefined) app.idempotency = parseIdempotency(idempotency, `${where}.idempotency`);
  const delta = pick([channels, record], ['channel_delta_compression', 'channelDeltaCompression']);
  if (delta !== undefined) {
    const path = channels.channel_delta_compression !== undefined ? 'policy.channels.' : '';
    app.channelDeltaCompression = parseChannelDeltaCompression(
      delta,
      `${where}.${path}channel_delta_compression`,
    );
  }
  Object.assign(app, appHistoryPolicies(record, policy, where));
  return app as unknown as App;
}
