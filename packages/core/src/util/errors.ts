// Typed errors. Each carries a `Symbol.for` marker so `isInstance` works when two copies of core are
// installed (a driver package may resolve its own copy), where `instanceof` would fail.

const MARKER = Symbol.for('sockudo.error');

/** Base class of every error Sockudo throws on purpose. */
export class SockudoError extends Error {
  protected readonly [MARKER] = true;
  override name = 'SockudoError';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }

  /** True for any Sockudo error, from this copy of core or another. */
  static isInstance(error: unknown): error is SockudoError {
    return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[MARKER] === true;
  }
}

/** A configuration value is missing or has the wrong type. `key` is the config path that is wrong. */
export class ConfigError extends SockudoError {
  override name = 'ConfigError';
  readonly key: string | undefined;

  constructor(message: string, options?: { key?: string; cause?: unknown }) {
    super(message, options);
    this.key = options?.key;
  }

  static override isInstance(error: unknown): error is ConfigError {
    return SockudoError.isInstance(error) && error.name === 'ConfigError';
  }
}

/** A signature, key or timestamp did not verify. */
export class AuthError extends SockudoError {
  override name = 'AuthError';
}

/** A cluster-wide request did not get every answer in time. */
export class RequestTimeoutError extends SockudoError {
  override name = 'RequestTimeoutError';
}

/** A driver implements a contract version this core cannot use. */
export class UnsupportedSpecVersionError extends SockudoError {
  override name = 'UnsupportedSpecVersionError';

  constructor(
    readonly contract: string,
    readonly specVersion: unknown,
    readonly supported: readonly number[] = [1],
  ) {
    super(
      `${contract}: specVersion ${JSON.stringify(specVersion)} is not supported by this @sockudo/core (supports ${supported.join(', ')})`,
    );
  }
}

/**
 * A history page was asked for with a cursor that can no longer continue without a gap: the channel's
 * stream was reset since, or the next message was dropped by retention or a purge. Start a new walk.
 */
export class HistoryCursorExpiredError extends SockudoError {
  override name = 'HistoryCursorExpiredError';

  static override isInstance(error: unknown): error is HistoryCursorExpiredError {
    return SockudoError.isInstance(error) && error.name === 'HistoryCursorExpiredError';
  }
}

/** A history store was asked something its contract rules out (a limit of 0, bounds the wrong way round). */
export class InvalidHistoryRequestError extends SockudoError {
  override name = 'InvalidHistoryRequestError';

  static override isInstance(error: unknown): error is InvalidHistoryRequestError {
    return SockudoError.isInstance(error) && error.name === 'InvalidHistoryRequestError';
  }
}
