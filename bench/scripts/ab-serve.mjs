#!/usr/bin/env node
// A bare @sockudo/core node for A/B runs:  node ab-serve.mjs <core package dir> <port>
// <core package dir> holds a built `dist/` (a saved copy of an older build, or packages/core) and a
// `node_modules` (a symlink to packages/core/node_modules for a copy). Serves app-id/app-key/app-secret.
// With AB_REDIS_PREFIX set, the node joins the others with that prefix through the redis adapter
// (packages/adapter-redis, Redis at AB_REDIS_URL or 127.0.0.1:6379): how ab-core.sh runs H1.
const [dir, port] = process.argv.slice(2);
if (!dir || !port) throw new Error('usage: ab-serve.mjs <core package dir> <port>');
const { createServer } = await import(`${dir}/dist/index.js`);
const app = { id: 'app-id', key: 'app-key', secret: 'app-secret', max_presence_members_per_channel: 1000 };
let transport;
if (process.env.AB_REDIS_PREFIX) {
  const { createRedisTransport } = await import('../../packages/adapter-redis/dist/index.js');
  transport = createRedisTransport({ prefix: process.env.AB_REDIS_PREFIX, url: process.env.AB_REDIS_URL });
}
// AB_ENGINE picks the WebSocket engine (ws | lean) of builds that have one.
const server = createServer({
  host: '127.0.0.1',
  port: Number(port),
  apps: [app],
  transport,
  websocketEngine: process.env.AB_ENGINE,
});
await server.listen();
process.stdout.write(`listening on 127.0.0.1:${port}\n`);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(0));
// heap-per-socket.mjs asks for a heap snapshot with SIGUSR2; it is written to AB_SNAPSHOT.
if (process.env.AB_SNAPSHOT) {
  const { writeHeapSnapshot } = await import('node:v8');
  process.on('SIGUSR2', () => {
    writeHeapSnapshot(process.env.AB_SNAPSHOT);
    process.stdout.write('snapshot written\n');
  });
}
// memory-split.mjs asks with SIGUSR1 (after a full GC when run with --expose-gc).
process.on('SIGUSR1', () => {
  globalThis.gc?.();
  globalThis.gc?.();
  const { rss, heapUsed, heapTotal, external, arrayBuffers } = process.memoryUsage();
  process.stdout.write(`memory ${JSON.stringify({ rss, heapUsed, heapTotal, external, arrayBuffers })}\n`);
});
