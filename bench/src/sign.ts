// Pusher HTTP API request signing. Same shape as @sockudo/protocol's `signHttpRequest`, kept local so the
// bench does not depend on a package still being written; swap the import once protocol exports it.
import { createHash, createHmac } from 'node:crypto';

/** What is signed: the request line, the query params and the raw body. */
export interface SignHttpRequestOptions {
  key: string;
  secret: string;
  method: string;
  /** Path without the query string, e.g. `/apps/app-id/events`. */
  path: string;
  /** Extra query params to sign besides the `auth_*` ones. */
  params?: Record<string, string>;
  /** Raw request body; adds `body_md5` when non-empty. */
  body?: string;
  /**
   * Unix seconds for `auth_timestamp`.
   * @default the current time
   */
  timestamp?: number;
}

/** The full query params of a signed request, `auth_signature` included. */
export function signHttpRequest(options: SignHttpRequestOptions): Record<string, string> {
  const params: Record<string, string> = {
    ...options.params,
    auth_key: options.key,
    auth_timestamp: String(options.timestamp ?? Math.floor(Date.now() / 1000)),
    auth_version: '1.0',
  };
  if (options.body !== undefined && options.body.length > 0) {
    params.body_md5 = createHash('md5').update(options.body, 'utf8').digest('hex');
  }
  // The spec signs the params sorted by key and joined unescaped.
  const query = Object.keys(params)
    .sort()
    .map((name) => `${name}=${params[name]}`)
    .join('&');
  const stringToSign = `${options.method.toUpperCase()}\n${options.path}\n${query}`;
  params.auth_signature = createHmac('sha256', options.secret).update(stringToSign, 'utf8').digest('hex');
  return params;
}
