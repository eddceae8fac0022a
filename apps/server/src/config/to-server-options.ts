// Maps the resolved configuration (Rust Sockudo's snake_case keys) onto core's `createServer` options.

import type { ServerOptions } from '@sockudo/core';
import type { ResolvedConfig } from './resolved-config.js';

/**
 * The `createServer` options for `config`. `extra` supplies what the config cannot (a logger, a TLS
 * server, the driver instances of the driver registry) and wins over the mapped values.
 */
export function toServerOptions(config: ResolvedConfig, extra: Partial<ServerOptions> = {}): ServerOptions {
  const { batching, retry } = config.webhooks;
  const delta = config.delta_compression;
  return {
    host: config.host,
    port: config.port,
    apps: config.app_manager.array.apps,
    activityTimeout: config.activity_timeout,
    userAuthenticationTimeout: config.user_authentication_timeout,
    websocketMaxPayloadKb: config.websocket_max_payload_kb,
    websocketEngine: config.websocket_engine,
    maxConnections: config.max_connections,
    httpRequestLimitInMb: config.http_api.request_limit_in_mb,
    shutdownGracePeriod: config.shutdown_grace_period,
    healthCheckTimeoutMs: config.health_check_timeout_ms,
    // Used only in front of a database app manager.
    appCache: config.app_manager.cache.enabled ? { ttlSeconds: config.app_manager.cache.ttl } : false,
    ...(config.channel_limits.cache_ttl !== undefined && {
      channelCacheTtl: config.channel_limits.cache_ttl,
    }),
    cors: {
      origin: config.cors.origin,
      credentials: config.cors.credentials,
      methods: config.cors.methods,
      allowedHeaders: config.cors.allowed_headers,
    },
    webhooks: {
      batching: batching.enabled,
      batchDurationMs: batching.duration,
      batchSize: batching.size,
      requestTimeoutMs: config.webhooks.request_timeout_ms,
      initialBackoffMs: retry.initial_backoff_ms,
      maxBackoffMs: retry.max_backoff_ms,
      maxElapsedTimeMs: retry.max_elapsed_time_ms,
    },
    extensions: {
      idempotency: {
        enabled: config.idempotency.enabled,
        ttlSeconds: config.idempotency.ttl_seconds,
        maxKeyLength: config.idempotency.max_key_length,
      },
      echoControl: {
        enabled: config.echo_control.enabled,
        defaultEchoMessages: config.echo_control.default_echo_messages,
      },
      eventNameFiltering: {
        enabled: config.event_name_filtering.enabled,
        maxEventsPerFilter: config.event_name_filtering.max_events_per_filter,
        maxEventNameLength: config.event_name_filtering.max_event_name_length,
      },
      ephemeral: { enabled: config.ephemeral.enabled },
      tagFiltering: {
        enabled: config.tag_filtering.enabled,
        enableTags: config.tag_filtering.enable_tags,
      },
      deltaCompression: {
        enabled: delta.enabled,
        algorithm: delta.algorithm,
        fullMessageInterval: delta.full_message_interval,
        minMessageSize: delta.min_message_size,
        maxStateAgeSecs: delta.max_state_age_secs,
        maxChannelStatesPerSocket: delta.max_channel_states_per_socket,
        maxConflationStatesPerChannel: delta.max_conflation_states_per_channel,
        omitDeltaAlgorithm: delta.omit_delta_algorithm,
        ...(delta.conflation_key_path !== undefined && { conflationKeyPath: delta.conflation_key_path }),
      },
    },
    historySettings: {
      enabled: config.history.enabled,
      rewindEnabled: config.history.rewind_enabled,
      retentionWindowSeconds: config.history.retention_window_seconds,
      maxPageSize: config.history.max_page_size,
      maxMessagesPerChannel: config.history.max_messages_per_channel,
      maxBytesPerChannel: config.history.max_bytes_per_channel,
    },
    connectionRecovery: {
      enabled: config.connection_recovery.enabled,
      bufferTtlSeconds: config.connection_recovery.buffer_ttl_seconds,
      maxBufferSize: config.connection_recovery.max_buffer_size,
    },
    ...extra,
  };
}
