import type { ServerResponse } from 'node:http';

/** Writes a JSON reply with its length, so keep-alive connections stay reusable. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers?: Record<string, string>,
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/** Writes a plain-text reply (health endpoints). */
export function sendText(
  res: ServerResponse,
  status: number,
  text: string,
  headers?: Record<string, string>,
): void {
  res.writeHead(status, {
    'Content-Type': 'text/plain',
    'Content-Length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/** An error the HTTP API answers with a status and a JSON `{ error, status }` body. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers?: Record<string, string>,
    /** Rust Sockudo's error `code` (`invalid_input`, `feature_disabled`, ...), for its newer routes. */
    readonly code?: string,
  ) {
    super(message);
  }
}

/** Sends an {@link HttpError} as `{ "error": message, "status": n }` (with `code` when it has one). */
export function sendError(res: ServerResponse, error: HttpError): void {
  const body =
    error.code === undefined
      ? { error: error.message, status: error.status }
      : { error: error.message, code: error.code, status: error.status };
  sendJson(res, error.status, body, error.headers);
}
