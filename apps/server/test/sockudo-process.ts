// Starts the built `sockudo` binary as a real child process and waits until it listens.

import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url));

/** Metrics are on by default (as in Rust Sockudo, on 0.0.0.0:9601); tests keep them on loopback, OS-chosen ports. */
export const TEST_METRICS_ENV = { METRICS_HOST: '127.0.0.1', METRICS_PORT: '0' };

/** A running `sockudo start`. */
export interface SockudoProcess {
  port: number;
  child: ChildProcess;
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
  /** SIGTERM, then SIGKILL if it has not exited after `ms`. */
  stop(ms?: number): Promise<number | null>;
}

/** Starts `sockudo start ...args`; the environment holds only PATH, HOME and `env`. */
export function startSockudo(
  args: string[],
  options: { env?: Record<string, string>; cwd?: string; timeoutMs?: number } = {},
): Promise<SockudoProcess> {
  const child = spawn(process.execPath, [BIN, 'start', ...args], {
    cwd: options.cwd,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...TEST_METRICS_ENV, ...options.env },
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`sockudo did not start within ${options.timeoutMs ?? 10_000} ms:\n${output}`));
    }, options.timeoutMs ?? 10_000);
    const onData = () => {
      const match = /Sockudo listening on https?:\/\/[^:]+:(\d+)/.exec(output);
      if (!match) return;
      clearTimeout(timer);
      child.stdout.off('data', onData);
      resolve({
        port: Number(match[1]),
        child,
        output: () => output,
        exited,
        async stop(ms = 5000) {
          if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
          child.kill('SIGTERM');
          const kill = setTimeout(() => child.kill('SIGKILL'), ms);
          const code = await exited;
          clearTimeout(kill);
          return code;
        },
      });
    };
    child.stdout.on('data', onData);
    child.on('close', (code) => {
      clearTimeout(timer);
      reject(new Error(`sockudo exited with ${code} before listening:\n${output}`));
    });
  });
}
