// Runs server.mjs as a real child process, as a user would (`node server.mjs`), and waits until it listens.

import { type ChildProcess, spawn } from 'node:child_process';

/** A running `node server.mjs`. */
export interface NodeProcess {
  port: number;
  child: ChildProcess;
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
  /** SIGTERM (or `signal`), then SIGKILL after 10 s; resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** What a process printed and how it ended, for a test that expects it to fail. */
export function runToExit(
  script: string,
  env: Record<string, string>,
): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, [script], { env: { PATH: process.env.PATH, ...env } });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, output })));
}

/** Starts `node script` with only PATH, HOME and `env` in its environment. */
export function startNodeProcess(
  script: string,
  options: { env: Record<string, string>; cwd?: string; timeoutMs?: number },
): Promise<NodeProcess> {
  const timeoutMs = options.timeoutMs ?? 20_000;
  const child = spawn(process.execPath, [script], {
    cwd: options.cwd,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...options.env },
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
    child.kill(signal);
    const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
    const code = await exited;
    clearTimeout(kill);
    return code;
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${script} did not start listening within ${timeoutMs} ms. Its output:\n${output}`));
    }, timeoutMs);
    const onData = () => {
      const match = /listening on https?:\/\/[^\s:]+:(\d+)/.exec(output);
      if (!match) return;
      clearTimeout(timer);
      child.stdout.off('data', onData);
      resolve({ port: Number(match[1]), child, output: () => output, stop });
    };
    child.stdout.on('data', onData);
    child.once('close', (code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited with ${code} before listening. Its output:\n${output}`));
    });
  });
}
