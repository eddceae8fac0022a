// The validated configuration `loadConfig` returns: the schema's keys (config-schema.ts) with their
// Rust Sockudo snake_case names, every default filled in, and apps already turned into core `App`s.

import type { App } from '@sockudo/core';
import type { LogLevel } from './config-schema.js';

type PassThrough = Record<string, unknown>;

/** A Redis seed node as config.json may give it: `"host:port"`, `"redis://host:port"` or `{ host, port }`. */
export type RedisNode = string | { host: string; port?: number | string };

/** `database.mysql` / `database.postgres` (Rust Sockudo's `DatabaseConnection`). */
export interface SqlConnection extends PassThrough {
  host: string;
  port: number;
  username: string;
  password: string;
  database: string;
  table_name: string;
  connection_pool_size: number;
  pool_min?: number;
  pool_max?: number;
}

/** The configuration after defaults, config file, environment and flags are merged and validated. */
export interface ResolvedConfig {
  host: string;
  port: number;
  debug: boolean;
  mode: string;
  activity_timeout: number;
  user_authentication_timeout: number;
  websocket_max_payload_kb: number;
  websocket_engine: 'lean' | 'ws';
  max_connections: number;
  shutdown_grace_period: number;
  /** Worker processes; 0 = one per CPU ("auto"). */
  workers: number;
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
      redis_pub_options: PassThrough & { url?: unknown };
      redis_sub_options: PassThrough;
      cluster_mode: boolean;
    };
    cluster: PassThrough & {
      nodes: RedisNode[];
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
    rabbitmq: PassThrough & {
      url: string;
      prefix: string;
      request_timeout_ms: number;
      connection_timeout_ms: number;
      nodes_number?: number;
    };
    routing: 'interest' | 'broadcast';
    interest_linger_ms: number;
    interest_batch_ms: number;
    redis_settings?: { dsn?: string; prefix?: string };
    redis_cluster_settings?: { dsns?: RedisNode[]; prefix?: string };
    nats_settings?: { url?: string; subject_prefix?: string };
    cluster_health: {
      enabled: boolean;
      heartbeat_interval_ms: number;
      node_timeout_ms: number;
      cleanup_interval_ms: number;
    };
  };
  instance: { process_id?: string };
  app_manager: PassThrough & {
    driver: string;
    array: { apps: App[] };
    cache: { enabled: boolean; ttl: number };
  };
  database: PassThrough & {
    mysql: SqlConnection;
    postgres: SqlConnection;
    redis: PassThrough & {
      url?: string;
      host: string;
      port: number;
      db: number;
      username?: string;
      password?: string;
      key_prefix: string;
      cluster: PassThrough & { nodes: RedisNode[]; username?: string; password?: string };
      cluster_nodes: RedisNode[];
    };
    dynamodb: PassThrough & {
      region: string;
      table_name: string;
      endpoint_url?: string;
      aws_access_key_id?: string;
      aws_secret_access_key?: string;
      aws_profile_name?: string;
    };
  };
  cache: PassThrough & {
    driver: string;
    redis: PassThrough & { prefix: string; url_override?: string; cluster_mode: boolean };
    memory: PassThrough & { max_capacity: number; ttl: number; cleanup_interval: number };
  };
  queue: PassThrough & {
    driver: string;
    redis: PassThrough & {
      concurrency: number;
      prefix: string;
      url_override?: string;
      cluster_mode: boolean;
    };
    redis_cluster: PassThrough & { nodes?: RedisNode[]; prefix?: string; concurrency?: number };
  };
  rate_limiter: PassThrough & { enabled: boolean; driver: string; redis: PassThrough & { prefix: string } };
  channel_limits: PassThrough & { cache_ttl?: number };
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
  idempotency: { enabled: boolean; ttl_seconds: number; max_key_length: number };
  echo_control: { enabled: boolean; default_echo_messages: boolean };
  event_name_filtering: { enabled: boolean; max_events_per_filter: number; max_event_name_length: number };
  ephemeral: { enabled: boolean };
  tag_filtering: { enabled: boolean; enable_tags: boolean };
  delta_compression: {
    enabled: boolean;
    algorithm: 'fossil' | 'xdelta3';
    full_message_interval: number;
    min_message_size: number;
    max_state_age_secs: number;
    max_channel_states_per_socket: number;
    max_conflation_states_per_channel: number;
    conflation_key_path?: string;
    omit_delta_algorithm: boolean;
    cluster_coordination: boolean;
    coordination_backend: string;
  };
  history: PassThrough & {
    enabled: boolean;
    rewind_enabled: boolean;
    backend: string;
    retention_window_seconds: number;
    max_page_size: number;
    max_messages_per_channel?: number;
    max_bytes_per_channel?: number;
    postgres: { table_prefix: string; write_timeout_ms: number };
    mysql: { table_prefix: string; write_timeout_ms: number };
    redis: { prefix: string; url_override?: string; cluster_mode: boolean };
  };
  connection_recovery: { enabled: boolean; buffer_ttl_seconds: number; max_buffer_size: number };
  logging: {
    output_format: 'text' | 'json';
    level: LogLevel;
    colors_enabled: boolean;
    include_target: boolean;
  };
}
