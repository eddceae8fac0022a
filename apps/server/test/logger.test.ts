import { describe, expect, it } from 'vitest';
import { createServerLogger, MASK, resolveLogLevel } from '../src/index.js';

const now = () => new Date('2026-01-02T03:04:05.000Z');

function capture(): { lines: string[]; stream: { write(chunk: string): void } } {
  const lines: string[] = [];
  return { lines, stream: { write: (chunk: string) => lines.push(chunk) } };
}

describe('createServerLogger', () => {
  it('writes text lines with time and level, masking secret fields and URL passwords', () => {
    const { lines, stream } = capture();
    const logger = createServerLogger({ stream, now });
    logger.info('Sockudo listening on http://0.0.0.0:6001', { apps: 1, secret: 'shh', url: 'redis://:pw@h' });
    logger.debug('hidden');
    expect(lines).toEqual([
      `2026-01-02T03:04:05.000Z INFO  Sockudo listening on http://0.0.0.0:6001 apps=1 secret=${MASK} url=redis://:${MASK}@h\n`,
    ]);
  });

  it('writes one JSON object per line with level, time and msg, and debug entries at level debug', () => {
    const { lines, stream } = capture();
    const logger = createServerLogger({ stream, now, format: 'json', level: 'debug' });
    logger.debug('detail', { app: { id: 'a', secret: 's' } });
    expect(lines).toHaveLength(1);
    expect(lines[0]!.endsWith('\n')).toBe(true);
    expect(JSON.parse(lines[0]!)).toEqual({
      level: 'debug',
      time: '2026-01-02T03:04:05.000Z',
      msg: 'detail',
      app: { id: 'a', secret: MASK },
    });
  });

  it('drops entries below the level', () => {
    const { lines, stream } = capture();
    const logger = createServerLogger({ stream, now, format: 'json', level: 'warn' });
    logger.info('no');
    logger.warn('yes');
    expect(lines.map((line) => JSON.parse(line).msg)).toEqual(['yes']);
  });

  it('hides passwords of URLs anywhere in a message or an error, and logs errors with their stack', () => {
    const { lines, stream } = capture();
    const logger = createServerLogger({ stream, now });
    const error = new Error('connect ECONNREFUSED redis://user:hunter2@127.0.0.1:1');
    logger.error('cannot reach rediss://:hunter2@example.com:6380/0', { error });
    expect(lines[0]).not.toContain('hunter2');
    expect(lines[0]).toContain(`rediss://:${MASK}@example.com:6380/0`);
    expect(lines[0]).toContain('error=\nError: connect ECONNREFUSED redis://user:');
  });

  it('gives child loggers their bindings on every entry', () => {
    const { lines, stream } = capture();
    const logger = createServerLogger({ stream, now, format: 'json', bindings: { worker: 2 } });
    logger.child({ appId: 'app-1', password: 'pw' }).info('joined', { socketId: '1.2' });
    expect(JSON.parse(lines[0]!)).toEqual({
      level: 'info',
      time: '2026-01-02T03:04:05.000Z',
      worker: 2,
      appId: 'app-1',
      password: MASK,
      socketId: '1.2',
      msg: 'joined',
    });
  });

  it('redacts the known secret paths with pino, whole database URLs included', () => {
    const { lines, stream } = capture();
    const logger = createServerLogger({ stream, now, format: 'json' });
    logger.info('drivers', { database: { redis: { url: 'redis://127.0.0.1:6379' } }, apps: [{ id: 'a' }] });
    const entry = JSON.parse(lines[0]!);
    expect(entry.database.redis.url).toBe(MASK);
    expect(entry.apps).toEqual([{ id: 'a' }]);
  });

  it('colours the level only when asked', () => {
    const { lines, stream } = capture();
    createServerLogger({ stream, now, colors: true }).warn('careful');
    expect(lines[0]).toContain('\x1b[33mWARN \x1b[0m careful');
  });
});

describe('resolveLogLevel', () => {
  it('is the configured level, lowered to debug by the debug flag but never raised', () => {
    expect(resolveLogLevel(false, 'info')).toBe('info');
    expect(resolveLogLevel(true, 'info')).toBe('debug');
    expect(resolveLogLevel(false, 'warn')).toBe('warn');
    expect(resolveLogLevel(true, 'error')).toBe('debug');
    expect(resolveLogLevel(true, 'trace')).toBe('trace');
  });
});
