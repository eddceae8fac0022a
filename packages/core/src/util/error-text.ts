// Driver errors turned into one line a person can act on, for drivers that name what failed and where
// (host, table, endpoint) and must never carry a password into a log.

/**
 * A one-line reason for `error`: its message, else its code, else its name; for an `AggregateError`
 * (Node's dual-stack connect), the distinct reasons inside it joined with `; `.
 *
 * @example
 * ```ts
 * throw new SockudoError(`my-driver: lookup failed on ${where}: ${errorText(error)}`, { cause: error });
 * ```
 */
export function errorText(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) {
    return [...new Set(error.errors.map(errorText))].join('; ');
  }
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    if (error.message) return error.message;
    return typeof code === 'string' ? code : error.name;
  }
  return String(error);
}

/**
 * `text` with every occurrence of `secret` replaced by `***`, for a password a driver's message could
 * repeat. An empty or missing `secret` leaves `text` as it is.
 */
export function redact(text: string, secret: string | undefined): string {
  return secret ? text.split(secret).join('***') : text;
}
