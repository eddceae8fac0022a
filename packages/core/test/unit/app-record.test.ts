import { describe, expect, it } from 'vitest';
import { appFromRecord, flatColumns, policyRecord } from '../../src/index.js';

describe('the write side of appFromRecord', () => {
  const app = appFromRecord({
    id: 'a',
    key: 'k',
    secret: 's',
    max_connections: 7,
    enable_client_messages: true,
    webhooks: [
      {
        url: 'https://example.test/hook',
        event_types: ['channel_occupied'],
        filter: { channel_prefix: 'p-' },
      },
    ],
  });

  it('round-trips through the policy form', () => {
    const again = appFromRecord({ id: 'a', key: 'k', secret: 's', policy: policyRecord(app) });
    expect(again).toEqual(app);
  });

  it('keeps policy settings this port does not model', () => {
    const policy = policyRecord(app, { idempotency: { enabled: true }, limits: { decay_seconds: 2 } });
    expect(policy.idempotency).toEqual({ enabled: true });
    expect((policy.limits as Record<string, unknown>).decay_seconds).toBe(2);
    expect((policy.limits as Record<string, unknown>).max_connections).toBe(7);
  });

  it('writes an app’s idempotency override as Rust Sockudo’s policy.idempotency, keeping other keys', () => {
    const own = appFromRecord({
      id: 'a',
      key: 'k',
      secret: 's',
      policy: { idempotency: { enabled: false, ttl_seconds: 30 } },
    });
    expect(own.idempotency).toEqual({ enabled: false, ttlSeconds: 30 });
    const policy = policyRecord(own, { idempotency: { enabled: true, extra: 1 } });
    expect(policy.idempotency).toEqual({ enabled: false, ttl_seconds: 30, extra: 1 });
    expect(appFromRecord({ id: 'a', key: 'k', secret: 's', policy }).idempotency).toEqual(own.idempotency);
    // The legacy flat column (JSON text in SQL) is read too; a bad value names its key.
    expect(
      appFromRecord({ id: 'a', key: 'k', secret: 's', idempotency: '{"ttlSeconds":"9"}' }).idempotency,
    ).toEqual({
      ttlSeconds: 9,
    });
    expect(() =>
      appFromRecord({ id: 'a', key: 'k', secret: 's', idempotency: { enabled: 'maybe' } }),
    ).toThrow('app.idempotency.enabled: expected a boolean');
  });

  it('lists the flat columns of the applications table', () => {
    const columns = Object.fromEntries(flatColumns(app));
    expect(columns).toMatchObject({ id: 'a', key: 'k', max_connections: 7, enable_client_messages: true });
  });

  it("skips Rust Sockudo's Lambda webhook targets instead of rejecting the app", () => {
    const withLambda = appFromRecord({
      id: 'a',
      key: 'k',
      secret: 's',
      webhooks: [
        { lambda_function: 'fn', event_types: [] },
        { url: 'https://example.test/h', event_types: [] },
      ],
    });
    expect(withLambda.webhooks.map((hook) => hook.url)).toEqual(['https://example.test/h']);
  });
});
