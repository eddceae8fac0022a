// HTTP API rate limits per app: `max_backend_events_per_second` for triggers and
// `max_read_requests_per_second` for channel queries, answered with 429, X-RateLimit-* and
// Retry-After; a refused trigger is not delivered.

import { afterEach, describe, expect, it } from 'vitest';
import { RawClient } from '../helpers/clients.js';
import { cleanupFeatures, featureApp } from '../helpers/features.js';
import { type HttpResult, signedRequest } from '../helpers/http.js';
import { startServer, type TestApp } from '../helpers/server.js';
import { sleep } from '../helpers/wait.js';

afterEach(cleanupFeatures);

const trigger = (port: number, app: TestApp, n: number, channel = 'limited') =>
  signedRequest(port, { app, path: '/events', body: { name: 'tick', channel, data: JSON.stringify({ n }) } });

const readChannels = (port: number, app: TestApp) => signedRequest(port, { app, path: '/channels' });

function expectRateHeaders(res: HttpResult, limit: number, remaining: number): void {
  expect(res.headers['x-ratelimit-limit']).toBe(String(limit));
  expect(res.headers['x-ratelimit-remaining']).toBe(String(remaining));
  const reset = Number(res.headers['x-ratelimit-reset']);
  expect(Number.isInteger(reset)).toBe(true);
  expect(reset).toBeGreaterThanOrEqual(0);
  expect(reset).toBeLessThanOrEqual(1);
}

describe('max_backend_events_per_second', () => {
  it('answers the 3rd trigger in the same second with 429, X-RateLimit-* and Retry-After, and does not deliver it', async () => {
    const app = featureApp({ max_backend_events_per_second: 2 });
    const { port } = await startServer({ apps: [app] });
    const subscriber = await RawClient.established(port, app.key);
    await subscriber.subscribe('limited');

    const first = await trigger(port, app, 1);
    const second = await trigger(port, app, 2);
    const third = await trigger(port, app, 3);
    expect([first.status, second.status, third.status]).toEqual([200, 200, 429]);
    expectRateHeaders(first, 2, 1);
    expectRateHeaders(second, 2, 0);
    expectRateHeaders(third, 2, 0);
    expect(Number(third.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(third.json).toMatchObject({ status: 429 });
    expect(typeof third.json.error).toBe('string');

    // The next second allows triggers again; the refused one never arrives.
    await sleep(1_100);
    const fourth = await trigger(port, app, 4);
    expect(fourth.status).toBe(200);
    await subscriber.waitFor((f) => f.event === 'tick' && f.payload.n === 4);
    expect(subscriber.all('tick', 'limited').map((f) => f.payload.n)).toEqual([1, 2, 4]);
  });

  it('makes the pusher SDK reject with status 429', async () => {
    const app = featureApp({ max_backend_events_per_second: 2 });
    const { backend } = await startServer({ apps: [app] });
    const b = backend();
    await b.trigger('sdk', 'a', {});
    await b.trigger('sdk', 'b', {});
    await expect(b.trigger('sdk', 'c', {})).rejects.toMatchObject({ status: 429 });
  });

  it('limits each app on its own, and has no limit by default', async () => {
    const limited = featureApp({ max_backend_events_per_second: 2 });
    const free = featureApp();
    const { port } = await startServer({ apps: [limited, free] });
    for (let n = 1; n <= 2; n++) expect((await trigger(port, limited, n)).status).toBe(200);
    expect((await trigger(port, limited, 3)).status).toBe(429);
    for (let n = 1; n <= 5; n++) {
      const res = await trigger(port, free, n);
      expect(res.status).toBe(200);
      expect(res.headers['x-ratelimit-limit']).toBeUndefined();
    }
  });

  it('does not spend the backend budget on read requests', async () => {
    const app = featureApp({ max_backend_events_per_second: 2 });
    const { port } = await startServer({ apps: [app] });
    for (let i = 0; i < 5; i++) expect((await readChannels(port, app)).status).toBe(200);
    expect((await trigger(port, app, 1)).status).toBe(200);
    expect((await trigger(port, app, 2)).status).toBe(200);
  });
});

describe('max_read_requests_per_second', () => {
  it('answers the 3rd GET /channels in the same second with 429 and rate-limit headers', async () => {
    const app = featureApp({ max_read_requests_per_second: 2 });
    const { port } = await startServer({ apps: [app] });
    const first = await readChannels(port, app);
    const second = await readChannels(port, app);
    const third = await readChannels(port, app);
    expect([first.status, second.status, third.status]).toEqual([200, 200, 429]);
    expectRateHeaders(first, 2, 1);
    expectRateHeaders(third, 2, 0);
    expect(Number(third.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(first.json).toEqual({ channels: {} });

    await sleep(1_100);
    expect((await readChannels(port, app)).status).toBe(200);
  });

  it('counts GET /channels/{name} and /users as reads too, and leaves triggers alone', async () => {
    const app = featureApp({ max_read_requests_per_second: 2 });
    const { port } = await startServer({ apps: [app] });
    expect((await signedRequest(port, { app, path: '/channels/presence-x' })).status).toBe(200);
    expect((await signedRequest(port, { app, path: '/channels/presence-x/users' })).status).toBe(200);
    expect((await readChannels(port, app)).status).toBe(429);
    expect((await trigger(port, app, 1)).status).toBe(200);
  });
});
