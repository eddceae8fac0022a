// Hides credentials before a configuration (or a log line's fields) is printed.

/** What every hidden value is replaced with. */
export const MASK = '********';

const SECRET_NAME =
  /secret|password|passphrase|token|credential|authorization|api_?key|access_?key|private_?key/i;
// `scheme://user:password@host` — keep the user and host, hide the password.
const URL_PASSWORD = /^([a-z][a-z0-9+.-]*:\/\/[^/:@\s]*:)([^@/\s]+)@/i;

/** True for a field name that holds a credential (`secret`, `password`, `sasl_password`, `token`, ...). */
export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

/** Hides the password of a URL such as `redis://:pass@host:6379`. */
export function maskUrlPassword(value: string): string {
  return value.replace(URL_PASSWORD, `$1${MASK}@`);
}

/**
 * A deep copy of `value` with app secrets, passwords, tokens and passphrases replaced by `"********"`,
 * and passwords inside URLs hidden. Empty values stay empty, so "not set" remains visible.
 */
export function maskSecrets<T>(value: T): T {
  return mask(value, undefined) as T;
}

function mask(value: unknown, name: string | undefined): unknown {
  if (Array.isArray(value)) return value.map((item) => mask(item, name));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, mask(item, key)]));
  }
  // Booleans are switches (`cors.credentials`), not credentials; empty stays visible as "not set".
  if (
    name !== undefined &&
    isSecretName(name) &&
    (typeof value === 'number' || (typeof value === 'string' && value !== ''))
  ) {
    return MASK;
  }
  if (typeof value === 'string') return maskUrlPassword(value);
  return value;
}
