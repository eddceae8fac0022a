// The delivery extensions' sections (Rust Sockudo's names, defaults and environment variables) and
// how they reach createServer.

import { describe, expect, it } from 'vitest';
import { toServerOptions } from '../src/index.js';
import { loadAndPlan, messages, withFile } from './config-helpers.js';

describe('the extension sections', () => {
  it('defaults as Rust Sockudo and maps onto createServer’s extensions', () => {
    const { config, warnings } = loadAndPlan({});
    expect(config.idempotency).toEqual({ enabled: true, ttl_seconds: 120, max_key_length: 128 });
    expect(toServerOptions(config).extensions?.idempotency).toEqual({
      enabled: true,
      ttlSeconds: 120,
      maxKeyLength: 128,
    });
    expect(config.echo_control).toEqual({ enabled: true, default_echo_messages: true });
    expect(config.event_name_filtering).toEqual({
      enabled: true,
      max_events_per_filter: 50,
      max_event_name_length: 200,
    });
    expect(config.ephemeral).toEqual({ enabled: true });
    expect(toServerOptions(config).extensions).toEqual({
      idempotency: { enabled: true, ttlSeconds: 120, maxKeyLength: 128 },
      echoControl: { enabled: true, defaultEchoMessages: true },
      eventNameFiltering: { enabled: true, maxEventsPerFilter: 50, maxEventNameLength: 200 },
      ephemeral: { enabled: true },
    });
    expect(warnings.join('\n')).not.toMatch(/idempotency|echo_control|event_name_filtering|ephemeral/);
  });

  it('reads the echo, filtering and ephemeral sections and their variables', () => {
    const { config, warnings } = loadAndPlan(
      {
        echo_control: { enabled: false },
        event_name_filtering: { max_events_per_filter: 5 },
        ephemeral: { enabled: false },
      },
      {
        ECHO_CONTROL_DEFAULT_ECHO_MESSAGES: 'false',
        EVENT_NAME_FILTERING_ENABLED: 'false',
        EVENT_NAME_FILTERING_MAX_EVENT_NAME_LENGTH: '30',
      },
    );
    expect(toServerOptions(config).extensions).toMatchObject({
      echoControl: { enabled: false, defaultEchoMessages: false },
      eventNameFiltering: { enabled: false, maxEventsPerFilter: 5, maxEventNameLength: 30 },
      ephemeral: { enabled: false },
    });
    expect(warnings.join('\n')).not.toMatch(/does not implement/);
    // Sections still not served keep their warning.
    expect(withFile({ tag_filtering: { enabled: true }, presence_history: {} }).warnings.join('\n')).toMatch(
      /does not implement: tag_filtering, presence_history/,
    );
  });

  it('reads config.json and the IDEMPOTENCY_* variables, without the "not implemented" warning', () => {
    const { config, warnings } = loadAndPlan(
      { idempotency: { enabled: false, ttl_seconds: 30 } },
      { IDEMPOTENCY_MAX_KEY_LENGTH: '64', IDEMPOTENCY_ENABLED: 'true' },
    );
    expect(config.idempotency).toEqual({ enabled: true, ttl_seconds: 30, max_key_length: 64 });
    expect(warnings.join('\n')).not.toMatch(/does not implement/);
  });

  it('rejects a bad value naming its key', () => {
    expect(messages(withFile({ idempotency: { ttl_seconds: 0 } }))[0]).toMatch(/idempotency\.ttl_seconds/);
    expect(messages(withFile({ idempotency: { max_key_length: 'long' } }))[0]).toMatch(
      /idempotency\.max_key_length/,
    );
    expect(messages(withFile({ event_name_filtering: { max_events_per_filter: 0 } }))[0]).toMatch(
      /event_name_filtering\.max_events_per_filter/,
    );
    expect(messages(withFile({ echo_control: { enabled: 'sometimes' } }))[0]).toMatch(
      /echo_control\.enabled/,
    );
    expect(messages(withFile({}, { EPHEMERAL_ENABLED: 'maybe' }))[0]).toMatch(/EPHEMERAL_ENABLED/);
  });
});
