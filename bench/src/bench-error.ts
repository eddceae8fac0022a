// The one error type the CLI prints without a stack: it already says what went wrong and what to check.

/** A failure of the benchmark run itself (bad options, unreachable server, rejected request). */
export class BenchError extends Error {
  override readonly name = 'BenchError';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The message of any thrown value, for one-line error reports. */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code !== undefined && !error.message.includes(code) ? `${error.message} (${code})` : error.message;
  }
  return String(error);
}
