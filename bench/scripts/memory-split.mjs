#!/usr/bin/env node
// Where an idle subscribed socket's bytes go: a bare @sockudo/core node (ab-serve.mjs, after a full GC)
// before and after holding <count> sockets, each on its own channel (hold-sockets.mjs, in processes of
// at most 9,000 sockets). Prints RSS, V8 heap used, heap reserved and the rest (native: libuv, the
// TCP wrap, malloc) per socket.
//   AB_ENGINE=lean|ws node bench/scripts/memory-split.mjs packages/core [10000] [node flags...]
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const [dirArg, countArg = '10000', ...nodeFlags] = process.argv.slice(2);
if (!dirArg) throw new Error('usage: memory-split.mjs <core package dir> [count] [node flags...]');
const count = Number(countArg);
const port = await new Promise((done) => {
  const probe = createServer().listen(0, '127.0.0.1', () => {
    const { port: free } = probe.address();
    probe.close(() => done(free));
  });
});

function lines(child, onLine) {
  let buffered = '';
  child.stdout.on('data', (chunk) => {
    buffered += chunk;
    const parts = buffered.split('\n');
    buffered = parts.pop();
    for (const line of parts) onLine(line);
  });
}
const server = spawn(process.execPath, [
  '--expose-gc',
  ...nodeFlags,
  join(here, 'ab-serve.mjs'),
  resolve(dirArg),
  String(port),
]);
const waiting = [];
lines(server, (line) => {
  if (line.startsWith('listening')) waiting.shift()?.(line);
  if (line.startsWith('memory ')) waiting.shift()?.(JSON.parse(line.slice(7)));
});
const next = () => new Promise((done) => waiting.push(done));
const sleep = (ms) => new Promise((done) => setTimeout(done, ms));
await next();
await sleep(500);
server.kill('SIGUSR1');
const before = await next();
const holders = [];
for (let left = count; left > 0; left -= 9000) {
  const holder = spawn(process.execPath, [
    join(here, 'hold-sockets.mjs'),
    String(port),
    String(Math.min(9000, left)),
    String(count - left),
  ]);
  holders.push(new Promise((done) => lines(holder, (line) => line === 'held' && done(holder))));
  await holders.at(-1);
}
const held = await Promise.all(holders);
await sleep(3000);
server.kill('SIGUSR1');
const after = await next();
for (const holder of held) holder.kill();
server.kill();
const per = (key) => Math.round((after[key] - before[key]) / count);
const rss = per('rss');
const heapTotal = per('heapTotal');
console.log(
  JSON.stringify({
    engine: process.env.AB_ENGINE ?? 'default',
    sockets: count,
    flags: nodeFlags.join(' '),
    rssPerSocket: rss,
    heapUsedPerSocket: per('heapUsed'),
    heapReservedPerSocket: heapTotal,
    nativePerSocket: rss - heapTotal,
  }),
);
