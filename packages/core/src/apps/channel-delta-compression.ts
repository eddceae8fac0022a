// An app's `channel_delta_compression` (Rust Sockudo's `policy.channels.channel_delta_compression`):
// channel name or pattern → "inherit" | "disabled" | "fossil" | "xdelta3" | a settings object. Read as
// Rust Sockudo's `ChannelDeltaConfig`, matched as its `get_channel_delta_settings` does it.

import { ConfigError } from '../util/errors.js';
import { isRecord } from '../util/raw-record.js';

/** How delta compression treats the channels one `channel_delta_compression` entry names. */
export interface ChannelDeltaSettings {
  /** False for `"disabled"` or `{ "enabled": false }`: those channels never get deltas. */
  enabled: boolean;
  /** `fossil` or `xdelta3` as configured (this server encodes fossil either way). */
  algorithm: string;
  /** A dotted path into each message whose value keeps a base of its own (`asset`, `data.symbol`). */
  conflationKey?: string;
  /** Conflation keys kept per socket on these channels, over the server's `max_conflation_states_per_channel`. */
  maxConflationKeys?: number;
}

/** One entry's value: settings, or `inherit` (the server's settings). */
export type ChannelDeltaRule = ChannelDeltaSettings | 'inherit';

const ALGORITHMS = new Set(['fossil', 'xdelta3']);

function algorithmOf(value: unknown, where: string): string {
  const name = typeof value === 'string' ? value.toLowerCase() : undefined;
  if (name === undefined || !ALGORITHMS.has(name)) {
    throw new ConfigError(`${where}: expected "fossil" or "xdelta3", got ${JSON.stringify(value)}`, {
      key: where,
    });
  }
  return name;
}

function ruleOf(value: unknown, where: string): ChannelDeltaRule {
  if (typeof value === 'string') {
    const name = value.toLowerCase();
    if (name === 'inherit') return 'inherit';
    if (name === 'disabled') return { enabled: false, algorithm: 'fossil' };
    return { enabled: true, algorithm: algorithmOf(value, where) };
  }
  if (!isRecord(value)) {
    throw new ConfigError(`${where}: expected "inherit", "disabled", "fossil", "xdelta3" or an object`, {
      key: where,
    });
  }
  const settings: ChannelDeltaSettings = { enabled: true, algorithm: 'fossil' };
  if (value.enabled !== undefined) {
    if (typeof value.enabled !== 'boolean')
      throw new ConfigError(`${where}.enabled: expected a boolean`, { key: `${where}.enabled` });
    settings.enabled = value.enabled;
  }
  if (value.algorithm !== undefined) settings.algorithm = algorithmOf(value.algorithm, `${where}.algorithm`);
  if (value.conflation_key !== undefined && value.conflation_key !== null) {
    if (typeof value.conflation_key !== 'string' || value.conflation_key === '') {
      throw new ConfigError(`${where}.conflation_key: expected a non-empty string`, {
        key: `${where}.conflation_key`,
      });
    }
    settings.conflationKey = value.conflation_key;
  }
  if (value.max_conflation_keys !== undefined) {
    const max = value.max_conflation_keys;
    if (typeof max !== 'number' || !Number.isInteger(max) || max < 1) {
      throw new ConfigError(`${where}.max_conflation_keys: expected a positive integer`, {
        key: `${where}.max_conflation_keys`,
      });
    }
    settings.maxConflationKeys = max;
  }
  // max_messages_per_key and enable_tags are Rust Sockudo's too; neither changes what this server sends.
  return settings;
}

/** Parses `channel_delta_compression` (an object, or its JSON text) into pattern → rule. */
export function parseChannelDeltaCompression(
  value: unknown,
  where: string,
): Record<string, ChannelDeltaRule> {
  let raw = value;
  if (typeof raw === 'string') {
    try {
      raw = JSON.parse(raw);
    } catch (cause) {
      throw new ConfigError(`${where}: not valid JSON`, { key: where, cause });
    }
  }
  if (!isRecord(raw)) throw new ConfigError(`${where}: expected an object`, { key: where });
  // No prototype: a channel named `__proto__` or `constructor` is an entry like any other.
  const rules: Record<string, ChannelDeltaRule> = Object.create(null);
  for (const [pattern, rule] of Object.entries(raw)) rules[pattern] = ruleOf(rule, `${where}.${pattern}`);
  return rules;
}

/** Rust Sockudo's `wildcard_pattern_matches`: exact, `prefix*`, `*suffix` or `prefix*suffix`. */
export function channelPatternMatches(channel: string, pattern: string): boolean {
  if (channel === pattern) return true;
  if (!pattern.includes('*')) return false;
  if (pattern.endsWith('*')) return channel.startsWith(pattern.slice(0, -1));
  if (pattern.startsWith('*')) return channel.endsWith(pattern.slice(1));
  const parts = pattern.split('*');
  return parts.length === 2 && channel.startsWith(parts[0]!) && channel.endsWith(parts[1]!);
}

/** The settings `rules` give `channel`: its exact entry, else the first pattern matching it; undefined to inherit. */
export function channelDeltaSettings(
  rules: Readonly<Record<string, ChannelDeltaRule>> | undefined,
  channel: string,
): ChannelDeltaSettings | undefined {
  if (rules === undefined) return undefined;
  let rule = Object.hasOwn(rules, channel) ? rules[channel] : undefined;
  if (rule === undefined) {
    for (const pattern of Object.keys(rules)) {
      if (channelPatternMatches(channel, pattern)) {
        rule = rules[pattern];
        break;
      }
    }
  }
  return rule === 'inherit' ? undefined : rule;
}

/**
 * `rules` in Rust Sockudo's stored shape, laid over `previous` (the stored entries) so the settings this
 * port does not read (`max_messages_per_key`, `enable_tags`) survive an update made from Node.
 */
export function channelDeltaRecord(
  rules: Readonly<Record<string, ChannelDeltaRule>>,
  previous: unknown,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const pattern of Object.keys(rules)) {
    const rule = rules[pattern]!;
    const before = isRecord(previous) && Object.hasOwn(previous, pattern) ? previous[pattern] : undefined;
    if (rule === 'inherit') out[pattern] = 'inherit';
    else if (!isRecord(before) && rule.conflationKey === undefined && rule.maxConflationKeys === undefined) {
      out[pattern] = rule.enabled ? rule.algorithm : 'disabled';
    } else {
      const entry: Record<string, unknown> = { ...(isRecord(before) ? before : {}) };
      entry.enabled = rule.enabled;
      entry.algorithm = rule.algorithm;
      if (rule.conflationKey === undefined) delete entry.conflation_key;
      else entry.conflation_key = rule.conflationKey;
      if (rule.maxConflationKeys !== undefined) entry.max_conflation_keys = rule.maxConflationKeys;
      out[pattern] = entry;
    }
  }
  return out;
}
