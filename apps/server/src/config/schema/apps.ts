// Where apps come from: the app manager, the app a fresh install serves, and the
// `SOCKUDO_DEFAULT_APP_*` variables that replace the inline apps with one app.

import { type DefaultAppEnvSpec, type EnvExtraSpec, openSection, section } from './key-spec.js';
import { BOOLEAN, COUNT, driverKeys, drivers } from './shapes.js';

/** The app every fresh install serves; `sockudo start` warns while it is in use. */
export const DEFAULT_APP = Object.freeze({ id: 'app-id', key: 'app-key', secret: 'app-secret' });

export const APP_MANAGER = openSection('app_manager', 'Where apps (id, key, secret, limits) come from.', [
  ...driverKeys('app_manager', {
    type: drivers(['memory', 'array', 'mysql', 'pgsql', 'postgres', 'postgresql', 'dynamodb']),
    default: 'memory',
    env: ['APP_MANAGER_DRIVER'],
    description:
      'memory (alias array) serves app_manager.array.apps; mysql, pgsql (aliases postgres, postgresql) and dynamodb read the apps table of database.mysql, database.postgres or database.dynamodb (create it once with `sockudo migrate`).',
  }),
  section('array', 'Apps of the memory app manager.', [
    {
      key: 'apps',
      type: { kind: 'apps' },
      default: [DEFAULT_APP],
      description:
        'Apps of the memory driver (not used with a database driver), flat ({"id","key","secret","max_connections",...}) or nested ({"id","key","secret","policy":{"limits","features","channels","webhooks"}}); unset limits take Pusher\'s defaults.',
    },
  ]),
  section('cache', 'Cache of app lookups in front of a database app manager.', [
    {
      key: 'enabled',
      type: BOOLEAN,
      default: true,
      description: 'Cache apps found in the database on each node (not used by the memory driver).',
    },
    {
      key: 'ttl',
      type: COUNT,
      default: 300,
      env: ['CACHE_TTL_SECONDS'],
      description:
        "Seconds an app stays cached; changes made in the database show up after this. CACHE_TTL_SECONDS sets it as in Rust Sockudo (there it also sets channel_limits.cache_ttl, which Rust Sockudo's Pusher path does not read; here it does not).",
    },
  ]),
]);

type DefaultAppVariable = Omit<DefaultAppEnvSpec, 'env' | 'type'> & {
  readonly type: DefaultAppEnvSpec['type']['kind'];
  /** Other names of the variable, after `SOCKUDO_DEFAULT_APP_<FIELD>`. */
  readonly alsoEnv?: readonly string[];
};

/** Each field is set by `SOCKUDO_DEFAULT_APP_<FIELD>` (upper case). */
function defaultAppVariables(variables: readonly DefaultAppVariable[]): DefaultAppEnvSpec[] {
  return variables.map(({ field, type, alsoEnv = [], ...rest }) => ({
    env: [`SOCKUDO_DEFAULT_APP_${field.toUpperCase()}`, ...alsoEnv],
    field,
    type: { kind: type },
    ...rest,
  }));
}

/**
 * With `SOCKUDO_DEFAULT_APP_ID`, `_KEY` and `_SECRET` set, the inline apps are replaced by this one app.
 * Unset limits take Pusher's defaults (core `APP_DEFAULTS`), not Rust Sockudo's blanket 100.
 */
export const DEFAULT_APP_ENV: readonly DefaultAppEnvSpec[] = defaultAppVariables([
  { field: 'id', type: 'string', description: 'App id.' },
  { field: 'key', type: 'string', description: 'App key (public, used by clients).' },
  {
    field: 'secret',
    type: 'string',
    secret: true,
    description: 'App secret (signs API requests and channel auth).',
  },
  { field: 'enabled', type: 'boolean', description: 'false removes the inline apps and registers none.' },
  {
    field: 'max_connections',
    type: 'number',
    description: 'Connections of the app on this node; 0 = unlimited (default 0).',
  },
  {
    field: 'max_backend_events_per_second',
    type: 'number',
    description: 'HTTP API events per second; 0 = unlimited (default 0).',
  },
  {
    field: 'max_client_events_per_second',
    type: 'number',
    description: 'Client events per second per connection (default 10, Pusher).',
  },
  {
    field: 'max_read_requests_per_second',
    type: 'number',
    description: 'HTTP API reads per second; 0 = unlimited (default 0).',
  },
  {
    field: 'max_presence_members_per_channel',
    type: 'number',
    description: 'Users per presence channel (default 100, Pusher).',
  },
  {
    field: 'max_presence_member_size_in_kb',
    type: 'number',
    description: "Size of one member's user_info, KB (default 1, Pusher).",
  },
  {
    field: 'max_channel_name_length',
    type: 'number',
    description: 'Channel name length (default 164, Pusher).',
  },
  {
    field: 'max_event_channels_at_once',
    type: 'number',
    description: 'Channels per HTTP trigger (default 100, Pusher).',
  },
  { field: 'max_event_name_length', type: 'number', description: 'Event name length (default 200).' },
  {
    field: 'max_event_payload_in_kb',
    type: 'number',
    description: 'Event data size, KB (default 10, Pusher).',
  },
  {
    field: 'max_event_batch_size',
    type: 'number',
    description: 'Events per batch_events call (default 10, Pusher).',
  },
  {
    field: 'enable_client_messages',
    type: 'boolean',
    alsoEnv: ['SOCKUDO_ENABLE_CLIENT_MESSAGES'],
    description: 'Accept client- events (default false).',
  },
  {
    field: 'enable_user_authentication',
    type: 'boolean',
    description: 'Require pusher:signin (default false).',
  },
  {
    field: 'enable_watchlist_events',
    type: 'boolean',
    description: 'Send watchlist online/offline events (default false).',
  },
  {
    field: 'allowed_origins',
    type: 'array',
    description: 'Comma-separated origins allowed to connect (default any).',
  },
]);

/** The variables that drop the apps of config.json. */
export const INLINE_APPS_ENV: readonly EnvExtraSpec[] = [
  {
    env: 'SOCKUDO_SKIP_INLINE_APPS',
    type: { kind: 'boolean' },
    sets: ['app_manager.array.apps'],
    description: 'true drops the apps of config.json.',
  },
  {
    env: 'APP_MANAGER_REGISTER_INLINE_APPS',
    type: { kind: 'boolean' },
    sets: ['app_manager.array.apps'],
    description: 'false drops the apps of config.json.',
  },
];
