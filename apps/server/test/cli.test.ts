import { startSockudo, TEST_METRICS_ENV } from './sockudo-process.js';
// Runs the built binary (apps/server/dist/bin.js) as a real process, as a user would.

import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from './helpers.js';

const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const VERSION = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A clean environment: no HOST/PORT/SOCKUDO_* from the machine running the tests. */
function baseEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: process.env.HOME, ...TEST_METRICS_ENV, ...extra };
}

function run(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: options.cwd ?? tempDir(),
      env: baseEnv(options.env),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

beforeAll(() => {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: build first (npx tsc -b apps/server)`);
});

describe('sockudo --version / --help', () => {
  it('prints the package version', async () => {
    const result = await run(['--version']);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(VERSION);
  });

  it('prints help with the commands, precedence and exit codes', async () => {
    const result = await run(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Usage: sockudo');
    expect(result.stdout).toContain('start');
    expect(result.stdout).toContain('config');
    expect(result.stdout).toContain('migrate');
    expect(result.stdout).toContain('Exit codes');
  });

  it('documents the start options', async () => {
    const result = await run(['start', '--help']);
    expect(result.code).toBe(0);
    for (const option of ['--config <file>', '--host <host>', '--port <port>', '--debug']) {
      expect(result.stdout).toContain(option);
    }
  });

  it('exits 2 on an unknown command or option', async () => {
    expect((await run(['strat'])).code).toBe(2);
    expect((await run(['config', 'check', '--nope'])).code).toBe(2);
  });
});

describe('sockudo config check', () => {
  it('prints the resolved configuration with secrets masked and exits 0', async () => {
    const cwd = tempDir({
      'config/config.json': {
        port: 7001,
        app_manager: { array: { apps: [{ id: 'app-1', key: 'key-1', secret: 'very-secret' }] } },
      },
    });
    const result = await run(['config', 'check'], { cwd });
    expect(result.code).toBe(0);
    const printed = JSON.parse(result.stdout) as {
      port: number;
      app_manager: { array: { apps: unknown[] } };
    };
    expect(printed.port).toBe(7001);
    expect(printed.app_manager.array.apps[0]).toMatchObject({
      id: 'app-1',
      key: 'key-1',
      secret: '********',
    });
    expect(result.stdout + result.stderr).not.toContain('very-secret');
  });

  it('applies environment variables', async () => {
    const result = await run(['config', 'check'], { env: { PORT: '7002', ADAPTER_DRIVER: 'local' } });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).port).toBe(7002);
    expect(result.stderr).toContain('default credentials in use');
  });

  it('fails on invalid JSON, naming the file, line and column', async () => {
    const cwd = tempDir({ 'broken.json': '{\n  "port": 6001,\n  "host": "0.0.0.0",,\n}\n' });
    const result = await run(['config', 'check', '-c', 'broken.json'], { cwd });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('broken.json: invalid JSON at line 3, column 21');
  });

  it('fails on a wrong type, naming the key', async () => {
    const cwd = tempDir({ 'config/config.json': { port: 'abc' } });
    const result = await run(['config', 'check'], { cwd });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('port: expected an integer 0–65535, got "abc"');
  });

  it('fails on an unknown driver, naming the key', async () => {
    const cwd = tempDir({ 'config.json': { adapter: { driver: 'kafka' } } });
    const result = await run(['config', 'check', '--config', 'config.json'], { cwd });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('adapter.driver: unknown driver "kafka"; expected one of local');
  });

  it('prints every error, from the file and the environment', async () => {
    const cwd = tempDir({
      'config/config.json': {
        port: 'abc',
        queue: { driver: 'sqs' },
        app_manager: { array: { apps: [{ id: 'x' }] } },
      },
    });
    const result = await run(['config', 'check'], { cwd, env: { METRICS_PORT: 'ninety' } });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Invalid configuration (5 errors)');
    for (const text of [
      'METRICS_PORT (env): expected an integer 0–65535, got "ninety"',
      'port: expected an integer',
      'queue.driver: driver "sqs" is not available yet in this release',
      'app_manager.array.apps[0].key: expected a non-empty string',
      'app_manager.array.apps[0].secret: expected a non-empty string',
    ]) {
      expect(result.stderr).toContain(text);
    }
  });

  it('fails when -c names a missing file', async () => {
    const result = await run(['config', 'check', '-c', 'nowhere.json']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('--config: file not found: nowhere.json');
  });
});

describe('sockudo start', () => {
  it('exits 1 before listening when the configuration is invalid', async () => {
    const cwd = tempDir({ 'config/config.json': { queue: { driver: 'sqs' } } });
    const result = await run(['start', '--port', '0'], { cwd });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('queue.driver: driver "sqs" is not available yet');
    expect(result.stdout).not.toContain('listening');
  });

  it('listens on --port 0, answers /up, and exits 0 on SIGTERM', async () => {
    const child: ChildProcess = spawn(
      process.execPath,
      [BIN, 'start', '--port', '0', '--host', '127.0.0.1'],
      {
        cwd: tempDir(),
        env: baseEnv(),
      },
    );
    let stdout = '';
    child.stderr?.on('data', (chunk) => (stdout += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    const port = await new Promise<number>((resolve, reject) => {
      child.stdout?.on('data', (chunk) => {
        stdout += chunk;
        const match = /Sockudo listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(stdout);
        if (match) resolve(Number(match[1]));
      });
      child.on('close', () => reject(new Error(`exited before listening:\n${stdout}`)));
    });
    expect(stdout).toContain('default credentials in use');
    const response = await fetch(`http://127.0.0.1:${port}/up`);
    expect(response.status).toBe(200);
    await response.text();
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stdout).toContain('received SIGTERM');
    expect(stdout).toContain('Sockudo stopped');
  });

  it('shuts down gracefully on a SIGTERM sent the moment it says it listens', async () => {
    // The metrics port opens after the listening line: the signal lands while start-up still runs.
    for (let round = 0; round < 3; round++) {
      const sockudo = await startSockudo(['--port', '0', '--host', '127.0.0.1'], { cwd: tempDir() });
      sockudo.child.kill('SIGTERM');
      expect(await sockudo.exited, sockudo.output()).toBe(0);
      expect(sockudo.output()).toContain('Sockudo stopped');
    }
  });
});
