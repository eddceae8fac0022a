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
    expect(warnings.join('\n')).not.toMatch(/idempotency/);
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
  });
});
