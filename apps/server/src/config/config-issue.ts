// A configuration problem, and the error that carries all of them at once.

import { ConfigError } from '@sockudo/core';

/** One problem found while loading the configuration. */
export interface ConfigIssue {
  /** The dot path (`adapter.driver`), environment variable (`PORT`), flag (`--port`) or file at fault. */
  key: string;
  /** The full line shown to the user; it starts with the key, e.g. `port: expected an integer 0–65535, got "abc"`. */
  message: string;
}

/**
 * Thrown by `loadConfig` when the configuration is invalid. `errors` holds every problem, not only the
 * first; `key` is the first one's key. It is a `ConfigError`, so `ConfigError.isInstance` matches it.
 */
export class ConfigValidationError extends ConfigError {
  readonly errors: readonly ConfigIssue[];
  readonly warnings: readonly string[];

  constructor(errors: readonly ConfigIssue[], warnings: readonly string[] = []) {
    const count = errors.length === 1 ? '1 error' : `${errors.length} errors`;
    super(`Invalid configuration (${count}):\n${errors.map((e) => `  - ${e.message}`).join('\n')}`, {
      key: errors[0]?.key,
    });
    this.errors = errors;
    this.warnings = warnings;
  }
}
