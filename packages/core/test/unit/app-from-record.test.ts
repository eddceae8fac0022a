// appFromRecord: every stored app shape (flat snake_case, policy{}, camelCase, strings from SQL) comes
// out as the same App with Pusher's defaults, and a bad value is reported by its config path.

import { APP_DEFAULTS, appFromRecord, ConfigError, createMemoryAppManager } from '@sockudo/core';
import { describe, expect, it } from 'vitest';

const base = { id: 'app-1', key: 'key-1', secret: 'secret-1' };

/** The ConfigError `fn` throws (fails the test if it throws anything else or nothing). */
function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    expect(ConfigError.isInstance(error), `expected a ConfigError, got ${String(error)}`).toBe(true);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('appFromRecord', () => {
  it("fills every missing field with Pusher's defaults", () => {
    const app = appFromRecord(base);
    expect(app).toEqual({ ...APP_DEFAULTS, ...base });
    expect(app).toMatchObject({
      enabled: true,
      maxConnections: 0,
      enableClientMessages: false,
      maxClientEventsPerSecond: 10,
      maxPresenceMembersPerChannel: 100,
      maxPresenceMemberSizeInKb: 1,
      maxChannelNameLength: 164,
      maxEventChannelsAtOnce: 100,
      maxEventNameLength: 200,
      maxEventPayloadInKb: 10,
      maxEventBatchSize: 10,
      allowedOrigins: [],
      webhooks: [],
    });
  });

  it('reads the flat snake_case form', () => {
    const app = appFromRecord({
      ...base,
      enabled: false,
      max_connections: 50,
      enable_client_messages: true,
      max_client_events_per_second: 5,
      max_presence_members_per_channel: 20,
      max_presence_member_size_in_kb: 2,
      max_channel_name_length: 200,
      max_event_payload_in_kb: 100,
      max_event_batch_size: 20,
      terminate_on_limit: true,
      allowed_origins: ['https://a.example'],
      webhooks: [{ url: 'https://hooks.example/p', event_types: ['channel_occupied'] }],
    });
    expect(app).toMatchObject({
      enabled: false,
      maxConnections: 50,
      enableClientMessages: true,
      maxClientEventsPerSecond: 5,
      maxPresenceMembersPerChannel: 20,
      maxPresenceMemberSizeInKb: 2,
      maxChannelNameLength: 200,
      maxEventPayloadInKb: 100,
      maxEventBatchSize: 20,
      terminateOnLimit: true,
      allowedOrigins: ['https://a.example'],
    });
    expect(app.webhooks).toEqual([{ url: 'https://hooks.example/p', eventTypes: ['channel_occupied'] }]);
  });

  it('reads the policy { limits, features, channels, webhooks } form, also as a JSON string', () => {
    const policy = {
      limits: { max_connections: 7, max_client_events_per_second: 3 },
      features: { enable_client_messages: true, enable_user_authentication: true },
      channels: { allowed_origins: ['https://b.example'] },
      webhooks: [{ url: 'https://hooks.example/q' }],
    };
    for (const form of [policy, JSON.stringify(policy)]) {
      const app = appFromRecord({ ...base, policy: form });
      expect(app).toMatchObject({
        maxConnections: 7,
        maxClientEventsPerSecond: 3,
        enableClientMessages: true,
        enableUserAuthentication: true,
        allowedOrigins: ['https://b.example'],
      });
      expect(app.webhooks).toEqual([{ url: 'https://hooks.example/q', eventTypes: [] }]);
    }
  });

  it('prefers the policy value over a flat one', () => {
    const app = appFromRecord({ ...base, max_connections: 1, policy: { limits: { max_connections: 2 } } });
    expect(app.maxConnections).toBe(2);
  });

  it('reads camelCase names', () => {
    const app = appFromRecord({
      ...base,
      maxConnections: 9,
      enableClientMessages: true,
      allowedOrigins: ['*'],
    });
    expect(app).toMatchObject({ maxConnections: 9, enableClientMessages: true, allowedOrigins: ['*'] });
  });

  it('accepts numbers and booleans as strings (SQL drivers), and numeric credentials', () => {
    const app = appFromRecord({
      id: 123,
      key: 'k',
      secret: 's',
      max_connections: '250',
      max_event_payload_in_kb: ' 20 ',
      enable_client_messages: 'true',
      enabled: '0',
      terminate_on_limit: 1,
      allowed_origins: '["https://c.example"]',
    });
    expect(app).toMatchObject({
      id: '123',
      maxConnections: 250,
      maxEventPayloadInKb: 20,
      enableClientMessages: true,
      enabled: false,
      terminateOnLimit: true,
      allowedOrigins: ['https://c.example'],
    });
  });

  it('ignores null values (SQL NULL) and keeps the default', () => {
    expect(appFromRecord({ ...base, max_connections: null, policy: null }).maxConnections).toBe(0);
  });

  it.each([
    ['max_connections', 'lots', 'app.max_connections'],
    ['max_connections', -1, 'app.max_connections'],
    ['max_client_events_per_second', {}, 'app.max_client_events_per_second'],
    ['max_event_payload_in_kb', '', 'app.max_event_payload_in_kb'],
    ['enable_client_messages', 'yes', 'app.enable_client_messages'],
    ['enabled', 2, 'app.enabled'],
    ['allowed_origins', [1, 2], 'app.allowed_origins'],
    ['webhooks', 'not an array', 'app.webhooks'],
    ['webhooks', { url: 'http://h/' }, 'app.webhooks'],
  ])('names the key in the error when %s is %j', (name, value, key) => {
    const error = configError(() => appFromRecord({ ...base, [name]: value }, 'app'));
    expect(error.key).toBe(key);
    expect(error.message).toContain(key);
  });

  it('names the policy path of a bad nested value', () => {
    const error = configError(() =>
      appFromRecord({ ...base, policy: { limits: { max_connections: 'x' } } }, 'apps[3]'),
    );
    expect(error.key).toBe('apps[3].policy.limits.max_connections');
  });

  it.each([
    [{ key: 'k', secret: 's' }, 'app.id'],
    [{ id: 'i', secret: 's' }, 'app.key'],
    [{ id: 'i', key: '', secret: 's' }, 'app.key'],
    [{ id: 'i', key: 'k', secret: true }, 'app.secret'],
  ])('refuses missing or empty credentials (%j)', (record, key) => {
    expect(configError(() => appFromRecord(record, 'app')).key).toBe(key);
  });

  // Stored records (SQL text columns, env vars) carry policy, origins and webhooks as JSON text; a
  // malformed one must still be reported as a ConfigError naming the key, not a bare SyntaxError.
  it.each([
    ['policy', '{"limits": ', 'app.policy'],
    ['allowed_origins', '["https://a.example"', 'app.allowed_origins'],
    ['webhooks', '[{"url":', 'app.webhooks'],
  ])('names the key when %s is malformed JSON text', (name, value, key) => {
    const error = configError(() => appFromRecord({ ...base, [name]: value }, 'app'));
    expect(error.key).toBe(key);
  });

  it('refuses a record that is not an object, and a policy that is not one', () => {
    expect(configError(() => appFromRecord('nope', 'app')).key).toBe('app');
    expect(configError(() => appFromRecord([base], 'app')).key).toBe('app');
    expect(configError(() => appFromRecord({ ...base, policy: [1] }, 'app')).key).toBe('app.policy');
  });

  it('validates webhooks: absolute url, event_types list, filter regex', () => {
    expect(configError(() => appFromRecord({ ...base, webhooks: [{}] }, 'app')).key).toBe(
      'app.webhooks[0].url',
    );
    expect(configError(() => appFromRecord({ ...base, webhooks: [{ url: '/relative' }] }, 'app')).key).toBe(
      'app.webhooks[0].url',
    );
    expect(
      configError(() =>
        appFromRecord({ ...base, webhooks: [{ url: 'http://h/', event_types: 'all' }] }, 'app'),
      ).key,
    ).toBe('app.webhooks[0].event_types');
    expect(
      configError(() =>
        appFromRecord({ ...base, webhooks: [{ url: 'http://h/', filter: { channel_pattern: '(' } }] }, 'app'),
      ).key,
    ).toBe('app.webhooks[0].filter.channel_pattern');

    const app = appFromRecord({
      ...base,
      webhooks: [
        {
          url: 'http://h/',
          filter: { channel_name_starts_with: 'presence-', channel_suffix: '-x' },
          headers: { 'X-Token': 5 },
        },
      ],
    });
    expect(app.webhooks[0]).toEqual({
      url: 'http://h/',
      eventTypes: [],
      filter: { channelPrefix: 'presence-', channelSuffix: '-x' },
      headers: { 'X-Token': '5' },
    });
  });
});

describe('createMemoryAppManager', () => {
  it('finds apps by id and key, and names duplicates by their config path', async () => {
    const manager = createMemoryAppManager([
      base,
      { id: 'app-2', key: 'key-2', secret: 's', max_connections: '3' },
    ]);
    expect((await manager.findById('app-2'))?.maxConnections).toBe(3);
    expect((await manager.findByKey('key-1'))?.id).toBe('app-1');
    expect(await manager.findById('missing')).toBeUndefined();
    expect(await manager.findByKey('missing')).toBeUndefined();

    expect(configError(() => createMemoryAppManager([base, { ...base, key: 'other' }])).key).toBe(
      'app_manager.array.apps[1].id',
    );
    expect(configError(() => createMemoryAppManager([base, { ...base, id: 'other' }])).key).toBe(
      'app_manager.array.apps[1].key',
    );
    expect(configError(() => createMemoryAppManager([{ ...base, max_connections: 'x' }])).key).toBe(
      'app_manager.array.apps[0].max_connections',
    );
  });
});
