// What the numbers were measured on; PERFORMANCE.md asks for it next to every figure.
import { cpus, loadavg, platform, release, totalmem } from 'node:os';

/** The machine and runtime of the load generator (the server runs on the same loopback host). */
export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  node: string;
  platform: string;
  release: string;
  totalMemoryBytes: number;
  /** 1-minute load average at the start: a busy box explains an outlier. */
  loadAverage1m: number;
}

/** Describes this machine. */
export function readMachineInfo(): MachineInfo {
  const list = cpus();
  return {
    cpus: list.length,
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    node: process.version,
    platform: platform(),
    release: release(),
    totalMemoryBytes: totalmem(),
    loadAverage1m: loadavg()[0] ?? 0,
  };
}
