import http from 'node:http';

/**
 * The one writer of JSON error bodies, for every server of the process: the proxy port's own
 * answers (502, 504, refusals), the admin port and the ingest API. It lives below the
 * subsystems that use it (beside config/, log/ and metrics/) and imports nothing of the project,
 * so proxy/, admin/ and ingest/ can all import it without a dependency pointing upwards.
 *
 * One shape everywhere: `{"error", "code", "message"}`, `"request_id"` when the request has one,
 * and any fields a caller adds (ingest's per-event results). `code` is stable and meant for
 * programs; `message` says what was wrong and how to fix it.
 */

export interface ErrorBody {
  /** A stable code for programs: `UPSTREAM_TIMEOUT` on the proxy port, `body_too_large` on the admin port. */
  readonly code: string;
  readonly message: string;
  /**
   * A short name of the error. Default: the status's reason phrase (`Bad Gateway`). The ingest
   * API sets its code here, which its clients compare.
   */
  readonly error?: string | undefined;
  readonly requestId?: string | undefined;
  /** More fields of the body, after the others. */
  readonly details?: object | undefined;
}

const JSON_TYPE = 'application/json; charset=utf-8';

/** The JSON text of an error body. */
export function errorBodyText(status: number, e: ErrorBody): string {
  return JSON.stringify({
    error: e.error ?? http.STATUS_CODES[status],
    code: e.code,
    message: e.message,
    ...(e.requestId ? { request_id: e.requestId } : {}),
    ...e.details,
  });
}

/**
 * Answers `res` with an error body; headers set on `res` before (`WWW-Authenticate`, `Allow`) go
 * with it. `close` ends the connection after the answer. A response whose headers already left
 * cannot become an error any more: its connection is cut instead, so that the client cannot
 * take what it got for complete.
 */
export function sendError(res: http.ServerResponse, status: number, e: ErrorBody, close = false): void {
  if (res.headersSent) return void res.destroy();
  const body = errorBodyText(status, e);
  const headers: http.OutgoingHttpHeaders = {
    'content-type': JSON_TYPE,
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
  };
  if (e.requestId) headers['x-request-id'] = e.requestId;
  if (close) {
    res.shouldKeepAlive = false;
    headers.connection = 'close';
  }
  res.writeHead(status, headers);
  res.end(body);
}

/**
 * A complete HTTP/1.1 response with an error body, for a raw socket that has no response object
 * (a parser error, a refused WebSocket upgrade). The connection closes after it.
 */
export function rawErrorResponse(status: number, e: ErrorBody): string {
  const body = errorBodyText(status, e);
  return (
    `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\ncontent-type: ${JSON_TYPE}\r\n` +
    `content-length: ${Buffer.byteLength(body)}\r\ncache-control: no-store\r\n` +
    `${e.requestId ? `x-request-id: ${e.requestId}\r\n` : ''}connection: close\r\n\r\n${body}`
  );
}
