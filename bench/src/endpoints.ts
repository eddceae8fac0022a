// URLs of the server under test, built once from the options.
import type { BenchOptions } from './options.js';

/** The library name/version pusher-js 8 announces; some servers gate features on `protocol`. */
const CLIENT_QUERY = 'protocol=7&client=js&version=8.6.0&flash=false';

/** `host` as it goes in a URL: IPv6 literals need brackets. */
export function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/** The WebSocket URL a pusher-js client would open for this app. */
export function webSocketUrl(options: Pick<BenchOptions, 'host' | 'wsPort' | 'key'>): string {
  return `ws://${urlHost(options.host)}:${options.wsPort}/app/${encodeURIComponent(options.key)}?${CLIENT_QUERY}`;
}

/** The HTTP API base URL, for messages only (requests are built from host and port). */
export function httpApiUrl(options: Pick<BenchOptions, 'host' | 'httpPort'>): string {
  return `http://${urlHost(options.host)}:${options.httpPort}`;
}
