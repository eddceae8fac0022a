// Starts S1's cluster: N real `sockudo start` processes from one config.json, each on a port the OS picks,
// and stops them again (SIGTERM first, so `--cpu-prof` and friends can write their files).
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, readFileSync, type WriteStream, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BenchError } from './bench-error.js';

/** How to start the nodes. */
export interface SockudoNodesOptions {
  count: number;
  /** The `sockudo` entry point (apps/server/dist/bin.js). */
  serverBin: string;
  /** Extra `node` arguments for every node (after the entry point's own shebang flags). */
  nodeArgs: readonly string[];
  /** The config.json every node reads. */
  config: Record<string, unknown>;
  /** Environment of every node, on top of PATH and HOME. */
  env: Record<string, string>;
  /** Folder for config.json and node-<i>.log. */
  dir: string;
  /** Per node, from spawn to "Sockudo listening". @default 30000 */
  startTimeoutMs?: number;
}

/** One running node. */
export interface SockudoNode {
  index: number;
  pid: number;
  port: number;
  logPath: string;
}

/** A started cluster; `stop()` is safe to call more than once. */
export interface SockudoNodes {
  nodes: SockudoNode[];
  /** Throws if a node has exited since it started (it would silently lose its subscribers' events). */
  assertRunning(): void;
  stop(): Promise<void>;
}

const LISTENING = /Sockudo listening on https?:\/\/\S+:(\d+)/;
const STOP_GRACE_MS = 10_000;

/** Starts every node at once and resolves when all listen; if one fails, stops the others and throws. */
export async function startSockudoNodes(options: SockudoNodesOptions): Promise<SockudoNodes> {
  const configPath = join(options.dir, 'config.json');
  writeFileSync(configPath, `${JSON.stringify(options.config, null, 2)}\n`);
  const argv = [
    ...shebangFlags(options.serverBin),
    ...options.nodeArgs,
    options.serverBin,
    'start',
    '-c',
    configPath,
  ];
  const children: ChildProcess[] = [];
  const logs: WriteStream[] = [];
  const stop = async () => {
    await Promise.all(children.map(stopChild));
    await Promise.all(logs.map((log) => new Promise<void>((resolve) => log.end(resolve))));
  };
  const started = await Promise.allSettled(
    Array.from({ length: options.count }, (_, index) => {
      const logPath = join(options.dir, `node-${index}.log`);
      const log = createWriteStream(logPath);
      logs.push(log);
      const child = spawn(process.execPath, argv, {
        cwd: options.dir,
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...options.env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      children.push(child);
      child.stdout!.pipe(log, { end: false });
      child.stderr!.pipe(log, { end: false });
      return waitListening(child, index, logPath, options.startTimeoutMs ?? 30_000);
    }),
  );
  const failed = started.find((result) => result.status === 'rejected');
  if (failed !== undefined) {
    await stop();
    throw failed.reason;
  }
  const nodes = started.map((result) => (result as PromiseFulfilledResult<SockudoNode>).value);
  return {
    nodes,
    assertRunning() {
      for (const [index, child] of children.entries()) {
        if (child.exitCode !== null || child.signalCode !== null) {
          throw new BenchError(
            `node ${index} exited (${child.exitCode ?? child.signalCode}) during the run; see ${nodes[index]!.logPath}`,
          );
        }
      }
    },
    stop,
  };
}

function waitListening(
  child: ChildProcess,
  index: number,
  logPath: string,
  timeoutMs: number,
): Promise<SockudoNode> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => {
      finish();
      reject(
        new BenchError(
          `node ${index} did not listen within ${timeoutMs} ms; see ${logPath}\n${tail(output)}`,
        ),
      );
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      if (output.length < 64 * 1024) output += chunk.toString('utf8');
      const match = LISTENING.exec(output);
      if (match === null) return;
      finish();
      resolve({ index, pid: child.pid!, port: Number(match[1]), logPath });
    };
    const onExit = (code: number | null, signal: string | null) => {
      finish();
      reject(
        new BenchError(
          `node ${index} exited (${code ?? signal}) before listening; see ${logPath}\n${tail(output)}`,
        ),
      );
    };
    const onError = (error: Error) => {
      finish();
      reject(new BenchError(`cannot start node ${index}: ${error.message}`, { cause: error }));
    };
    const finish = () => {
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      child.stderr!.off('data', onData);
      child.off('exit', onExit);
      child.off('error', onError);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', onExit);
    child.on('error', onError);
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
  await exited;
  clearTimeout(timer);
}

/**
 * The node flags of the entry point's `#!/usr/bin/env -S node …` line: `sockudo start` runs with them,
 * `node bin.js` would skip them, so they are given by hand as compare.sh does.
 */
export function shebangFlags(serverBin: string): string[] {
  let firstLine: string;
  try {
    firstLine = readFileSync(serverBin, 'utf8').split('\n', 1)[0] ?? '';
  } catch (error) {
    throw new BenchError(`cannot read the sockudo entry point ${serverBin}: build it first (pnpm build)`, {
      cause: error,
    });
  }
  const match = /^#!.*\benv\s+-S\s+node\s+(.*)$/.exec(firstLine);
  return match === null ? [] : match[1]!.trim().split(/\s+/).filter(Boolean);
}

function tail(output: string): string {
  return output.split('\n').slice(-15).join('\n');
}
