// What a channel keeps, as Rust Sockudo resolves it (`App::resolved_history`,
// `resolved_connection_recovery`): the server's sections, then the app's `policy`, then (for the
// retention) the channel's namespace.

import type { App } from '../apps/app.js';
import type { EngineContext } from '../engine/engine-context.js';
import type { ConnectionRecoverySettings } from '../engine/history-settings.js';
import type { HistoryRetention } from '../spec/v1/index.js';

/** How one channel of one app is served. */
export interface ChannelPolicy {
  /** Durable history: every message stored under the history retention. */
  history: boolean;
  /** Connection recovery for the app: messages get serials and `pusher:resume` replays them. */
  recovery: boolean;
  /** What the store keeps of the channel: the history retention, or (recovery only) the replay buffer's. */
  retention: HistoryRetention;
  /** History page size, also the page size of a replay. */
  maxPageSize: number;
  /** Most messages one resume may replay (`connection_recovery.max_buffer_size`). */
  maxReplay: number;
  /** Whether subscribe may ask for a rewind. */
  rewind: boolean;
}

const TYPE_PREFIXES = [
  'private-encrypted-cache-',
  'private-cache-',
  'presence-cache-',
  'cache-',
  'private-encrypted-',
  'presence-',
  'private-',
];

/** The namespace of `channel`: what comes before the first `:` once its type prefix is removed. */
export function channelNamespace(channel: string): string | undefined {
  let logical = channel;
  for (const prefix of TYPE_PREFIXES) {
    if (channel.startsWith(prefix)) {
      logical = channel.slice(prefix.length);
      break;
    }
  }
  const colon = logical.indexOf(':');
  return colon > 0 ? logical.slice(0, colon) : undefined;
}

/** The app's connection recovery: the server's section with the app's override laid over it. */
export function recoveryFor(ctx: EngineContext, app: App): ConnectionRecoverySettings {
  const own = app.connectionRecovery;
  const server = ctx.recoverySettings;
  if (own === undefined) return server;
  return {
    enabled: own.enabled ?? server.enabled,
    bufferTtlSeconds: own.bufferTtlSeconds ?? server.bufferTtlSeconds,
    maxBufferSize: own.maxBufferSize ?? server.maxBufferSize,
  };
}

/** How `channel` of `app` is served. */
export function channelPolicy(ctx: EngineContext, app: App, channel: string): ChannelPolicy {
  const server = ctx.historySettings;
  const own = app.history;
  const recovery = recoveryFor(ctx, app);
  const history = own?.enabled ?? server.enabled;
  const namespace = app.namespaceHistory === undefined ? undefined : channelNamespace(channel);
  const spaced = namespace === undefined ? undefined : app.namespaceHistory?.[namespace];
  const retention: HistoryRetention = history
    ? {
        retentionWindowSeconds:
          spaced?.retentionWindowSeconds ?? own?.retentionWindowSeconds ?? server.retentionWindowSeconds,
        maxMessagesPerChannel:
          spaced?.maxMessagesPerChannel ?? own?.maxMessagesPerChannel ?? server.maxMessagesPerChannel,
        maxBytesPerChannel:
          spaced?.maxBytesPerChannel ?? own?.maxBytesPerChannel ?? server.maxBytesPerChannel,
      }
    : { retentionWindowSeconds: recovery.bufferTtlSeconds, maxMessagesPerChannel: recovery.maxBufferSize };
  return {
    history,
    recovery: recovery.enabled,
    retention,
    maxPageSize: server.maxPageSize,
    maxReplay: recovery.maxBufferSize,
    rewind: history && (spaced?.rewindEnabled ?? own?.rewindEnabled ?? server.rewindEnabled),
  };
}
