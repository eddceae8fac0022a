#!/usr/bin/env node
// Heap bytes per idle subscribed socket of a @sockudo/core build, by object type: heap snapshots of a bare
// node (ab-serve.mjs) holding <small> and then <large> sockets (hold-sockets.mjs, another process), the
// difference divided by large - small. Deterministic, unlike RSS on a shared machine.
//   node bench/scripts/heap-per-socket.mjs packages/core [1000] [5000]
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const [dirArg, smallArg = '1000', largeArg = '5000'] = process.argv.slice(2);
if (!dirArg) throw new Error('usage: heap-per-socket.mjs <core package dir> [small] [large]');
const dir = resolve(dirArg);
const port = Number(process.env.PORT ?? 6551);
const work = mkdtempSync(join(tmpdir(), 'heap-per-socket-'));

function waitFor(child, text) {
  return new Promise((done, fail) => {
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
      if (output.includes(text)) done();
    });
    child.on('exit', (code) => fail(new Error(`${child.spawnargs.join(' ')} exited ${code}`)));
  });
}

async function snapshot(count) {
  const file = join(work, `${count}.heapsnapshot`);
  const server = spawn(process.execPath, [join(here, 'ab-serve.mjs'), dir, String(port)], {
    env: { ...process.env, AB_SNAPSHOT: file },
  });
  try {
    await waitFor(server, 'listening');
    const holder = spawn(process.execPath, [join(here, 'hold-sockets.mjs'), String(port), String(count)]);
    try {
      await waitFor(holder, 'held');
      await new Promise((done) => setTimeout(done, 1000));
      const written = waitFor(server, 'snapshot written');
      server.kill('SIGUSR2');
      await written;
    } finally {
      holder.kill();
    }
  } finally {
    server.kill();
  }
  return summarize(JSON.parse(readFileSync(file, 'utf8')));
}

// Self size and count per "type:constructor" (strings and code lumped together).
function summarize(snapshot) {
  const fields = snapshot.snapshot.meta.node_fields;
  const types = snapshot.snapshot.meta.node_types[0];
  const [typeAt, nameAt, sizeAt] = ['type', 'name', 'self_size'].map((field) => fields.indexOf(field));
  const byKind = new Map();
  let total = 0;
  for (let index = 0; index < snapshot.nodes.length; index += fields.length) {
    const type = types[snapshot.nodes[index + typeAt]];
    const name =
      type.includes('string') || type === 'code' ? '' : snapshot.strings[snapshot.nodes[index + nameAt]];
    const kind = `${type}:${name}`.slice(0, 60);
    const size = snapshot.nodes[index + sizeAt];
    total += size;
    const entry = byKind.get(kind) ?? { size: 0, count: 0 };
    entry.size += size;
    entry.count++;
    byKind.set(kind, entry);
  }
  return { total, byKind };
}

const small = await snapshot(Number(smallArg));
const large = await snapshot(Number(largeArg));
const sockets = Number(largeArg) - Number(smallArg);
console.log(`heap per socket: ${Math.round((large.total - small.total) / sockets)} B`);
const rows = [...large.byKind].map(([kind, { size, count }]) => ({
  kind,
  bytes: (size - (small.byKind.get(kind)?.size ?? 0)) / sockets,
  count: (count - (small.byKind.get(kind)?.count ?? 0)) / sockets,
}));
for (const row of rows.sort((a, b) => b.bytes - a.bytes).slice(0, 25)) {
  console.log(`${row.bytes.toFixed(0).padStart(6)} B ${row.count.toFixed(2).padStart(6)} × ${row.kind}`);
}
