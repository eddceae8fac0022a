// Every refusal of the Pusher HTTP API (401, 403, 404, 400, 413), through raw requests that are signed
// correctly and then tampered with: the cases the official SDK will not produce.

import { afterEach, describe, expect, it } from 'vitest';
import { cleanup } from '../helpers/cleanup.js';
import { httpRequest, signedRequest } from '../helpers/http.js';
import { APP, startServer, type TestApp } from '../helpers/server.js';

afterEach(cleanup);

describe('refused HTTP API requests', () => {
  const event = (extra: Record<string, unknown> = {}) => ({
    name: 'e',
    data: '{}',
    channels: ['news'],
    ...extra,
  });

  /** Every refusal is JSON with a human-readable `error`. */
  function expectError(result: { status: number; json: any }, status: number): void {
    expect(result.status).toBe(status);
    expect(result.json).toEqual(expect.objectContaining({ error: expect.any(String) }));
    expect(result.json.error.length).toBeGreaterThan(0);
  }

  it('accepts the untampered request (control for the cases below)', async () => {
    const { port } = await startServer();
    const result = await signedRequest(port, { path: '/events', body: event() });
    expect(result.status).toBe(200);
    expect(result.json).toEqual({});
    expect(result.headers['content-type']).toMatch(/application\/json/);
  });

  it('refuses a bad signature with 401', async () => {
    const { port } = await startServer();
    const result = await signedRequest(port, {
      path: '/events',
      body: event(),
      tamper: (q) => {
        q.auth_signature = q.auth_signature!.replace(/^./, (c) => (c === '0' ? '1' : '0'));
      },
    });
    expectError(result, 401);
  });

  it('refuses a request signed with the wrong secret with 401', async () => {
    const { port } = await startServer();
    const result = await signedRequest(port, {
      path: '/events',
      body: event(),
      app: { ...APP, secret: 'wrong' },
    });
    expectError(result, 401);
  });

  it('refuses a tampered query parameter with 401', async () => {
    const { port } = await startServer();
    const result = await signedRequest(port, {
      path: '/channels',
      params: { filter_by_prefix: 'presence-' },
      tamper: (q) => {
        q.filter_by_prefix = 'private-';
      },
    });
    expectError(result, 401);
  });

  it('refuses missing auth parameters with 401', async () => {
    const { port } = await startServer();
    expectError(await httpRequest(port, 'GET', '/apps/app-1/channels'), 401);
    const noSignature = await signedRequest(port, {
      path: '/channels',
      tamper: (q) => void delete q.auth_signature,
    });
    expectError(noSignature, 401);
  });

  it('refuses a timestamp more than 600 s old or ahead with 401, and accepts one 590 s old', async () => {
    const { port } = await startServer();
    const now = Math.floor(Date.now() / 1000);
    expectError(await signedRequest(port, { path: '/events', body: event(), timestamp: now - 601 }), 401);
    expectError(await signedRequest(port, { path: '/events', body: event(), timestamp: now + 601 }), 401);
    expect((await signedRequest(port, { path: '/events', body: event(), timestamp: now - 590 })).status).toBe(
      200,
    );
  });

  it('refuses a body that does not match body_md5 with 401', async () => {
    const { port } = await startServer();
    const signed = JSON.stringify(event());
    const swapped = JSON.stringify(event({ data: '{"evil":true}' }));
    expectError(await signedRequest(port, { path: '/events', body: signed, sentBody: swapped }), 401);
    const wrongMd5 = await signedRequest(port, {
      path: '/events',
      body: signed,
      tamper: (q) => {
        q.body_md5 = '0'.repeat(32);
      },
    });
    expectError(wrongMd5, 401);
  });

  it('answers an unknown app id with 404', async () => {
    const { port } = await startServer();
    expectError(
      await signedRequest(port, { path: '/events', body: event(), appIdInPath: 'no-such-app' }),
      404,
    );
  });

  it('answers a disabled app with 403', async () => {
    const disabled: TestApp = { ...APP, enabled: false };
    const { port } = await startServer({ apps: [disabled] });
    expectError(await signedRequest(port, { path: '/events', body: event() }), 403);
  });

  it('answers an unknown route with 404', async () => {
    const { port } = await startServer();
    expectError(await signedRequest(port, { path: '/nothing-here' }), 404);
    expectError(await signedRequest(port, { method: 'POST', path: '/channels', body: {} }), 404);
  });

  it('refuses data over 10 KB with 413 and accepts exactly 10 KB', async () => {
    const { port } = await startServer();
    expect(
      (await signedRequest(port, { path: '/events', body: event({ data: 'x'.repeat(10 * 1024) }) })).status,
    ).toBe(200);
    expectError(
      await signedRequest(port, { path: '/events', body: event({ data: 'x'.repeat(10 * 1024 + 1) }) }),
      413,
    );
    const batch = { batch: [{ name: 'e', channel: 'news', data: 'x'.repeat(10 * 1024 + 1) }] };
    expectError(await signedRequest(port, { path: '/batch_events', body: batch }), 413);
  });

  it('refuses 101 channels with 400 and accepts 100', async () => {
    const { port } = await startServer();
    const channels = (n: number) => Array.from({ length: n }, (_, i) => `ch-${i}`);
    expect(
      (await signedRequest(port, { path: '/events', body: event({ channels: channels(100) }) })).status,
    ).toBe(200);
    expectError(
      await signedRequest(port, { path: '/events', body: event({ channels: channels(101) }) }),
      400,
    );
  });

  it('refuses a batch of 11 with 400 and accepts 10', async () => {
    const { port } = await startServer();
    const batch = (n: number) => ({
      batch: Array.from({ length: n }, (_, i) => ({ name: 'e', channel: `ch-${i}`, data: '{}' })),
    });
    expect((await signedRequest(port, { path: '/batch_events', body: batch(10) })).status).toBe(200);
    expectError(await signedRequest(port, { path: '/batch_events', body: batch(11) }), 400);
    expectError(await signedRequest(port, { path: '/batch_events', body: { batch: [] } }), 400);
    expectError(await signedRequest(port, { path: '/batch_events', body: { batch: 'no' } }), 400);
  });

  it('refuses an event name of 201 characters with 400 and accepts 200', async () => {
    const { port } = await startServer();
    expect(
      (await signedRequest(port, { path: '/events', body: event({ name: 'e'.repeat(200) }) })).status,
    ).toBe(200);
    expectError(await signedRequest(port, { path: '/events', body: event({ name: 'e'.repeat(201) }) }), 400);
  });

  it('limits channel names to 164 characters by default', async () => {
    const { port } = await startServer();
    const named = (length: number) => event({ channels: ['c'.repeat(length)] });
    expect((await signedRequest(port, { path: '/events', body: named(164) })).status).toBe(200);
    expectError(await signedRequest(port, { path: '/events', body: named(165) }), 400);
    expectError(await signedRequest(port, { path: '/events', body: named(201) }), 400);
    expectError(await signedRequest(port, { path: `/channels/${'c'.repeat(201)}` }), 400);
  });

  it('honours a larger max_channel_name_length (200, as soketi and Rust Sockudo)', async () => {
    const roomy: TestApp = { ...APP, max_channel_name_length: 200 };
    const { port } = await startServer({ apps: [roomy] });
    const named = (length: number) => event({ channels: ['c'.repeat(length)] });
    expect((await signedRequest(port, { app: roomy, path: '/events', body: named(200) })).status).toBe(200);
    expectError(await signedRequest(port, { app: roomy, path: '/events', body: named(201) }), 400);
  });

  it.each([
    ['a missing name', { data: '{}', channels: ['news'] }],
    ['missing data', { name: 'e', channels: ['news'] }],
    ['no channel', { name: 'e', data: '{}' }],
    ['an empty channel list', { name: 'e', data: '{}', channels: [] }],
    ['an invalid channel name', { name: 'e', data: '{}', channels: ['bad name'] }],
    ['a non-string channel', { name: 'e', data: '{}', channels: [7] }],
    ['an invalid socket_id', { name: 'e', data: '{}', channels: ['news'], socket_id: 'nope' }],
    ['an unknown info attribute', { name: 'e', data: '{}', channels: ['news'], info: 'everything' }],
  ])('refuses a trigger with %s with 400', async (_, body) => {
    const { port } = await startServer();
    expectError(await signedRequest(port, { path: '/events', body }), 400);
  });

  it('refuses a body that is not JSON, or not a JSON object, with 400', async () => {
    const { port } = await startServer();
    expectError(await signedRequest(port, { path: '/events', body: '{"name":"e",' }), 400);
    expectError(await signedRequest(port, { path: '/events', body: '[1,2,3]' }), 400);
    expectError(await signedRequest(port, { path: '/batch_events', body: 'not json at all' }), 400);
  });

  it('refuses a body over httpRequestLimitInMb with 413, declared or chunked', async () => {
    const { port } = await startServer({ httpRequestLimitInMb: 0.005 }); // about 5 KB
    // 8 KB of data is under the 10 KB event limit: only the request limit can refuse it.
    const body = JSON.stringify(event({ data: 'x'.repeat(8 * 1024) }));
    expectError(await signedRequest(port, { path: '/events', body }), 413);

    const { signHttpRequest } = await import('@sockudo/protocol');
    const query = signHttpRequest({
      key: APP.key,
      secret: APP.secret,
      method: 'POST',
      path: '/apps/app-1/events',
      body,
    });
    const chunked = await httpRequest(
      port,
      'POST',
      `/apps/app-1/events?${new URLSearchParams(query)}`,
      body,
      {
        'Content-Length': '',
        'Transfer-Encoding': 'chunked',
      },
    );
    expectError(chunked, 413);

    // the node still answers afterwards
    expect((await signedRequest(port, { path: '/events', body: event() })).status).toBe(200);
  });

  it('refuses info=user_count on GET /channels without the presence- filter, with 400', async () => {
    const { port } = await startServer();
    expectError(await signedRequest(port, { path: '/channels', params: { info: 'user_count' } }), 400);
    expectError(await signedRequest(port, { path: '/channels/news', params: { info: 'user_count' } }), 400);
    expectError(await signedRequest(port, { path: '/channels/news/users' }), 400);
  });
});
