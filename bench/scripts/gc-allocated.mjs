#!/usr/bin/env node
// MB allocated by a process, from its `node --trace-gc` output: the sum of each GC's heap-before minus
// the previous GC's heap-after. Coarse (MB granularity per GC) but steady on a busy machine.
import { readFileSync } from 'node:fs';

let previousAfter;
let total = 0;
for (const line of readFileSync(process.argv[2], 'utf8').split('\n')) {
  const match =
    /: (?:Scavenge|Mark-Compact|Mark-sweep|Minor)\D*?([\d.]+) \([\d.]+\) -> ([\d.]+) \([\d.]+\) MB/.exec(
      line,
    );
  if (!match) continue;
  if (previousAfter !== undefined) total += Math.max(0, Number(match[1]) - previousAfter);
  previousAfter = Number(match[2]);
}
process.stdout.write(`${total.toFixed(0)}\n`);
