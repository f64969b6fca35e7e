import type { IncomingMessage } from 'node:http';
import type { Exchange } from './exchange.js';

/** RFC 9110 §9.2.2: the methods whose request may be sent twice with the effect of once. */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']);
/** How a connection the backend closed fails a request written to it ('socket hang up' is ECONNRESET). */
const CLOSED_BY_BACKEND = new Set(['ECONNRESET', 'EPIPE']);

/** Whether the request carries a body, which was consumed by the first attempt. */
export function hasRequestBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return (length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined;
}

/**
 * Whether a request the backend never answered may go again, once, on a new connection. Every
 * keep-alive pool has this race: the backend closes an idle connection (or one it will not
 * reuse) just as the proxy writes the next request to it, and the request fails without
 * reaching the application. Answering 502 would hand the client an error the backend never
 * made. Sent again only when the failure came on a reused connection before any answer, and the
 * request is idempotent and has no body; nginx retries the same way (proxy_next_upstream error,
 * non-idempotent methods excepted).
 */
export function mayResend(ex: Exchange, req: IncomingMessage, error: NodeJS.ErrnoException): boolean {
  return (
    !ex.resent &&
    ex.backendStatus === undefined &&
    ex.proxyReq?.reusedSocket === true &&
    CLOSED_BY_BACKEND.has(error.code ?? '') &&
    IDEMPOTENT.has(ex.method) &&
    !hasRequestBody(req)
  );
}
