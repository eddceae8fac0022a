// The HTTPS server handed to core when `ssl.enabled` is set; certificate files are read once at start.

import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { resolve } from 'node:path';
import type { ResolvedConfig } from '../config/resolved-config.js';

/** An HTTPS server with the certificate, key, passphrase and CA of `ssl`; paths resolve against `cwd`. */
export function createTlsServer(ssl: ResolvedConfig['ssl'], cwd = process.cwd()): Server {
  const read = (path: string): Buffer => readFileSync(resolve(cwd, path));
  return createServer({
    cert: read(ssl.cert_path),
    key: read(ssl.key_path),
    ...(ssl.passphrase !== '' ? { passphrase: ssl.passphrase } : {}),
    ...(ssl.ca_path !== '' ? { ca: read(ssl.ca_path) } : {}),
  });
}
