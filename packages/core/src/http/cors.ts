// CORS for the HTTP API: which origins may call it from a browser, and the preflight answer.

import type { IncomingMessage, ServerResponse } from 'node:http';

/** CORS of the HTTP API. A request whose `Origin` is not allowed gets no CORS headers. */
export interface CorsOptions {
  /** Allowed origins; `'*'` allows any. @default ['*'] */
  origin?: string[];
  /**
   * Send `Access-Control-Allow-Credentials: true` and echo the request's origin (a credentialed request
   * cannot use `*`). @default true
   */
  credentials?: boolean;
  /** @default ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] */
  methods?: string[];
  /** @default ['Authorization', 'Content-Type', 'X-Requested-With', 'Accept', 'X-Idempotency-Key'] */
  allowedHeaders?: string[];
}

const DEFAULT_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
const DEFAULT_HEADERS = ['Authorization', 'Content-Type', 'X-Requested-With', 'Accept', 'X-Idempotency-Key'];

/**
 * Returns a function that sets the CORS headers a request is owed on `res` and reports whether the
 * request was a preflight it has answered (204). A disallowed origin gets no CORS headers at all.
 */
export function createCors(options: CorsOptions = {}) {
  const origins = new Set(options.origin ?? ['*']);
  const anyOrigin = origins.has('*');
  const credentials = options.credentials ?? true;
  const methods = (options.methods ?? DEFAULT_METHODS).join(', ');
  const allowedHeaders = (options.allowedHeaders ?? DEFAULT_HEADERS).join(', ');

  return function applyCors(req: IncomingMessage, res: ServerResponse): boolean {
    const origin = req.headers.origin;
    const allowed = origin !== undefined && (anyOrigin || origins.has(origin));
    if (allowed) {
      // A credentialed response must name the origin; `*` is only for anonymous requests.
      res.setHeader('Access-Control-Allow-Origin', credentials || !anyOrigin ? origin : '*');
      if (credentials) res.setHeader('Access-Control-Allow-Credentials', 'true');
      if (credentials || !anyOrigin) res.setHeader('Vary', 'Origin');
    }
    if (req.method !== 'OPTIONS') return false;
    if (allowed) {
      res.setHeader('Access-Control-Allow-Methods', methods);
      res.setHeader('Access-Control-Allow-Headers', allowedHeaders);
      res.setHeader('Access-Control-Max-Age', '86400');
    }
    res.writeHead(204, { 'Content-Length': '0' });
    res.end();
    return true;
  };
}
