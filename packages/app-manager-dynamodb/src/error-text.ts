// Error messages that say what failed and where, and never carry the database password.

/** A one-line reason for `error`: its message, else its code, else the reasons inside an AggregateError. */
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

/** `text` with every occurrence of `secret` replaced, for a password that could appear in a driver's message. */
export function redact(text: string, secret: string | undefined): string {
  return secret ? text.split(secret).join('***') : text;
}
