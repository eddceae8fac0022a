// Raw HTTP API requests with node:http, signed the way the Pusher SDKs sign them and then optionally
// tampered with, for the negative cases the official SDK will not produce.

import { request } from 'node:http';
import { signHttpRequest } from '@sockudo/protocol';
import { APP, type TestApp } from './server.js';
import { withTimeout } from './wait.js';

export interface HttpResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** The body parsed as JSON, or `undefined` when it is not JSON. */
  json: any;
}

/** Sends one HTTP request and collects the whole response. */
export function httpRequest(
  port: number,
  method: string,
  pathAndQuery: string,
  body?: string | Buffer,
  /** Extra headers; an empty value removes a default one (e.g. `'Content-Length': ''` for chunked). */
  headers: Record<string, string> = {},
): Promise<HttpResult> {
  return withTimeout(
    new Promise<HttpResult>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          method,
          path: pathAndQuery,
          headers: Object.fromEntries(
            Object.entries({
              ...(body !== undefined
                ? { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)) }
                : {}),
              ...headers,
            }).filter(([, value]) => value !== ''), // '' removes a default header
          ),
          agent: false,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let json: any;
            try {
              json = JSON.parse(text);
            } catch {
              json = undefined;
            }
            resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
          });
          res.on('error', reject);
        },
      );
      // The server may answer (413) before it has read a large body; that is not a client failure.
      req.on('error', (error: NodeJS.ErrnoException) => {
        if (error.code !== 'EPIPE' && error.code !== 'ECONNRESET') reject(error);
      });
      if (body !== undefined) req.write(body);
      req.end();
    }),
    `HTTP ${method} ${pathAndQuery.split('?')[0]}`,
  );
}

export interface SignedRequest {
  method?: 'GET' | 'POST';
  /** Path under the app, e.g. `/events`; or a full path starting with `/apps/`. */
  path: string;
  body?: unknown;
  params?: Record<string, string>;
  app?: TestApp;
  /** App id in the URL, when it should differ from `app.id`. */
  appIdInPath?: string;
  timestamp?: number;
  /** Changes the signed query before it is sent (to break the signature, body_md5, ...). */
  tamper?: (query: Record<string, string>) => void;
  /** Sends this body instead of the signed one. */
  sentBody?: string;
  /** Extra request headers (not signed, as the Pusher protocol signs none). */
  headers?: Record<string, string>;
}

/** Signs a request with `signHttpRequest` (as the SDKs do), applies `tamper`, and sends it. */
export function signedRequest(port: number, r: SignedRequest): Promise<HttpResult> {
  const app = r.app ?? APP;
  const method = r.method ?? (r.body === undefined ? 'GET' : 'POST');
  const path = r.path.startsWith('/apps/') ? r.path : `/apps/${r.appIdInPath ?? app.id}${r.path}`;
  const body =
    r.body === undefined ? undefined : typeof r.body === 'string' ? r.body : JSON.stringify(r.body);
  const query = signHttpRequest({
    key: app.key,
    secret: app.secret,
    method,
    path,
    ...(r.params ? { params: r.params } : {}),
    ...(body !== undefined ? { body } : {}),
    ...(r.timestamp !== undefined ? { timestamp: r.timestamp } : {}),
  });
  r.tamper?.(query);
  return httpRequest(port, method, `${path}?${new URLSearchParams(query)}`, r.sentBody ?? body, r.headers);
}
