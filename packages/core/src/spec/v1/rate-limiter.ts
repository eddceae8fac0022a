/** The outcome of one {@link RateLimiterV1.consume} call. */
export interface RateLimitResult {
  /** False when the points did not fit; nothing was consumed then. */
  allowed: boolean;
  /** The `limit` of the call. */
  limit: number;
  /** Points still free in the window after this call (on a refusal: what was free, unchanged). */
  remaining: number;
  /** Whole seconds until the window resets, from 1 to the window's length while a window is open. */
  resetSeconds: number;
}

/**
 * A fixed-window limiter over string keys; the window and limit come with each call.
 *
 * What every implementation promises (checked by `rateLimiterTestSuite` of `@sockudo/test-suite`): a
 * window opens with the first consume of a key and lasts `windowSeconds`; within it at most `limit`
 * points are consumed, even under concurrent calls (from one process or, for a shared store, from
 * many); a call whose points do not fit is refused and consumes nothing; once the window has passed
 * the key starts afresh; keys, and instances configured with different prefixes/namespaces, are
 * independent.
 */
export interface RateLimiterV1 {
  readonly specVersion: 1;
  consume(key: string, points: number, limit: number, windowSeconds: number): Promise<RateLimitResult>;
  checkHealth?(): Promise<void>;
  /** Releases the connection; calling it again resolves. */
  close?(): Promise<void>;
}
