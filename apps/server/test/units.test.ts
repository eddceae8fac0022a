// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these tests are about ${VAR} text in config files
import { APP_DEFAULTS } from '@sockudo/core';
import { describe, expect, it } from 'vitest';
import {
  findJsonSyntaxProblem,
  handleShutdownSignals,
  loadConfig,
  substituteEnvVars,
  toServerOptions,
} from '../src/index.js';
import { tempDir } from './helpers.js';

describe('substituteEnvVars', () => {
  it('uses the default when the variable is unset or empty', () => {
    expect(substituteEnvVars('${A:-1} ${B:-2} ${C:-}', { B: '' }).text).toBe('1 2 ');
  });

  it('leaves text that is not a reference alone', () => {
    expect(substituteEnvVars('$HOME ${} ${1X} $${A}', { A: 'a' }).text).toBe('$HOME ${} ${1X} $a');
  });

  it('reports each missing variable once', () => {
    expect(substituteEnvVars('${X}${X}${Y:-y}', {}).missing).toEqual(['X']);
  });

  it('does not treat an escaped quote as the end of a string', () => {
    expect(substituteEnvVars('{"a": "x\\"${V}"}', { V: '"' }).text).toBe('{"a": "x\\"\\""}');
  });
});

describe('findJsonSyntaxProblem', () => {
  it('returns nothing for valid JSON', () => {
    expect(findJsonSyntaxProblem('{"a": [1, -2.5e3, true, null, "x\\u00e9"], "b": {}}')).toBeUndefined();
  });

  it('locates the usual mistakes', () => {
    expect(findJsonSyntaxProblem('{\n  a: 1\n}')).toMatchObject({ line: 2, column: 3 });
    expect(findJsonSyntaxProblem('{"a": 1 "b": 2}')).toMatchObject({
      line: 1,
      column: 9,
      reason: "expected ',' or '}', got '\"'",
    });
    expect(findJsonSyntaxProblem('{"a": \'x\'}')).toMatchObject({ column: 7 });
    expect(findJsonSyntaxProblem('{"a": 1')).toMatchObject({
      reason: "expected ',' or '}', got end of file",
    });
    expect(findJsonSyntaxProblem('{} {}')).toMatchObject({ column: 4 });
  });
});

describe('toServerOptions', () => {
  it("maps the resolved config onto core's createServer options", () => {
    const { config } = loadConfig({
      cwd: tempDir(),
      env: {
        PORT: '7001',
        ACTIVITY_TIMEOUT: '60',
        SOCKUDO_MAX_CONNECTIONS: '5',
        WEBHOOK_BATCHING_DURATION: '20',
      },
    });
    const options = toServerOptions(config);
    expect(options).toMatchObject({
      host: '0.0.0.0',
      port: 7001,
      activityTimeout: 60,
      userAuthenticationTimeout: 3600,
      websocketMaxPayloadKb: 64,
      maxConnections: 5,
      httpRequestLimitInMb: 10,
      shutdownGracePeriod: 10,
      webhooks: { batching: true, batchDurationMs: 20, batchSize: 100, requestTimeoutMs: 10000 },
    });
    expect(options.apps).toEqual([{ ...APP_DEFAULTS, id: 'app-id', key: 'app-key', secret: 'app-secret' }]);
  });

  it('lets extra options win', () => {
    const { config } = loadConfig({ cwd: tempDir(), env: {} });
    expect(toServerOptions(config, { port: 0 }).port).toBe(0);
  });
});

describe('handleShutdownSignals', () => {
  const silent = { debug() {}, info() {}, warn() {}, error() {} };

  it('closes with the grace period and exits 0; a second signal exits 1 at once', async () => {
    const calls: Array<{ gracePeriodMs?: number }> = [];
    let finish: () => void = () => {};
    const server = {
      close(options?: { gracePeriodMs?: number }) {
        calls.push(options ?? {});
        return new Promise<void>((resolve) => (finish = resolve));
      },
    };
    const codes: number[] = [];
    const dispose = handleShutdownSignals(server, {
      logger: silent,
      gracePeriodMs: 2500,
      exit: (code) => codes.push(code),
      signals: ['SIGUSR2'],
    });
    try {
      process.emit('SIGUSR2', 'SIGUSR2');
      expect(calls).toEqual([{ gracePeriodMs: 2500 }]);
      process.emit('SIGUSR2', 'SIGUSR2');
      expect(codes).toEqual([1]);
      finish();
      await new Promise((resolve) => setImmediate(resolve));
      expect(codes).toEqual([1, 0]);
    } finally {
      dispose();
    }
  });

  it('exits 1 when closing fails', async () => {
    const codes: number[] = [];
    const dispose = handleShutdownSignals(
      { close: () => Promise.reject(new Error('boom')) },
      { logger: silent, gracePeriodMs: 0, exit: (code) => codes.push(code), signals: ['SIGUSR2'] },
    );
    try {
      process.emit('SIGUSR2', 'SIGUSR2');
      await new Promise((resolve) => setImmediate(resolve));
      expect(codes).toEqual([1]);
    } finally {
      dispose();
    }
  });
});
