// Stored records in each shape Rust Sockudo leaves in a database, and the App each must become. Every
// value differs from Pusher's default, so a field the manager drops or mixes up shows in the diff.

import { APP_DEFAULTS, type App } from '@sockudo/core';

/** A record to seed and the {@link App} the manager must return for it. */
export interface AppFixture {
  record: Record<string, unknown>;
  app: App;
}

/**
 * The legacy flat form: one column per limit and feature, `webhooks` and `allowed_origins` as JSON.
 * Only columns of Rust Sockudo's `applications` table appear, so a SQL store can take it as a row.
 */
export function flatFixture(run: string): AppFixture {
  const id = `flat-${run}`;
  return {
    record: {
      id,
      key: `Flat-Key-${run}`,
      secret: `flat-secret-${run}`,
      enabled: true,
      max_connections: 1234,
      enable_client_messages: true,
      max_backend_events_per_second: 11,
      max_client_events_per_second: 12,
      max_read_requests_per_second: 13,
      max_presence_members_per_channel: 14,
      max_presence_member_size_in_kb: 15,
      max_channel_name_length: 160,
      max_event_channels_at_once: 17,
      max_event_name_length: 180,
      max_event_payload_in_kb: 19,
      max_event_batch_size: 20,
      enable_user_authentication: true,
      enable_watchlist_events: true,
      webhooks: [
        {
          url: 'https://hooks.example.com/sockudo',
          event_types: ['channel_occupied', 'channel_vacated'],
          filter: { channel_prefix: 'private-', channel_suffix: '-room' },
          headers: { 'X-Team': 'realtime', Authorization: 'Bearer t0ken' },
        },
        {
          url: 'https://other.example.com/hook?source=sockudo',
          event_types: [],
          filter: { channel_pattern: '^presence-[a-z]+$' },
        },
      ],
      allowed_origins: ['https://app.example.com', 'https://*.example.org'],
    },
    app: {
      ...APP_DEFAULTS,
      id,
      key: `Flat-Key-${run}`,
      secret: `flat-secret-${run}`,
      enabled: true,
      maxConnections: 1234,
      enableClientMessages: true,
      maxBackendEventsPerSecond: 11,
      maxClientEventsPerSecond: 12,
      maxReadRequestsPerSecond: 13,
      maxPresenceMembersPerChannel: 14,
      maxPresenceMemberSizeInKb: 15,
      maxChannelNameLength: 160,
      maxEventChannelsAtOnce: 17,
      maxEventNameLength: 180,
      maxEventPayloadInKb: 19,
      maxEventBatchSize: 20,
      enableUserAuthentication: true,
      enableWatchlistEvents: true,
      terminateOnLimit: false,
      webhooks: [
        {
          url: 'https://hooks.example.com/sockudo',
          eventTypes: ['channel_occupied', 'channel_vacated'],
          filter: { channelPrefix: 'private-', channelSuffix: '-room' },
          headers: { 'X-Team': 'realtime', Authorization: 'Bearer t0ken' },
        },
        {
          url: 'https://other.example.com/hook?source=sockudo',
          eventTypes: [],
          filter: { channelPattern: '^presence-[a-z]+$' },
        },
      ],
      allowedOrigins: ['https://app.example.com', 'https://*.example.org'],
    },
  };
}

/**
 * The current form Rust Sockudo writes: `policy { limits, features, channels, webhooks }` next to flat
 * columns. The flat columns here hold different values: the policy must win, as in Rust Sockudo.
 * The policy also carries a setting this port does not model (namespaces), which must be ignored, not
 * rejected, and the app's idempotency override (`policy.idempotency`, Rust Sockudo's `enabled` and
 * `ttl_seconds`), which must be read.
 */
export function policyFixture(run: string): AppFixture {
  const id = `policy-${run}`;
  return {
    record: {
      id,
      key: `policy-key-${run}`,
      secret: `policy-secret-${run}`,
      enabled: true,
      max_connections: 1,
      enable_client_messages: false,
      max_client_events_per_second: 1,
      policy: {
        limits: {
          max_connections: 50,
          max_backend_events_per_second: 51,
          max_client_events_per_second: 52,
          max_read_requests_per_second: 53,
          max_presence_members_per_channel: 54,
          max_presence_member_size_in_kb: 55,
          max_channel_name_length: 156,
          max_event_channels_at_once: 57,
          max_event_name_length: 158,
          max_event_payload_in_kb: 59,
          max_event_batch_size: 60,
          terminate_on_limit: true,
        },
        features: {
          enable_client_messages: true,
          enable_user_authentication: true,
          enable_watchlist_events: true,
        },
        channels: {
          allowed_origins: ['https://policy.example.com'],
          channel_namespaces: [{ name: 'chat', channel_name_pattern: '^chat-' }],
        },
        webhooks: [
          {
            url: 'https://policy.example.com/webhooks',
            event_types: ['member_added'],
            filter: { channel_prefix: 'presence-' },
            headers: { 'X-Signature-Version': '2' },
          },
        ],
        idempotency: { enabled: true, ttl_seconds: 60 },
      },
    },
    app: {
      ...APP_DEFAULTS,
      id,
      key: `policy-key-${run}`,
      secret: `policy-secret-${run}`,
      enabled: true,
      maxConnections: 50,
      maxBackendEventsPerSecond: 51,
      maxClientEventsPerSecond: 52,
      maxReadRequestsPerSecond: 53,
      maxPresenceMembersPerChannel: 54,
      maxPresenceMemberSizeInKb: 55,
      maxChannelNameLength: 156,
      maxEventChannelsAtOnce: 57,
      maxEventNameLength: 158,
      maxEventPayloadInKb: 59,
      maxEventBatchSize: 60,
      terminateOnLimit: true,
      enableClientMessages: true,
      enableUserAuthentication: true,
      enableWatchlistEvents: true,
      allowedOrigins: ['https://policy.example.com'],
      webhooks: [
        {
          url: 'https://policy.example.com/webhooks',
          eventTypes: ['member_added'],
          filter: { channelPrefix: 'presence-' },
          headers: { 'X-Signature-Version': '2' },
        },
      ],
      idempotency: { enabled: true, ttlSeconds: 60 },
    },
  };
}

/**
 * A disabled app with only the columns Rust Sockudo's schema requires (`max_connections` and
 * `max_client_events_per_second` are NOT NULL there): everything else takes Pusher's defaults.
 */
export function disabledFixture(run: string): AppFixture {
  const id = `disabled-${run}`;
  return {
    record: {
      id,
      key: `disabled-key-${run}`,
      secret: `disabled-secret-${run}`,
      enabled: false,
      max_connections: 0,
      max_client_events_per_second: 10,
    },
    app: {
      ...APP_DEFAULTS,
      id,
      key: `disabled-key-${run}`,
      secret: `disabled-secret-${run}`,
      enabled: false,
    },
  };
}

/** Ids and keys a URL path or a careless query could mangle: quotes, SQL wildcards, unicode. */
export function oddFixtures(run: string): AppFixture[] {
  const pairs: Array<[string, string]> = [
    [`app/with spaces?&=#%_${run}`, `key'with"quotes;--\\${run}`],
    [`ünïcødé-应用-🔑-${run}`, `%_*[]().+^$|${run}`],
    [`${run}`.padStart(200, '9'), `${run}`.padStart(250, 'k')],
  ];
  return pairs.map(([id, key], i) => ({
    record: {
      id,
      key,
      secret: `odd-secret-${i}`,
      enabled: true,
      max_connections: 0,
      max_client_events_per_second: 10,
    },
    app: { ...APP_DEFAULTS, id, key, secret: `odd-secret-${i}` },
  }));
}

/** Strings that look like `value` but are not it: lookups for them must find nothing. */
export function lookAlikes(value: string): string[] {
  const body = value.slice(0, -1);
  return [
    value.toUpperCase() === value ? value.toLowerCase() : value.toUpperCase(),
    `${value} `,
    ` ${value}`,
    body,
    `${body}_`,
    `${body}%`,
    `${value}%`,
    `${value}\u0000`,
  ].filter((candidate) => candidate !== value);
}

/** An app written through `createApp`: every field set away from its default. */
export function writtenApp(run: string): App {
  return {
    ...APP_DEFAULTS,
    id: `written-${run}`,
    key: `written-key-"ü"-${run}`,
    secret: `written-secret-${run}`,
    enabled: true,
    maxConnections: 300,
    enableClientMessages: true,
    enableUserAuthentication: true,
    enableWatchlistEvents: true,
    maxBackendEventsPerSecond: 21,
    maxClientEventsPerSecond: 22,
    maxReadRequestsPerSecond: 23,
    maxPresenceMembersPerChannel: 24,
    maxPresenceMemberSizeInKb: 25,
    maxChannelNameLength: 170,
    maxEventChannelsAtOnce: 27,
    maxEventNameLength: 190,
    maxEventPayloadInKb: 29,
    maxEventBatchSize: 30,
    terminateOnLimit: true,
    allowedOrigins: ['https://written.example.com', 'https://*.written.example.net'],
    webhooks: [
      {
        url: 'https://written.example.com/hook',
        eventTypes: ['client_event', 'member_removed'],
        filter: { channelPrefix: 'private-', channelSuffix: '-x', channelPattern: '^private-[0-9]+-x$' },
        headers: { 'X-Api-Key': 'abc' },
      },
      { url: 'https://written.example.com/all', eventTypes: [] },
    ],
  };
}
