// Reads the server's CPU time and resident memory from /proc, so any server (ours, soketi) can be measured
// from outside without instrumenting it. Linux only; one process only (a cluster's workers are not summed).
import { readFileSync } from 'node:fs';
import { BenchError } from './bench-error.js';

/** USER_HZ: /proc reports CPU time in these ticks; 100 on every Linux this runs on. */
const CLOCK_TICKS_PER_SECOND = 100;

/** User + system CPU seconds `pid` has used so far. */
export function readCpuSeconds(pid: number): number {
  const stat = readProcFile(pid, 'stat');
  // The command name (field 2) may contain spaces and parentheses, so count fields after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 14 (utime) and 15 (stime) of proc(5), i.e. 11 and 12 after the name and state.
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) {
    throw new BenchError(`cannot read CPU time from /proc/${pid}/stat`);
  }
  return (utime + stime) / CLOCK_TICKS_PER_SECOND;
}

/** Resident set size of `pid` in bytes (VmRSS). */
export function readRssBytes(pid: number): number {
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(readProcFile(pid, 'status'));
  if (match?.[1] === undefined) throw new BenchError(`no VmRSS line in /proc/${pid}/status`);
  return Number(match[1]) * 1024;
}

function readProcFile(pid: number, name: string): string {
  try {
    return readFileSync(`/proc/${pid}/${name}`, 'utf8');
  } catch (error) {
    throw new BenchError(`cannot read /proc/${pid}/${name}: is --server-pid ${pid} a running process?`, {
      cause: error,
    });
  }
}
