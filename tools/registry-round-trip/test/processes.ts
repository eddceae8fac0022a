// Child processes for the round trip: commands that must succeed (npm, pnpm) and servers that must come up
// (the registry, sockudo, the custom server). A failure carries everything the process printed.

import { type ChildProcess, spawn } from 'node:child_process';

/** The parent's environment without npm/pnpm settings, so a `pnpm test` run cannot leak its registry or config. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(npm|pnpm)_/i.test(key)) env[key] = value;
  }
  return { ...env, ...extra };
}

/** Runs `command args` to completion; resolves with its stdout, rejects with all of its output. */
export function run(
  command: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number },
): Promise<string> {
  const started = Date.now();
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let output = '';
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
    output += chunk;
  });
  child.stderr.on('data', (chunk) => (output += chunk));
  const what = `\`${command} ${args.join(' ')}\` (in ${options.cwd})`;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    child.once('error', (error) => reject(new Error(`could not run ${what}: ${error.message}`)));
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      if (code === 0) return resolve(stdout);
      const why = signal
        ? `was killed (${signal}) after ${seconds} s`
        : `exited with ${code} after ${seconds} s`;
      reject(new Error(`${what} ${why}. Its output:\n${output}`));
    });
  });
}

/** A server started by {@link startServer}. */
export interface ServerProcess {
  /** The URL it printed when it started listening. */
  url: string;
  port: number;
  child: ChildProcess;
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
  /** SIGTERM, then SIGKILL after 10 s; resolves with the exit code. */
  stop(): Promise<number | null>;
}

/** Starts `command args` and waits for a line matching `ready` (its first group is the URL, e.g. `(http://…:(\d+))`). */
export function startServer(
  command: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; ready: RegExp; timeoutMs?: number },
): Promise<ServerProcess> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
  const what = `\`${command} ${args.join(' ')}\``;
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
    child.kill('SIGTERM');
    const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
    const code = await exited;
    clearTimeout(kill);
    return code;
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${what} did not start listening within ${timeoutMs} ms. Its output:\n${output}`));
    }, timeoutMs);
    child.once('error', (error) => reject(new Error(`could not run ${what}: ${error.message}`)));
    const onData = () => {
      const match = options.ready.exec(output);
      if (!match) return;
      clearTimeout(timer);
      child.stdout.off('data', onData);
      child.stderr.off('data', onData);
      resolve({ url: match[1], port: Number(match[2]), child, output: () => output, stop });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited with ${code} before listening. Its output:\n${output}`));
    });
  });
}
