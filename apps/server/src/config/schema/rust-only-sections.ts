/**
 * Top-level sections of Rust Sockudo this release does not implement. They load with a warning (so a
 * Rust Sockudo config.json works unchanged) instead of the "unknown key" warning.
 */
export const RUST_SOCKUDO_ONLY_KEYS: readonly string[] = [
  'ably_compat',
  'ai_transport',
  'annotations',
  'cleanup',
  'cluster_health',
  'database_pooling',
  'event_limits',
  'opentelemetry',
  'presence',
  'presence_history',
  'push',
  'push_rules',
  'server_role',
  'unix_socket',
  'versioned_messages',
  'websocket',
];
