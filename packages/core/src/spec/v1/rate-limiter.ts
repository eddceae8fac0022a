/** The outcome of one {@link RateLimiterV1.consume} call. */
export interface RateLimitResult {
  /** False when the points did not fit; nothing was consumed then. */
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the window resets. */
  resetSeconds: number;
}

/** A fixed-window limiter over string keys; the window and limit come with each call. */
export interface RateLimiterV1 {
  readonly specVersion: 1;
  consume(key: string, points: number, limit: number, windowSeconds: number): Promise<RateLimitResult>;
  checkHealth?(): Promise<void>;
  close?(): Promise<void>;
}
