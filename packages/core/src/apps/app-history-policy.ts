// An app's overrides of channel history and connection recovery, read from Rust Sockudo's shapes:
// `policy.history`, `policy.connection_recovery` (or the flat record's `connection_recovery`) and the
// history of each channel namespace in `policy.channels.channel_namespaces`.

import { ConfigError } from '../util/errors.js';
import { isRecord, type RawRecord } from '../util/raw-record.js';

/** An app's override of the server's `history` section; a field left out takes the server's. */
export interface AppHistoryPolicy {
  enabled?: boolean;
  rewindEnabled?: boolean;
  retentionWindowSeconds?: number;
  maxMessagesPerChannel?: number;
  maxBytesPerChannel?: number;
}

/** A channel namespace's history retention (Rust Sockudo's `NamespaceHistoryConfig`). */
export type NamespaceHistoryPolicy = Omit<AppHistoryPolicy, 'enabled'>;

/** An app's override of the server's `connection_recovery` section. */
export interface AppConnectionRecoveryPolicy {
  enabled?: boolean;
  bufferTtlSeconds?: number;
  maxBufferSize?: number;
}

/** What {@link appHistoryPolicies} found; each field only when the record has it. */
export interface AppHistoryPolicies {
  history?: AppHistoryPolicy;
  connectionRecovery?: AppConnectionRecoveryPolicy;
  /** Namespace name (the part of a channel name before its first `:`) → its history. */
  namespaceHistory?: Record<string, NamespaceHistoryPolicy>;
}

function parseJsonText(value: unknown, where: string): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch (cause) {
    throw new ConfigError(`${where}: not valid JSON`, { key: where, cause });
  }
}

function object(value: unknown, where: string): RawRecord {
  const parsed = parseJsonText(value, where);
  if (!isRecord(parsed)) throw new ConfigError(`${where}: expected an object`, { key: where });
  return parsed;
}

function flag(raw: RawRecord, name: string, where: string): boolean | undefined {
  const value = raw[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === 1) return true;
  if (value === 'false' || value === 0) return false;
  throw new ConfigError(`${where}.${name}: expected a boolean`, { key: `${where}.${name}` });
}

function count(raw: RawRecord, name: string, where: string, min: number): number | undefined {
  const value = raw[name];
  if (value === undefined || value === null) return undefined;
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min) {
    throw new ConfigError(`${where}.${name}: expected an integer of at least ${min}`, {
      key: `${where}.${name}`,
    });
  }
  return n;
}

function retention(raw: RawRecord, where: string): NamespaceHistoryPolicy {
  const out: NamespaceHistoryPolicy = {};
  const rewind = flag(raw, 'rewind_enabled', where);
  if (rewind !== undefined) out.rewindEnabled = rewind;
  const window = count(raw, 'retention_window_seconds', where, 1);
  if (window !== undefined) out.retentionWindowSeconds = window;
  const messages = count(raw, 'max_messages_per_channel', where, 1);
  if (messages !== undefined) out.maxMessagesPerChannel = messages;
  const bytes = count(raw, 'max_bytes_per_channel', where, 1);
  if (bytes !== undefined) out.maxBytesPerChannel = bytes;
  return out;
}

/**
 * The history and recovery overrides of an app record.
 * @param policy the record's `policy` (already parsed), `{}` when it has none
 * @throws ConfigError naming the offending key
 */
export function appHistoryPolicies(record: RawRecord, policy: RawRecord, where: string): AppHistoryPolicies {
  const out: AppHistoryPolicies = {};
  const history = policy.history ?? record.history;
  if (history !== undefined && history !== null) {
    const at = `${where}.policy.history`;
    const raw = object(history, at);
    const enabled = flag(raw, 'enabled', at);
    out.history = { ...(enabled !== undefined && { enabled }), ...retention(raw, at) };
  }
  const recovery = policy.connection_recovery ?? record.connection_recovery;
  if (recovery !== undefined && recovery !== null) {
    const at = `${where}.policy.connection_recovery`;
    const raw = object(recovery, at);
    const settings: AppConnectionRecoveryPolicy = {};
    const enabled = flag(raw, 'enabled', at);
    if (enabled !== undefined) settings.enabled = enabled;
    const ttl = count(raw, 'buffer_ttl_seconds', at, 1);
    if (ttl !== undefined) settings.bufferTtlSeconds = ttl;
    const size = count(raw, 'max_buffer_size', at, 1);
    if (size !== undefined) settings.maxBufferSize = size;
    out.connectionRecovery = settings;
  }
  const channels = isRecord(policy.channels) ? policy.channels : {};
  const namespaces = parseJsonText(
    channels.channel_namespaces,
    `${where}.policy.channels.channel_namespaces`,
  );
  if (Array.isArray(namespaces)) {
    namespaces.forEach((namespace, i) => {
      const at = `${where}.policy.channels.channel_namespaces[${i}]`;
      if (!isRecord(namespace) || typeof namespace.name !== 'string' || namespace.name === '') return;
      if (namespace.history === undefined || namespace.history === null) return;
      out.namespaceHistory ??= {};
      out.namespaceHistory[namespace.name] = retention(
        object(namespace.history, `${at}.history`),
        `${at}.history`,
      );
    });
  }
  return out;
}
