// Where the options point: defaults, then the URL, then explicit fields; and the errors for bad ones.

import { ConfigError } from '@sockudo/core';
import { describe, expect, it } from 'vitest';
import { describeSqlTarget, resolveSqlTarget, type SqlDialect } from '../../src/index.js';

const spec = { configKey: 'database.x', schemes: ['x:', 'xsql:'], defaultPort: 1234, defaultUser: 'admin' };

describe('resolveSqlTarget', () => {
  it('defaults to localhost, the database default port and user, no password, database sockudo', () => {
    expect(resolveSqlTarget({}, spec)).toEqual({
      host: 'localhost',
      port: 1234,
      user: 'admin',
      password: '',
      database: 'sockudo',
    });
  });

  it('reads every part of the URL, decoded, with either scheme and an IPv6 host', () => {
    expect(resolveSqlTarget({ url: 'xsql://us%40er:p%3Ass@[::1]:99/my%20db' }, spec)).toEqual({
      host: '::1',
      port: 99,
      user: 'us@er',
      password: 'p:ss',
      database: 'my db',
    });
  });

  it('lets explicit fields override the URL, username as an alias of user', () => {
    const target = resolveSqlTarget(
      { url: 'x://a:b@h:1/d', host: 'h2', port: 2, username: 'u2', password: 'p2', database: 'd2' },
      spec,
    );
    expect(target).toEqual({ host: 'h2', port: 2, user: 'u2', password: 'p2', database: 'd2' });
    expect(resolveSqlTarget({ user: 'u', username: 'ignored' }, spec).user).toBe('u');
  });

  it('rejects a URL that does not parse or has another scheme, and a port that is not a TCP port', () => {
    expect(() => resolveSqlTarget({ url: 'not a url' }, spec)).toThrow(
      'database.x.url: not a valid URL (expected x://user:password@host:port/database)',
    );
    expect(() => resolveSqlTarget({ url: 'http://h/d' }, spec)).toThrow(
      'database.x.url: expected a x:// URL, got http://',
    );
    for (const port of [0, 65536, 1.5, Number.NaN]) {
      const error = (() => {
        try {
          resolveSqlTarget({ port }, spec);
        } catch (caught) {
          return caught;
        }
      })();
      expect(ConfigError.isInstance(error)).toBe(true);
      expect((error as ConfigError).key).toBe('database.x.port');
    }
  });
});

describe('describeSqlTarget', () => {
  const dialect = { name: 'XSQL' } as SqlDialect;
  it('names database, host and port, never the user or password', () => {
    const where = describeSqlTarget(dialect, {
      host: 'db.internal',
      port: 5,
      user: 'secret-user',
      password: 'hunter2',
      database: 'apps',
    });
    expect(where).toBe('XSQL database "apps" at db.internal:5');
    expect(describeSqlTarget(dialect, undefined)).toBe('XSQL (the given pool)');
  });
});
