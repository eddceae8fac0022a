#!/usr/bin/env node
// Opens <count> idle sockets on 127.0.0.1:<port>, each subscribed to its own channel, prints "held" and
// keeps them until killed:  node bench/scripts/hold-sockets.mjs <port> <count> [first channel index]
// (needs bench/dist built)
import { ClientPool } from '../dist/client-pool.js';

const [port, count, first = 0] = process.argv.slice(2).map(Number);
if (!port || !count) throw new Error('usage: hold-sockets.mjs <port> <count>');
const pool = new ClientPool({
  url: `ws://127.0.0.1:${port}/app/app-key?protocol=7`,
  client: 'raw',
  count,
  concurrency: 200,
  channelFor: (index) => `held-${first + index}`,
  timeoutMs: 15_000,
  deadlineMs: 15_000 + count * 20,
  handlers: { onDelivery() {}, onFailure: (error) => process.stderr.write(`${error.message}\n`) },
});
await pool.open();
process.stdout.write('held\n');
setInterval(() => {}, 2 ** 30);
