import { describe, expect, it } from 'vitest';
import { httpStringToSign, md5Hex, signHttpRequest, verifyHttpRequest } from '../src/index.js';

// The worked example in https://pusher.com/docs/channels/library_auth_reference/rest-api
const KEY = '278d425bdf160c739803';
const SECRET = '7ad3773142a6692b25b8';
const BODY = '{"name":"foo","channels":["project-3"],"data":"{\\"some\\":\\"data\\"}"}';
const TIMESTAMP = 1353088179;
const SIGNATURE = 'da454824c97ba181a32ccc17a72625ba02771f50b50e1e7430e47a1f3f457e6c';

const docsQuery = {
  auth_key: KEY,
  auth_timestamp: String(TIMESTAMP),
  auth_version: '1.0',
  body_md5: 'ec365a775a4cd0599faeb73354201b6f',
  auth_signature: SIGNATURE,
};

function verify(overrides: Partial<Parameters<typeof verifyHttpRequest>[0]> = {}) {
  return verifyHttpRequest({
    method: 'POST',
    path: '/apps/3/events',
    query: docsQuery,
    rawBody: BODY,
    key: KEY,
    secret: SECRET,
    now: TIMESTAMP,
    ...overrides,
  });
}

describe('HTTP API signature (Pusher docs example)', () => {
  it('computes body_md5 of the raw body', () => {
    expect(md5Hex(BODY)).toBe('ec365a775a4cd0599faeb73354201b6f');
  });

  it('builds the string to sign', () => {
    expect(httpStringToSign('post', '/apps/3/events', docsQuery)).toBe(
      'POST\n/apps/3/events\n' +
        'auth_key=278d425bdf160c739803&auth_timestamp=1353088179&auth_version=1.0&body_md5=ec365a775a4cd0599faeb73354201b6f',
    );
  });

  it('signs the request', () => {
    expect(
      signHttpRequest({
        key: KEY,
        secret: SECRET,
        method: 'POST',
        path: '/apps/3/events',
        body: BODY,
        timestamp: TIMESTAMP,
      }),
    ).toEqual(docsQuery);
  });

  it('verifies the request', () => {
    expect(verify()).toEqual({ ok: true });
    expect(verify({ rawBody: new TextEncoder().encode(BODY) })).toEqual({ ok: true });
  });
});

describe('httpStringToSign', () => {
  it('lowercases and sorts keys, drops auth_signature, does not escape values', () => {
    expect(httpStringToSign('get', '/apps/1/channels', { Z: 'a b', a: 'x&y', auth_signature: 'zzz' })).toBe(
      'GET\n/apps/1/channels\na=x&y&z=a b',
    );
  });

  it('sorts by byte order, not locale', () => {
    expect(httpStringToSign('GET', '/', { b: '1', a_b: '2', a: '3' })).toBe('GET\n/\na=3&a_b=2&b=1');
  });
});

describe('signHttpRequest', () => {
  it('defaults the timestamp to now and omits body_md5 without a body', () => {
    const before = Math.floor(Date.now() / 1000);
    const query = signHttpRequest({
      key: KEY,
      secret: SECRET,
      method: 'GET',
      path: '/apps/3/channels',
      params: { filter_by_prefix: 'presence-', info: 'user_count' },
    });
    expect(Number(query.auth_timestamp)).toBeGreaterThanOrEqual(before);
    expect(query.body_md5).toBeUndefined();
    expect(query.filter_by_prefix).toBe('presence-');
    expect(query.auth_version).toBe('1.0');
    expect(
      verifyHttpRequest({
        method: 'GET',
        path: '/apps/3/channels',
        query,
        rawBody: '',
        key: KEY,
        secret: SECRET,
      }),
    ).toEqual({ ok: true });
  });

  it('treats an empty body as no body', () => {
    const query = signHttpRequest({ key: KEY, secret: SECRET, method: 'POST', path: '/x', body: '' });
    expect(query.body_md5).toBeUndefined();
  });
});

describe('verifyHttpRequest failures', () => {
  it('reports missing parameters by name', () => {
    const { auth_signature: _signature, auth_timestamp: _timestamp, ...query } = docsQuery;
    expect(verify({ query })).toEqual({
      ok: false,
      reason: 'missing_params',
      message: 'Missing query parameters: auth_timestamp, auth_signature',
    });
    const { auth_key: _key, ...noKey } = docsQuery;
    expect(verify({ query: noKey })).toMatchObject({ ok: false, reason: 'missing_params' });
  });

  it('requires body_md5 when there is a body', () => {
    const { body_md5: _md5, ...query } = docsQuery;
    expect(verify({ query })).toMatchObject({ ok: false, reason: 'missing_params' });
  });

  it('rejects another app key', () => {
    expect(verify({ key: 'another-key' })).toMatchObject({ ok: false, reason: 'invalid_key' });
  });

  it('rejects a stale or future timestamp with the skew in the message', () => {
    expect(verify({ now: TIMESTAMP + 900 })).toEqual({
      ok: false,
      reason: 'stale_timestamp',
      message: 'auth_timestamp is 900 seconds from server time (max 600)',
    });
    expect(verify({ now: TIMESTAMP - 601 })).toMatchObject({ ok: false, reason: 'stale_timestamp' });
    expect(verify({ now: TIMESTAMP + 600 })).toEqual({ ok: true });
    expect(verify({ now: TIMESTAMP + 60, maxSkewSeconds: 30 })).toMatchObject({
      ok: false,
      message: 'auth_timestamp is 60 seconds from server time (max 30)',
    });
  });

  it('rejects a non-numeric timestamp', () => {
    expect(verify({ query: { ...docsQuery, auth_timestamp: '13530881x9' } })).toMatchObject({
      ok: false,
      reason: 'stale_timestamp',
    });
  });

  it('rejects a tampered body', () => {
    expect(verify({ rawBody: BODY.replace('foo', 'bar') })).toMatchObject({
      ok: false,
      reason: 'body_md5_mismatch',
    });
  });

  it('rejects a tampered signature, path, method or parameter', () => {
    const tampered = `${SIGNATURE.slice(0, -1)}d`;
    expect(verify({ query: { ...docsQuery, auth_signature: tampered } })).toMatchObject({
      ok: false,
      reason: 'invalid_signature',
    });
    expect(verify({ path: '/apps/4/events' })).toMatchObject({ reason: 'invalid_signature' });
    expect(verify({ method: 'PUT' })).toMatchObject({ reason: 'invalid_signature' });
    expect(verify({ query: { ...docsQuery, socket_id: '1.1' } })).toMatchObject({
      reason: 'invalid_signature',
    });
    expect(verify({ secret: 'wrong' })).toMatchObject({ reason: 'invalid_signature' });
  });

  it('accepts an upper-case signature', () => {
    expect(verify({ query: { ...docsQuery, auth_signature: SIGNATURE.toUpperCase() } })).toEqual({
      ok: true,
    });
  });

  it('accepts body_md5 of the empty string on an empty body, and nothing else', () => {
    // Some SDKs send body_md5 on every POST; the empty-string digest is harmless, anything else
    // describes a body we did not receive.
    const withEmptyMd5 = signHttpRequest({
      key: KEY,
      secret: SECRET,
      method: 'POST',
      path: '/apps/3/users/1/terminate_connections',
      params: { body_md5: md5Hex('') },
    });
    const input = {
      method: 'POST',
      path: '/apps/3/users/1/terminate_connections',
      rawBody: '',
      key: KEY,
      secret: SECRET,
    };
    expect(verifyHttpRequest({ ...input, query: withEmptyMd5 })).toEqual({ ok: true });

    const withBodyMd5 = signHttpRequest({ ...input, params: { body_md5: md5Hex(BODY) } });
    expect(verifyHttpRequest({ ...input, query: withBodyMd5 })).toEqual({
      ok: false,
      reason: 'body_md5_mismatch',
      message: 'body_md5 was sent but the request body is empty',
    });
  });

  it('never leaks the secret or the expected signature', () => {
    const cases = [
      verify({ query: { ...docsQuery, auth_signature: 'x'.repeat(64) } }),
      verify({ now: 0 }),
      verify({ key: 'k' }),
      verify({ rawBody: '{}' }),
      verify({ query: {} }),
    ];
    for (const result of cases) {
      expect(result.ok).toBe(false);
      const message = result.ok ? '' : result.message;
      expect(message).not.toContain(SECRET);
      expect(message).not.toContain(SIGNATURE);
      expect(message).not.toContain(md5Hex(BODY));
    }
  });
});
