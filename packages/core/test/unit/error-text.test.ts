// errorText and redact: the one-line reasons drivers put into their errors, without the password.

import { describe, expect, it } from 'vitest';
import { errorText, redact } from '../../src/index.js';

describe('errorText', () => {
  it("is the error's message, else its code, else its name", () => {
    expect(errorText(new Error('boom'))).toBe('boom');
    expect(errorText(Object.assign(new Error(''), { code: 'ECONNREFUSED' }))).toBe('ECONNREFUSED');
    expect(errorText(new TypeError(''))).toBe('TypeError');
    expect(errorText('plain')).toBe('plain');
  });

  it('joins the distinct reasons inside an AggregateError (a dual-stack connect)', () => {
    const refused = (address: string) =>
      Object.assign(new Error(''), { code: 'ECONNREFUSED', message: `connect ECONNREFUSED ${address}` });
    expect(
      errorText(new AggregateError([refused('::1:1'), refused('127.0.0.1:1'), refused('127.0.0.1:1')], '')),
    ).toBe('connect ECONNREFUSED ::1:1; connect ECONNREFUSED 127.0.0.1:1');
    expect(errorText(new AggregateError([], 'none inside'))).toBe('none inside');
  });
});

describe('redact', () => {
  it('replaces every occurrence of the secret, and leaves text alone without one', () => {
    expect(redact("password 'hunter2' for hunter2@db", 'hunter2')).toBe("password '***' for ***@db");
    expect(redact('no secret here', '')).toBe('no secret here');
    expect(redact('no secret here', undefined)).toBe('no secret here');
  });
});
