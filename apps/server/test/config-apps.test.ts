// Apps from the configuration: the SOCKUDO_DEFAULT_APP_* variables and both Rust Sockudo app forms.

import { describe, expect, it } from 'vitest';
import { checkConfig, loadConfig } from '../src/index.js';
import { messages, withFile } from './config-helpers.js';
import { tempDir } from './helpers.js';

describe('loadConfig: SOCKUDO_DEFAULT_APP_*', () => {
  const credentials = {
    SOCKUDO_DEFAULT_APP_ID: 'prod',
    SOCKUDO_DEFAULT_APP_KEY: 'prod-key',
    SOCKUDO_DEFAULT_APP_SECRET: 'prod-secret',
  };

  it('replaces the inline apps with one app, and stops warning about default credentials', () => {
    const result = withFile(
      { app_manager: { array: { apps: [{ id: 'a', key: 'b', secret: 'c' }] } } },
      credentials,
    );
    expect(result.config?.app_manager.array.apps).toHaveLength(1);
    expect(result.config?.app_manager.array.apps[0]).toMatchObject({
      id: 'prod',
      key: 'prod-key',
      secret: 'prod-secret',
    });
    expect(result.warnings.some((w) => w.includes('default credentials'))).toBe(false);
  });

  it("maps the MAX_* family and feature flags, leaving unset limits at Pusher's defaults", () => {
    const { config } = loadConfig({
      cwd: tempDir(),
      env: {
        ...credentials,
        SOCKUDO_DEFAULT_APP_MAX_CONNECTIONS: '250',
        SOCKUDO_DEFAULT_APP_MAX_CLIENT_EVENTS_PER_SECOND: '20',
        SOCKUDO_DEFAULT_APP_MAX_EVENT_PAYLOAD_IN_KB: '50',
        SOCKUDO_ENABLE_CLIENT_MESSAGES: 'true',
        SOCKUDO_DEFAULT_APP_ENABLE_USER_AUTHENTICATION: '1',
        SOCKUDO_DEFAULT_APP_ALLOWED_ORIGINS: 'https://a.test,https://b.test',
      },
    });
    expect(config.app_manager.array.apps[0]).toMatchObject({
      maxConnections: 250,
      maxClientEventsPerSecond: 20,
      maxEventPayloadInKb: 50,
      enableClientMessages: true,
      enableUserAuthentication: true,
      allowedOrigins: ['https://a.test', 'https://b.test'],
      // Pusher's defaults, not Rust Sockudo's 100s:
      maxPresenceMembersPerChannel: 100,
      maxPresenceMemberSizeInKb: 1,
      maxEventBatchSize: 10,
      maxChannelNameLength: 164,
    });
  });

  it('prefers SOCKUDO_DEFAULT_APP_ENABLE_CLIENT_MESSAGES over SOCKUDO_ENABLE_CLIENT_MESSAGES', () => {
    const { config } = loadConfig({
      cwd: tempDir(),
      env: {
        ...credentials,
        SOCKUDO_DEFAULT_APP_ENABLE_CLIENT_MESSAGES: 'false',
        SOCKUDO_ENABLE_CLIENT_MESSAGES: 'true',
      },
    });
    expect(config.app_manager.array.apps[0]?.enableClientMessages).toBe(false);
  });

  it('names the variable of a bad limit', () => {
    const result = checkConfig({
      cwd: tempDir(),
      env: { ...credentials, SOCKUDO_DEFAULT_APP_MAX_CONNECTIONS: 'lots' },
    });
    expect(messages(result)).toEqual([
      'SOCKUDO_DEFAULT_APP_MAX_CONNECTIONS (env): expected a non-negative integer, got "lots"',
    ]);
  });

  it('rejects an incomplete set of credentials', () => {
    const result = checkConfig({ cwd: tempDir(), env: { SOCKUDO_DEFAULT_APP_ID: 'x' } });
    expect(result.errors.map((e) => e.key)).toEqual([
      'SOCKUDO_DEFAULT_APP_KEY',
      'SOCKUDO_DEFAULT_APP_SECRET',
    ]);
  });

  it('registers no app with SOCKUDO_DEFAULT_APP_ENABLED=false, and drops inline apps with SOCKUDO_SKIP_INLINE_APPS', () => {
    const disabled = loadConfig({
      cwd: tempDir(),
      env: { ...credentials, SOCKUDO_DEFAULT_APP_ENABLED: 'false' },
    });
    expect(disabled.config.app_manager.array.apps).toEqual([]);
    expect(disabled.warnings.some((w) => w.includes('no apps configured'))).toBe(true);
    const skipped = withFile(
      { app_manager: { array: { apps: [{ id: 'a', key: 'b', secret: 'c' }] } } },
      { SOCKUDO_SKIP_INLINE_APPS: 'true' },
    );
    expect(skipped.config?.app_manager.array.apps).toEqual([]);
  });
});

describe('loadConfig: apps in both Rust Sockudo forms', () => {
  it('accepts the flat snake_case form and the nested policy form', () => {
    const result = withFile({
      app_manager: {
        driver: 'array',
        array: {
          apps: [
            {
              id: 'flat',
              key: 'flat-key',
              secret: 'flat-secret',
              max_connections: 10,
              enable_client_messages: true,
            },
            {
              id: 'nested',
              key: 'nested-key',
              secret: 'nested-secret',
              policy: {
                limits: { max_connections: 20, max_client_events_per_second: 5 },
                features: { enable_client_messages: true, enable_user_authentication: true },
                channels: { allowed_origins: ['https://app.test'] },
                webhooks: [{ url: 'https://hooks.test/pusher', event_types: ['channel_occupied'] }],
              },
            },
          ],
        },
      },
    });
    expect(result.errors).toEqual([]);
    const [flat, nested] = result.config!.app_manager.array.apps;
    expect(flat).toMatchObject({ id: 'flat', maxConnections: 10, enableClientMessages: true });
    expect(nested).toMatchObject({
      id: 'nested',
      maxConnections: 20,
      maxClientEventsPerSecond: 5,
      enableUserAuthentication: true,
      allowedOrigins: ['https://app.test'],
      webhooks: [{ url: 'https://hooks.test/pusher', eventTypes: ['channel_occupied'] }],
    });
  });

  it('reports every bad key of every app, with its full path', () => {
    const result = withFile({
      app_manager: {
        array: {
          apps: [
            {
              id: 'a',
              key: 'k',
              secret: 's',
              max_connections: 'many',
              policy: { limits: { max_client_events_per_second: -1 } },
            },
            { id: '', key: 'k2' },
            'not an app',
            { id: 'd', key: 'k3', secret: 's', webhooks: [{ url: 'not a url' }] },
          ],
        },
      },
    });
    expect(messages(result)).toEqual([
      'app_manager.array.apps[0].max_connections: expected a non-negative number, got "many"',
      'app_manager.array.apps[0].policy.limits.max_client_events_per_second: expected a non-negative number, got -1',
      'app_manager.array.apps[1].id: expected a non-empty string',
      'app_manager.array.apps[1].secret: expected a non-empty string',
      'app_manager.array.apps[2]: expected an app object with id, key and secret',
      'app_manager.array.apps[3].webhooks[0].url: expected an absolute URL, got "not a url"',
    ]);
  });

  it('rejects duplicate ids and keys', () => {
    const result = withFile({
      app_manager: {
        array: {
          apps: [
            { id: 'one', key: 'key-1', secret: 's' },
            { id: 'one', key: 'key-2', secret: 's' },
            { id: 'three', key: 'key-1', secret: 's' },
          ],
        },
      },
    });
    expect(messages(result)).toEqual([
      'app_manager.array.apps[1].id: duplicate app id "one" (also app_manager.array.apps[0])',
      'app_manager.array.apps[2].key: duplicate app key "key-1" (also app_manager.array.apps[0])',
    ]);
  });

  it('warns about app keys this release does not use', () => {
    const result = withFile({
      app_manager: { array: { apps: [{ id: 'a', key: 'b', secret: 'c', channel_namespaces: {} }] } },
    });
    expect(result.warnings).toContain(
      'app_manager.array.apps[0]: ignoring keys this release does not use: channel_namespaces',
    );
  });
});
