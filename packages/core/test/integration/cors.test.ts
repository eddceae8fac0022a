// CORS of the HTTP API, over real HTTP requests with Origin headers: the preflight, an allowed origin
// (echoed with credentials, `*` without), and a disallowed origin that gets no CORS headers at all.

import { afterEach, describe, expect, it } from 'vitest';
import { cleanup } from '../helpers/cleanup.js';
import { httpRequest, signedRequest } from '../helpers/http.js';
import { startServer } from '../helpers/server.js';

afterEach(cleanup);

const ALLOWED = 'https://app.example.com';
const OTHER = 'https://evil.example.net';

function preflight(port: number, origin: string) {
  return httpRequest(port, 'OPTIONS', '/apps/app-1/events', undefined, {
    Origin: origin,
    'Access-Control-Request-Method': 'POST',
    'Access-Control-Request-Headers': 'content-type',
  });
}

describe('CORS with the defaults (any origin, credentials on)', () => {
  it('answers a preflight with 204 and the Access-Control-Allow-* headers', async () => {
    const { port } = await startServer();
    const res = await preflight(port, OTHER);
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expect(res.headers['access-control-allow-origin']).toBe(OTHER);
    expect(res.headers['access-control-allow-credentials']).toBe('true');
    expect(res.headers['access-control-allow-methods']).toBe('GET, POST, PUT, PATCH, DELETE, OPTIONS');
    const headers = String(res.headers['access-control-allow-headers']);
    for (const name of ['Authorization', 'Content-Type', 'X-Requested-With', 'Accept', 'X-Idempotency-Key']) {
      expect(headers).toContain(name);
    }
  });

  it('echoes the origin on API responses, including errors', async () => {
    const { port } = await startServer();
    const ok = await httpRequest(port, 'GET', '/up', undefined, { Origin: ALLOWED });
    expect(ok.status).toBe(200);
    expect(ok.headers['access-control-allow-origin']).toBe(ALLOWED);
    expect(ok.headers['access-control-allow-credentials']).toBe('true');

    const refused = await httpRequest(port, 'GET', '/apps/app-1/channels', undefined, { Origin: ALLOWED });
    expect(refused.status).toBe(401);
    expect(refused.headers['access-control-allow-origin']).toBe(ALLOWED);
  });

  it('adds nothing to a request without an Origin', async () => {
    const { port } = await startServer();
    const res = await signedRequest(port, { path: '/channels' });
    expect(res.status).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('CORS with an origin list', () => {
  it('allows a listed origin on a signed API call and its preflight', async () => {
    const { port } = await startServer({ cors: { origin: [ALLOWED] } });
    const pre = await preflight(port, ALLOWED);
    expect(pre.status).toBe(204);
    expect(pre.headers['access-control-allow-origin']).toBe(ALLOWED);
    expect(pre.headers['access-control-allow-methods']).toContain('POST');

    const res = await httpRequest(port, 'GET', '/', undefined, { Origin: ALLOWED });
    expect(res.status).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe(ALLOWED);
    expect(res.headers.vary).toContain('Origin');
  });

  it('gives a disallowed origin no CORS headers, on the preflight or the response', async () => {
    const { port } = await startServer({ cors: { origin: [ALLOWED] } });
    const pre = await preflight(port, OTHER);
    expect(pre.status).toBe(204);
    const corsHeaders = (headers: Record<string, unknown>) =>
      Object.keys(headers).filter((name) => name.startsWith('access-control-'));
    expect(corsHeaders(pre.headers)).toEqual([]);

    const res = await httpRequest(port, 'GET', '/', undefined, { Origin: OTHER });
    expect(res.status).toBe(200);
    expect(corsHeaders(res.headers)).toEqual([]);
  });
});

describe('CORS without credentials', () => {
  it('answers any origin with * and no Allow-Credentials', async () => {
    const { port } = await startServer({
      cors: { credentials: false, methods: ['GET', 'POST'], allowedHeaders: ['Content-Type'] },
    });
    const pre = await preflight(port, OTHER);
    expect(pre.status).toBe(204);
    expect(pre.headers['access-control-allow-origin']).toBe('*');
    expect(pre.headers['access-control-allow-credentials']).toBeUndefined();
    expect(pre.headers['access-control-allow-methods']).toBe('GET, POST');
    expect(pre.headers['access-control-allow-headers']).toBe('Content-Type');

    const res = await httpRequest(port, 'GET', '/ready', undefined, { Origin: OTHER });
    expect(res.headers['access-control-allow-origin']).toBe('*');
    expect(res.headers['access-control-allow-credentials']).toBeUndefined();
  });

  it('echoes a listed origin rather than * so the list still means something', async () => {
    const { port } = await startServer({ cors: { credentials: false, origin: [ALLOWED] } });
    const res = await httpRequest(port, 'GET', '/', undefined, { Origin: ALLOWED });
    expect(res.headers['access-control-allow-origin']).toBe(ALLOWED);
    expect(res.headers['access-control-allow-credentials']).toBeUndefined();
  });
});
