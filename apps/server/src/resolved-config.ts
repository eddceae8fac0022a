// The validated configuration `loadConfig` returns: the schema's keys (config-schema.ts) with their
// Rust Sockudo snake_case names, every default filled in, and apps already turned into core `App`s.

import type { App } from '@sockudo/core';

type PassThrough = Record<string, unknown>;

/** The configuration after defaults, config file, environment and flags are merged and validated. */
export interface ResolvedConfig {
  host: string;
  port: number;
  debug: boolean;
  mode: string;
  activity_timeout: number;
  user_authentication_timeout: number;
  websocket_max_payload_kb: number;
  max_connections: number;
  shutdown_grace_period: number;
  health_check_timeout_ms: number;
  path_prefix: string;
  http_api: { request_limit_in_mb: number; usage_enabled: boolean };
  adapter: PassThrough & {
    driver: string;
    enable_socket_counting: boolean;
    fallback_to_local: boolean;
    redis: PassThrough & {
      requests_timeout: number;
      prefix: string;
      redis_pub_options: PassThrough;
      redis_sub_options: PassThrough;
      cluster_mode: boolean;
    };
    cluster: PassThrough & {
      nodes: string[];
      prefix: string;
      request_timeout_ms: number;
      use_connection_manager: boolean;
      use_sharded_pubsub: boolean;
    };
    nats: PassThrough & {
      servers: string[];
      prefix: string;
      request_timeout_ms: number;
      connection_timeout_ms: number;
      username?: string;
      password?: string;
      token?: string;
      nodes_number?: number;
    };
    redis_settings?: PassThrough;
    redis_cluster_settings?: PassThrough;
    nats_settings?: PassThrough;
  };
  app_manager: PassThrough & {
    driver: string;
    array: { apps: App[] };
    cache: { enabled: boolean; ttl: number };
  };
  cache: PassThrough & { driver: string };
  queue: PassThrough & { driver: string };
  rate_limiter: PassThrough & { enabled: boolean; driver: string };
  metrics: PassThrough & {
    enabled: boolean;
    driver: string;
    host: string;
    port: number;
    prometheus: { prefix: string };
  };
  ssl: PassThrough & {
    enabled: boolean;
    cert_path: string;
    key_path: string;
    passphrase: string;
    ca_path: string;
    redirect_http: boolean;
    http_port: number;
  };
  cors: { origin: string[]; credentials: boolean; methods: string[]; allowed_headers: string[] };
  webhooks: PassThrough & {
    batching: { enabled: boolean; duration: number; size: number };
    request_timeout_ms: number;
    retry: PassThrough & { initial_backoff_ms: number; max_backoff_ms: number; max_elapsed_time_ms: number };
  };
  logging: { output_format: 'text' | 'json'; colors_enabled: boolean; include_target: boolean };
}
