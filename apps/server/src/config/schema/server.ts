// The listening server: the top-level keys, the HTTP API, this node's id, channel settings, TLS and CORS.

import { openSection, section, topLevel } from './key-spec.js';
import { ARRAY, BOOLEAN, COUNT, NON_EMPTY, PORT, POSITIVE, STRING } from './shapes.js';

export const TOP_LEVEL_KEYS = topLevel([
  {
    key: 'host',
    type: NON_EMPTY,
    default: '0.0.0.0',
    env: ['HOST'],
    description: 'Address the WebSocket and HTTP API server listens on.',
  },
  {
    key: 'port',
    type: PORT,
    default: 6001,
    env: ['PORT'],
    description: 'Port for WebSockets and the HTTP API; 0 picks a free port.',
  },
  {
    key: 'debug',
    type: BOOLEAN,
    default: false,
    env: ['DEBUG', 'DEBUG_MODE'],
    lenientEnv: ['DEBUG'],
    description: 'Log at debug level.',
  },
  {
    key: 'mode',
    type: STRING,
    default: 'production',
    env: ['ENVIRONMENT'],
    description: 'Free-form deployment mode label (Rust Sockudo: "production" or "development").',
  },
  {
    key: 'activity_timeout',
    type: POSITIVE,
    default: 120,
    env: ['ACTIVITY_TIMEOUT'],
    description:
      'Seconds of client silence before the server sends pusher:ping; sent to clients in connection_established.',
  },
  {
    key: 'user_authentication_timeout',
    type: COUNT,
    default: 3600,
    env: ['USER_AUTHENTICATION_TIMEOUT'],
    description:
      'Seconds a connection of an app with enable_user_authentication has to sign in before it is closed (4009).',
  },
  {
    key: 'websocket_max_payload_kb',
    type: POSITIVE,
    default: 64,
    env: ['WEBSOCKET_MAX_PAYLOAD_KB'],
    description: 'Largest inbound WebSocket message, in KB.',
  },
  {
    key: 'websocket_engine',
    type: { kind: 'enum', values: ['lean', 'ws'] },
    default: 'lean',
    env: ['SOCKUDO_WEBSOCKET_ENGINE'],
    description:
      "What speaks WebSocket on upgraded sockets: lean (Sockudo's own RFC 6455 framing over the TCP socket, ~1.5 KB less per connection) or ws (the npm package). No extensions either way (permessage-deflate is never negotiated). Not in Rust Sockudo.",
  },
  {
    key: 'max_connections',
    type: COUNT,
    default: 0,
    env: ['SOCKUDO_MAX_CONNECTIONS'],
    description: 'Connections on this node across all apps; 0 = unlimited.',
  },
  {
    key: 'shutdown_grace_period',
    type: COUNT,
    default: 10,
    env: ['SHUTDOWN_GRACE_PERIOD'],
    description: 'Seconds to wait for sockets to close on SIGTERM/SIGINT.',
  },
  {
    key: 'workers',
    type: { kind: 'number', integer: true, min: 0, auto: true },
    default: 1,
    env: ['SOCKUDO_WORKERS'],
    description:
      'Worker processes sharing the port (node:cluster); 1 = one process, 0 or "auto" = one per CPU (os.availableParallelism()). Not in Rust Sockudo.',
  },
  {
    key: 'health_check_timeout_ms',
    type: POSITIVE,
    default: 2000,
    env: ['HEALTH_CHECK_TIMEOUT_MS'],
    description: 'Timeout of each dependency check behind /up, in milliseconds.',
  },
  {
    key: 'path_prefix',
    type: STRING,
    default: '/',
    description: 'Accepted for compatibility; only "/" is supported (Rust Sockudo ignores it too).',
    applied: false,
  },
]);

export const HTTP_API = section('http_api', 'The Pusher HTTP API.', [
  {
    key: 'request_limit_in_mb',
    type: POSITIVE,
    default: 10,
    description: 'Largest HTTP API request body, in MB.',
  },
  {
    key: 'usage_enabled',
    type: BOOLEAN,
    default: true,
    env: ['HTTP_API_USAGE_ENABLED'],
    description: 'Serve GET /usage (process memory).',
    applied: false,
  },
]);

export const INSTANCE = section('instance', 'This node.', [
  {
    key: 'process_id',
    type: NON_EMPTY,
    env: ['INSTANCE_PROCESS_ID'],
    description: 'The node id in the cluster; unique per node. Default: a random UUID at each start.',
  },
]);

export const CHANNEL_LIMITS = openSection('channel_limits', 'Server-wide channel settings.', [
  {
    key: 'cache_ttl',
    type: POSITIVE,
    description:
      "Seconds a cache channel keeps its last event. Unset: 1800 (Pusher's 30 minutes; Rust Sockudo's 3600 here is not read by its Pusher path).",
  },
]);

export const SSL = openSection('ssl', 'TLS for the WebSocket and HTTP API port.', [
  {
    key: 'enabled',
    type: BOOLEAN,
    default: false,
    env: ['SSL_ENABLED'],
    description: 'Serve HTTPS/WSS; needs ssl.cert_path and ssl.key_path.',
  },
  {
    key: 'cert_path',
    type: STRING,
    default: '',
    env: ['SSL_CERT_PATH'],
    description: 'PEM certificate chain file.',
  },
  {
    key: 'key_path',
    type: STRING,
    default: '',
    env: ['SSL_KEY_PATH'],
    description: 'PEM private key file.',
  },
  {
    key: 'passphrase',
    type: STRING,
    default: '',
    description: 'Passphrase of the private key.',
    secret: true,
  },
  { key: 'ca_path', type: STRING, default: '', description: 'PEM CA bundle file.' },
  {
    key: 'redirect_http',
    type: BOOLEAN,
    default: false,
    env: ['SSL_REDIRECT_HTTP'],
    description: 'Redirect plain HTTP on ssl.http_port to HTTPS.',
    applied: false,
  },
  {
    key: 'http_port',
    type: PORT,
    default: 80,
    env: ['SSL_HTTP_PORT'],
    description: 'Port of the HTTP redirect listener.',
    applied: false,
  },
]);

export const CORS = section('cors', 'CORS headers of the HTTP API.', [
  {
    key: 'origin',
    type: ARRAY,
    default: ['*'],
    env: ['CORS_ORIGINS'],
    description: 'Allowed origins.',
  },
  {
    key: 'credentials',
    type: BOOLEAN,
    default: true,
    env: ['CORS_CREDENTIALS'],
    description: 'Send Access-Control-Allow-Credentials.',
  },
  {
    key: 'methods',
    type: ARRAY,
    default: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
    env: ['CORS_METHODS'],
    description: 'Allowed methods.',
  },
  {
    key: 'allowed_headers',
    type: ARRAY,
    default: ['Authorization', 'Content-Type', 'X-Requested-With', 'Accept', 'X-Idempotency-Key'],
    env: ['CORS_HEADERS'],
    description: 'Allowed request headers.',
  },
]);
