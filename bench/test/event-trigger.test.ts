import { describe, expect, it } from 'vitest';
import { answerProblem } from '../src/event-trigger.js';

describe('answerProblem', () => {
  it('accepts 2xx answers without an error object', () => {
    expect(answerProblem(200, '{}')).toBeUndefined();
    expect(answerProblem(200, '{"ok":true}')).toBeUndefined();
    expect(answerProblem(202, '')).toBeUndefined();
  });

  it('rejects other statuses and 2xx answers that carry an error (as soketi sends them)', () => {
    expect(answerProblem(401, 'Unauthorized')).toMatch(/answered 401: Unauthorized/);
    expect(answerProblem(200, '{"error":"The secret authentication failed","code":401}')).toMatch(
      /answered 200 with an error: .*secret authentication failed/,
    );
  });
});
