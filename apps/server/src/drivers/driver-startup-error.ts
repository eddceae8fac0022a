// A driver that could not start: the message names the config key of the driver, the driver and where
// it connects, never a password.

import { SockudoError } from '@sockudo/core';

/**
 * Replaces every occurrence of each secret, and any password inside a URL, with `********`. Secrets
 * shorter than 4 characters are left alone: they occur inside ordinary words ("dynamodb" contains "y"),
 * and scrubbing them would garble the message without hiding anything.
 */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  let scrubbed = text;
  for (const secret of secrets) {
    if (secret.length >= 4) scrubbed = scrubbed.split(secret).join('********');
  }
  return scrubbed.replace(/([a-z][a-z0-9+.-]*:\/\/[^/:@\s]*:)[^@/\s]+@/gi, '$1********@');
}

/** Why a driver failed, in one line. */
export function reasonOf(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) {
    return [...new Set(error.errors.map(reasonOf))].join('; ');
  }
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return error.message !== '' ? error.message : typeof code === 'string' ? code : error.name;
  }
  return String(error);
}

/** Thrown by the driver registry when a configured driver cannot start. */
export class DriverStartupError extends SockudoError {
  override name = 'DriverStartupError';
  /** `adapter.driver`, `app_manager.driver`, ... */
  readonly key: string;
  readonly driver: string;

  constructor(key: string, driver: string, what: string, error: unknown, secrets: readonly string[] = []) {
    super(scrubSecrets(`${key} ${driver}: ${what}: ${reasonOf(error)}`, secrets), { cause: error });
    this.key = key;
    this.driver = driver;
  }
}
