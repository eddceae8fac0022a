// The metrics endpoint on its own port, as Rust Sockudo and soketi do (9601 by default), so it can stay
// off the public listener.

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the metrics server needs: anything that renders Prometheus text, such as {@link PrometheusMetrics}. */
export interface MetricsSource {
  readonly contentType: string;
  metricsText(): Promise<string>;
}

/** Options of {@link startMetricsServer}. */
export interface MetricsServerOptions {
  /** @default '0.0.0.0' */
  host?: string;
  /** 0 picks a free port. @default 9601 */
  port?: number;
}

/** A listening metrics server. */
export interface MetricsServer {
  readonly host: string;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Serves `GET /metrics` (Prometheus text) and `GET /` (200, for probes). Resolves once listening.
 *
 * @example
 * ```ts
 * const server = await startMetricsServer(metrics, { host: '127.0.0.1', port: 9601 });
 * // curl http://127.0.0.1:9601/metrics
 * await server.close();
 * ```
 */
export function startMetricsServer(
  metrics: MetricsSource,
  options: MetricsServerOptions = {},
): Promise<MetricsServer> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?', 1)[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain' }).end('Method Not Allowed');
      return;
    }
    if (path === '/') {
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end('OK');
      return;
    }
    if (path !== '/metrics') {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not Found');
      return;
    }
    metrics.metricsText().then(
      (text) => {
        res.writeHead(200, {
          'Content-Type': metrics.contentType,
          'Content-Length': Buffer.byteLength(text),
        });
        res.end(req.method === 'HEAD' ? undefined : text);
      },
      (error: unknown) => {
        res
          .writeHead(500, { 'Content-Type': 'text/plain' })
          .end(`Could not collect metrics: ${String(error)}`);
      },
    );
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 9601, options.host ?? '0.0.0.0', () => {
      server.off('error', reject);
      const address = server.address() as AddressInfo;
      resolve({
        host: address.address,
        port: address.port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
