#!/usr/bin/env node
// A bare @sockudo/core node for A/B runs:  node ab-serve.mjs <core package dir> <port>
// <core package dir> holds a built `dist/` (a saved copy of an older build, or packages/core) and a
// `node_modules` (a symlink to packages/core/node_modules for a copy). Serves app-id/app-key/app-secret.
const [dir, port] = process.argv.slice(2);
if (!dir || !port) throw new Error('usage: ab-serve.mjs <core package dir> <port>');
const { createServer } = await import(`${dir}/dist/index.js`);
const app = { id: 'app-id', key: 'app-key', secret: 'app-secret', max_presence_members_per_channel: 1000 };
const server = createServer({ host: '127.0.0.1', port: Number(port), apps: [app] });
await server.listen();
process.stdout.write(`listening on 127.0.0.1:${port}\n`);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(0));
