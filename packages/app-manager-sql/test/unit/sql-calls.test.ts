// One call of a SQL app manager: deadline, one retry for a lost connection, the failure message, close().

import { SockudoError } from '@sockudo/core';
import { describe, expect, it } from 'vitest';
import { createSqlCalls, type SqlCallsOptions, withDeadline } from '../../src/index.js';

const lost = Object.assign(new Error('gone'), { code: 'LOST' });
const missing = Object.assign(new Error("table 'apps' doesn't exist"), { code: 'MISSING' });

function calls(overrides: Partial<SqlCallsOptions> = {}) {
  return createSqlCalls({
    manager: 'TestAppManager',
    where: 'XSQL database "apps" at h:1',
    password: 'hunter2',
    deadlineMs: 1000,
    connectionLost: (error) => (error as { code?: unknown }).code === 'LOST',
    missingTable: (error) => (error as { code?: unknown }).code === 'MISSING',
    ...overrides,
  });
}

describe('createSqlCalls', () => {
  it('retries a read once after a lost connection, and only when asked', async () => {
    let attempts = 0;
    const flaky = async () => {
      attempts++;
      if (attempts === 1) throw lost;
      return 'ok';
    };
    expect(await calls().run('read', flaky, { retry: true })).toBe('ok');
    expect(attempts).toBe(2);
    attempts = 0;
    await expect(calls().run('write', flaky)).rejects.toThrow(/TestAppManager: write failed .*: gone/);
    expect(attempts).toBe(1);
  });

  it('does not retry twice', async () => {
    let attempts = 0;
    const down = async () => {
      attempts++;
      throw lost;
    };
    await expect(calls().run('read', down, { retry: true })).rejects.toThrow(SockudoError);
    expect(attempts).toBe(2);
  });

  it('names the manager, the call and the database, keeps the cause, and removes the password', async () => {
    const error = await calls()
      .run('login', async () => {
        throw new Error("Access denied for 'u' using password 'hunter2'");
      })
      .catch((caught: unknown) => caught as SockudoError);
    expect(error.message).toBe(
      `TestAppManager: login failed on XSQL database "apps" at h:1: Access denied for 'u' using password '***'`,
    );
    expect((error.cause as Error).message).toContain('hunter2');
  });

  it('says how to create a missing table', () => {
    expect(calls().failure('find', missing).message).toMatch(
      /doesn't exist \(create it with `sockudo migrate` or `await manager\.migrate\(\)`\)$/,
    );
  });

  it('rejects every call after markClosed()', async () => {
    const closed = calls();
    closed.markClosed();
    await expect(closed.run('find', async () => 1)).rejects.toThrow(
      'TestAppManager: find called after close()',
    );
    expect(() => closed.ensureOpen('update')).toThrow(/update called after close\(\)/);
  });

  it('fails a call that outlives its deadline', async () => {
    await expect(calls().run('slow', () => new Promise(() => {}), { timeoutMs: 20 })).rejects.toThrow(
      'TestAppManager: slow failed on XSQL database "apps" at h:1: no answer within 20 ms',
    );
    await expect(withDeadline(Promise.resolve(3), 20)).resolves.toBe(3);
  });
});
